"""Pure rules: audiences, who is reminded when, message texts, back-off. Plain values, ``now`` passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.announcements import rules
from lms.announcements.rules import Audience, PersonUnits, PublisherScope, QuizWindow, ReminderSettings, Standing

CITY = PublisherScope("all")
COUNTY_1 = PublisherScope("county", county_id=1)
GRID_11 = PublisherScope("grid", county_id=1, grid_id=11)
GRIDS = {11: 1, 12: 1, 21: 2}


@pytest.mark.parametrize(("scope", "audience", "allowed"), [
    (CITY, Audience("all"), True),
    (COUNTY_1, Audience("all"), False),
    (COUNTY_1, Audience("county", 1), True),
    (COUNTY_1, Audience("county", 2), False),
    (COUNTY_1, Audience("grid", 12), True),
    (COUNTY_1, Audience("grid", 21), False),
    (GRID_11, Audience("county", 1), False),
    (GRID_11, Audience("grid", 11), True),
    (GRID_11, Audience("grid", 12), False),
    (CITY, Audience("grid", 99), False),  # no such grid
    (CITY, Audience("county", None), False),
    (CITY, Audience("nonsense"), False),
])
def test_a_supervisor_publishes_only_to_their_own_unit(scope, audience, allowed):
    problems = rules.audience_problems(scope, audience, grid_county=GRIDS, county_ids=[1, 2], chosen=[])
    assert (problems == []) is allowed, problems


def test_chosen_people_must_all_be_inside_the_publishers_unit():
    inside, outside = PersonUnits(5, 1, 11), PersonUnits(6, 2, 21)
    ok = rules.audience_problems(COUNTY_1, Audience("people", None, (5,)), grid_county=GRIDS, county_ids=[1, 2],
                                 chosen=[inside])
    refused = rules.audience_problems(COUNTY_1, Audience("people", None, (5, 6)), grid_county=GRIDS,
                                      county_ids=[1, 2], chosen=[inside, outside])
    nobody = rules.audience_problems(CITY, Audience("people"), grid_county=GRIDS, county_ids=[1, 2], chosen=[])
    assert ok == []
    assert refused == ["指定的人员中有不属于您单位的人员"]
    assert nobody == ["请至少指定一位接收人"]


@pytest.mark.parametrize(("opened", "acked", "requires_ack", "state", "outstanding"), [
    (False, False, False, "unread", True),
    (True, False, False, "acknowledged", False),
    (False, False, True, "unread", True),
    (True, False, True, "opened", True),
    (True, True, True, "acknowledged", False),
])
def test_receipt_states(opened, acked, requires_ack, state, outstanding):
    t = datetime(2026, 11, 2, tzinfo=UTC)
    got = rules.receipt_state(opened_at=t if opened else None, acknowledged_at=t if acked else None,
                              requires_ack=requires_ack)
    assert got == state
    assert rules.is_outstanding(got, requires_ack=requires_ack) is outstanding


def test_parsing_slugs_and_employee_numbers():
    assert rules.parse_slugs("nov-policy, nov-fees\nnov-policy") == (["nov-policy", "nov-fees"], [])
    assert rules.parse_slugs("Bad Slug!")[1] == ["课程标识“Bad”无效", "课程标识“Slug!”无效"]
    assert rules.parse_employee_numbers("A001，A002\nA003;A001") == ["A001", "A002", "A003"]


# --- reminders --------------------------------------------------------------------------------------------------

# 2026-11 monthly test: opens Nov 1 00:00, closes Nov 8 23:59 (Shanghai) = Oct 31 16:00 / Nov 8 15:59 UTC.
OPENS = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 8, 15, 59, tzinfo=UTC)
MAKEUP_OPENS = datetime(2026, 11, 14, 16, 0, tzinfo=UTC)  # Nov 15 local
MAKEUP_CLOSES = datetime(2026, 11, 16, 15, 59, tzinfo=UTC)
WINDOW = QuizWindow(1, "nov-test", "11月月考", "2026-11", OPENS, CLOSES, MAKEUP_OPENS, MAKEUP_CLOSES)
PEOPLE = [
    Standing(10, sat=False, passed=False),             # has not sat
    Standing(11, sat=True, passed=True),               # passed
    Standing(12, sat=True, passed=False),              # failed
    Standing(13, sat=False, passed=False, exempt=True),
]
SETTINGS = ReminderSettings()


def due(now, window=WINDOW, people=PEOPLE, settings=SETTINGS):
    return sorted((r.kind, r.user_id) for r in rules.quiz_reminders(now, window, people, settings, link="/q"))


@pytest.mark.parametrize(("now", "expected"), [
    (OPENS - timedelta(minutes=1), []),
    (OPENS, [("quiz_open", 10)]),
    (datetime(2026, 11, 5, tzinfo=UTC), [("quiz_open", 10)]),
    # two days before it closes: those who have not sat it (and are not exempt) get the closing reminder too
    (CLOSES - timedelta(days=2), [("quiz_closing", 10), ("quiz_open", 10)]),
    (CLOSES - timedelta(seconds=1), [("quiz_closing", 10), ("quiz_open", 10)]),
    (CLOSES, []),
    (MAKEUP_OPENS - timedelta(seconds=1), []),
    # the make-up window: whoever has not passed (absent counts as fail), never the exempt or those who passed
    (MAKEUP_OPENS, [("quiz_makeup", 10), ("quiz_makeup", 12)]),
    (MAKEUP_CLOSES, []),
])
def test_who_is_reminded_of_the_monthly_test_and_when(now, expected):
    assert due(now) == expected


def test_reminder_settings_change_the_timing_and_switch_kinds_off():
    three_days = ReminderSettings(closing_days_before=3)
    now = CLOSES - timedelta(days=2, hours=12)
    assert ("quiz_closing", 10) not in due(now)
    assert ("quiz_closing", 10) in due(now, settings=three_days)
    assert due(OPENS, settings=ReminderSettings(window_open=False)) == []
    assert ReminderSettings.from_settings({"LMS_REMINDER_CLOSING_DAYS": "3", "LMS_REMINDER_MAKEUP": "off"}) == \
        ReminderSettings(closing_days_before=3, makeup=False)


@pytest.mark.parametrize(("audience", "people", "invited"), [
    ("failed_or_absent", (), [10, 12]),
    ("failed", (), [12]),
    ("absent", (), [10]),
    ("chosen", ("E11", "E13"), [11]),  # a chosen person who passed is the trainer's call; the exempt never are
])
def test_the_make_up_notice_goes_to_the_window_s_audience(audience, people, invited):
    window = QuizWindow(**{**WINDOW.__dict__, "makeup_audience": audience, "makeup_people": people})
    standings = [Standing(**{**s.__dict__, "chosen": f"E{s.user_id}" in people}) for s in PEOPLE]
    reminders = rules.quiz_reminders(MAKEUP_OPENS, window, standings, SETTINGS, link="/q")
    assert [r.user_id for r in reminders if r.kind == "quiz_makeup"] == invited
    bodies = {r.user_id: r.body for r in reminders}
    assert all("限一次" in body for body in bodies.values())
    if 10 in bodies:
        assert "未参加" in bodies[10]
    if 12 in bodies:
        assert "未达到及格线" in bodies[12]


def test_the_event_key_is_stable_so_a_second_run_creates_nothing():
    first = rules.quiz_reminders(OPENS, WINDOW, PEOPLE, SETTINGS, link="/q")
    later = rules.quiz_reminders(OPENS + timedelta(days=3), WINDOW, PEOPLE, SETTINGS, link="/q")
    assert [r.event_key for r in first] == [r.event_key for r in later] == ["quiz-open:1:20261031T1600"]


def test_a_later_monthly_test_of_the_same_period_is_the_make_up_and_invites_only_those_who_failed():
    makeup = QuizWindow(2, "nov-makeup", "11月补考", "2026-11", MAKEUP_OPENS, MAKEUP_CLOSES)
    assert rules.makeup_quizzes([WINDOW, makeup]) == {2: 1}
    assert rules.makeup_quizzes([WINDOW, QuizWindow(3, "dec", "12月", "2026-12", MAKEUP_OPENS, MAKEUP_CLOSES)]) == {}
    people = [Standing(10, False, False, failed_earlier=True), Standing(11, False, False, failed_earlier=False)]
    reminders = rules.quiz_reminders(MAKEUP_OPENS, QuizWindow(**{**makeup.__dict__, "is_makeup_quiz": True}),
                                     people, SETTINGS, link="/q")
    # the make-up window is only two days long, so the closing reminder is due at once as well
    assert [(r.kind, r.user_id, r.title) for r in reminders] == [("quiz_open", 10, "补考已开放：11月补考"),
                                                                ("quiz_closing", 10, "考试即将截止：11月补考")]


@pytest.mark.parametrize(("kind", "appeal"), [
    ("criticism", True), ("cash_penalty", True), ("yellow_card", True), ("deduction", True),
    ("reward", False), ("reversal", False),
])
def test_a_ledger_message_states_the_reason_and_how_to_appeal(kind, appeal):
    facts = rules.LedgerFacts(7, 3, "2026-11", kind, "现金处罚", "连续两个月不及格（11月 62 分）", 200, None)
    reminder = rules.ledger_reminder(facts, ReminderSettings(appeal_days=5), link="/mine")
    assert reminder.event_key == "ledger:7"
    assert "原因：连续两个月不及格（11月 62 分）" in reminder.body
    assert "金额：200 元" in reminder.body
    assert ("5 天内在“我的考核”中对这条记录提出申诉（由所在县区主管处理）" in reminder.body) is appeal
    assert "2026年11月" in reminder.body


# --- retries ----------------------------------------------------------------------------------------------------

POLICY = rules.RetryPolicy(max_attempts=5, base_seconds=60, max_seconds=600)


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (4, 480), (5, 600), (40, 600)])
def test_back_off_doubles_and_is_capped(attempts, seconds):
    assert rules.backoff(attempts, POLICY) == timedelta(seconds=seconds)


def test_after_failure_retries_until_the_limit_or_a_permanent_error():
    now = datetime(2026, 11, 2, tzinfo=UTC)
    assert rules.after_failure(now, 1, POLICY) == rules.AfterFailure("pending", now + timedelta(seconds=60))
    assert rules.after_failure(now, 5, POLICY) == rules.AfterFailure("failed", None)
    assert rules.after_failure(now, 1, POLICY, permanent=True) == rules.AfterFailure("failed", None)


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=3600),
       st.integers(min_value=1, max_value=86400))
def test_back_off_never_shrinks_and_never_exceeds_the_cap(attempts, base, cap):
    policy = rules.RetryPolicy(base_seconds=base, max_seconds=cap)
    assert rules.backoff(attempts, policy) <= rules.backoff(attempts + 1, policy) <= timedelta(seconds=cap)


@given(st.text(min_size=1, max_size=80), st.sampled_from(["email", "wecom", "dingtalk"]), st.text(max_size=400))
def test_outbox_keys_fit_the_column_and_stay_distinct(event, channel, recipient):
    key = rules.outbox_key(event, channel, recipient)
    assert len(key) <= 255
    assert key != rules.outbox_key(event, channel, recipient + "x")
