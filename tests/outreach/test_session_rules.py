"""The training session's rules with plain values: the check-in window, what a schedule must say, the form's local
times, the token and what the logs may show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.core.clock import SHANGHAI
from lms.outreach import rules as link_rules
from lms.outreach import session_rules as rules

START = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
END = START + timedelta(hours=2)
DEFAULTS = rules.WindowSettings()
KEYS = ["a-test-secret-key"]


@pytest.mark.parametrize(("moment", "state"), [
    (START - timedelta(minutes=31), rules.NOT_YET),
    (START - timedelta(minutes=30, seconds=1), rules.NOT_YET),
    (START - timedelta(minutes=30), rules.OPEN),  # opens 30 minutes before the start, that moment included
    (START, rules.OPEN),
    (END, rules.OPEN),
    (END + timedelta(minutes=119, seconds=59), rules.OPEN),
    (END + timedelta(minutes=120), rules.CLOSED),  # closes 2 hours after the end
    (END + timedelta(days=30), rules.CLOSED),
])
def test_the_check_in_window_by_default(moment, state):
    window = rules.checkin_window(START, END, DEFAULTS)
    assert rules.checkin_state(moment, window, None) == state


def test_a_cancelled_session_is_never_open_and_the_window_follows_its_settings():
    window = rules.checkin_window(START, END, rules.WindowSettings(opens_before_minutes=0, closes_after_minutes=15))
    assert window == rules.CheckinWindow(START, END + timedelta(minutes=15))
    assert rules.checkin_state(START - timedelta(seconds=1), window, None) == rules.NOT_YET
    assert rules.checkin_state(START, window, START - timedelta(days=1)) == rules.CANCELLED
    negative = rules.checkin_window(START, END, rules.WindowSettings(-5, -5))  # a wrong setting widens nothing
    assert negative == rules.CheckinWindow(START, END)


@pytest.mark.parametrize(("moment", "cancelled", "allowed"), [
    (START - timedelta(seconds=1), None, True),
    (START, None, False),
    (START - timedelta(days=1), START - timedelta(days=2), False),
])
def test_a_session_changes_only_before_it_starts(moment, cancelled, allowed):
    assert rules.can_change(moment, START, cancelled) is allowed


def _draft(**changes):
    values = {"title": "12月终端政策片区培训", "kind": rules.AREA, "place": "东城营业厅二楼", "starts_at": START,
              "ends_at": END, "shop_ids": (1, 2), "lesson_ids": ()}
    values.update(changes)
    return rules.SessionDraft(**values)


NOW = START - timedelta(days=1)


@pytest.mark.parametrize(("changes", "problem"), [
    ({}, None),
    ({"title": "  "}, "请填写培训主题（最多 100 个字）"),
    ({"title": "长" * 101}, "请填写培训主题（最多 100 个字）"),
    ({"kind": "centralized"}, "请选择培训方式"),
    ({"place": ""}, "请填写培训地点（最多 200 个字）"),
    ({"place": "", "kind": rules.POINT, "shop_ids": (1,)}, None),  # 点对点: the shop is the place
    ({"ends_at": START}, "结束时间必须晚于开始时间"),
    ({"ends_at": START + timedelta(hours=12, minutes=1)}, "一场培训不能超过 12 小时"),
    ({"starts_at": NOW - timedelta(hours=1, seconds=1), "ends_at": NOW}, "开始时间已过，不能安排"),
    ({"starts_at": NOW - timedelta(minutes=59), "ends_at": NOW + timedelta(hours=1)}, None),  # on the spot
    ({"starts_at": NOW + timedelta(days=367), "ends_at": NOW + timedelta(days=367, hours=1)},
     "开始时间不能晚于一年以后"),
    ({"shop_ids": ()}, "请至少邀请一个渠道"),
    ({"kind": rules.POINT}, "点对点培训只能邀请一个渠道"),
    ({"starts_at": START.replace(tzinfo=None)}, "时间必须带时区"),
])
def test_what_a_schedule_must_say(changes, problem):
    problems = rules.draft_problems(_draft(**changes), NOW)
    assert problems == ([problem] if problem else [])


def test_the_forms_times_are_shanghai_time_stored_as_utc():
    starts, ends = rules.local_times("2026-12-10", "14:00", "16:30", SHANGHAI)
    assert starts == START
    assert ends == START + timedelta(hours=2, minutes=30)
    assert starts.tzinfo == UTC
    assert rules.local_times("2026-12-10", "14:00:00", "16:30:59", SHANGHAI) == (starts, ends)  # seconds dropped


@pytest.mark.parametrize(("day", "starts", "ends"), [
    ("", "14:00", "16:00"), ("2026-13-01", "14:00", "16:00"), ("2026-12-10", "25:00", "16:00"),
    ("2026-12-10", "14:00", None), ("明天", "下午", "晚上"),
])
def test_a_form_without_a_readable_date_or_time_has_no_times(day, starts, ends):
    assert rules.local_times(day, starts, ends, SHANGHAI) is None


def test_reason_and_text_are_trimmed():
    assert rules.clean_reason("  门店  临时停业 ") == "门店 临时停业"
    assert rules.clean_reason(" ") is None
    assert rules.clean_reason("长" * 201) is None


def test_the_token_carries_the_session_and_its_nonce():
    token = rules.make_token(KEYS, 7, "nonce-1")
    assert rules.read_token(KEYS, token) == (7, "nonce-1")
    assert rules.read_token(["another-key"], token) is None
    assert rules.read_token(["another-key", *KEYS], token) == (7, "nonce-1")  # a key rotated into the fallbacks
    assert rules.read_token(KEYS, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None


def test_a_shop_links_token_is_not_a_session_token_nor_the_other_way():
    shop_token = link_rules.make_token(KEYS, 7, "nonce-1")
    assert rules.read_token(KEYS, shop_token) is None
    assert link_rules.read_token(KEYS, rules.make_token(KEYS, 7, "nonce-1")) is None


@pytest.mark.parametrize("token", ["", "zz-missing", "x" * 201, "W10.abc"])
def test_anything_else_is_not_a_token(token):
    assert rules.read_token(KEYS, token) is None


def test_a_logged_line_keeps_no_session_token():
    token = rules.make_token(KEYS, 7, "nonce-1")
    line = f'"GET /t/{token} HTTP/1.1" 200 · next=%2Ft%2F{token}'
    redacted = rules.redact(line)
    assert token not in redacted
    assert "/t/…" in redacted
    assert "%2Ft%2F…" in redacted
