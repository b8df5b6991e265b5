from datetime import UTC, date, datetime, timedelta

import pytest

from lms.field import visit_rules as r

ITEMS = [dict(item) for item in r.DEFAULT_CHECKLIST]
GOOD = {"signboard": "yes", "realname_poster": "yes", "realname_card": "yes", "expired_posters": "no"}
TODAY = date(2026, 12, 5)


def check(answers=GOOD, fix_by=None, problems=None, note=""):
    return r.check_form(ITEMS, answers, fix_by or {}, problems or {}, note, today=TODAY)


def test_a_shop_up_to_standard_with_no_problems_passes_with_no_tickets():
    form, errors = check(problems={"remuneration": "无", "system_ops": "", "after_sales": " 无 "})
    assert errors == []
    assert form.problems == ()
    assert form.answers["expired_posters"] == {"answer": "no", "fix_by": None}


def test_expired_posters_present_is_the_bad_answer_and_needs_a_fix_date():
    _, errors = check({**GOOD, "expired_posters": "yes"})
    assert errors == ["“过期海报”未达标，请填写整改日期"]
    form, errors = check({**GOOD, "expired_posters": "yes"}, {"expired_posters": "2026-12-10"})
    assert errors == []
    assert form.answers["expired_posters"]["fix_by"] == "2026-12-10"


@pytest.mark.parametrize(("fix_by", "error"), [
    ("2026-12-04", "“门头是否达标”的整改日期不能早于拜访当天"),
    ("明天", "“门头是否达标”未达标，请填写整改日期"),
])
def test_a_fix_date_must_be_a_date_from_the_visit_day_on(fix_by, error):
    _, errors = check({**GOOD, "signboard": "no"}, {"signboard": fix_by})
    assert errors == [error]


def test_every_item_is_answered_and_unknown_items_are_refused():
    _, errors = check({"signboard": "yes", "ghost": "yes"})
    assert "检查项“ghost”不在当前检查表中，请刷新页面后重填" in errors
    assert "请回答“实名制海报”（是/否）" in errors


def test_problems_become_reports_by_category():
    form, _ = check(problems={"system_ops": "不会在B2B订货", "remuneration": "无"})
    assert form.problems == (r.ProblemReport("system_ops", "不会在B2B订货"),)


def test_due_dates_follow_the_settings_per_category():
    raised = datetime(2026, 12, 1, tzinfo=UTC)
    settings = r.TicketSettings(after_sales_days=7, system_ops_days=2)
    assert r.due_at("after_sales", raised, settings) == raised + timedelta(days=7)
    assert r.due_at("system_ops", raised, settings) == raised + timedelta(days=2)
    assert r.is_overdue("open", raised, raised + timedelta(seconds=1))
    assert not r.is_overdue("closed", raised, raised + timedelta(days=9))


@pytest.mark.parametrize(("device_offset", "counted_offset"), [
    (timedelta(hours=-5), timedelta(hours=-5)),  # queued in the village this morning: counted then
    (timedelta(hours=2), timedelta(0)),  # a phone clock ahead of the server: the server's time
    (timedelta(days=-30), timedelta(0)),  # a phone clock a month behind: the server's time
])
def test_a_queued_visit_counts_on_the_phone_s_time_only_when_plausible(device_offset, counted_offset):
    received = datetime(2026, 12, 5, 9, tzinfo=UTC)
    assert r.counted_at(received, received + device_offset) == received + counted_offset


def test_weekly_rules_ask_four_weeks_of_a_month_and_extra_visits_do_not_make_up_for_missing_ones():
    assert r.required_in_month(3, "week", "2026-02") == 12
    assert r.required_in_month(1, "month", "2026-12") == 1
    assert r.compliance_share([(12, 20), (1, 0)]) == pytest.approx(12 / 13)
    assert r.compliance_share([]) is None


def test_a_checklist_needs_unique_plain_keys_labels_and_the_bad_answer():
    assert r.check_checklist(ITEMS) == []
    errors = r.check_checklist([{"key": "a", "label": "x", "bad": "no"}, {"key": "a", "label": "", "bad": "maybe"}])
    assert errors == ["第2项：代码“a”重复", "第2项：请填写检查内容（不超过100个字符）",
                      "第2项：请选择哪个回答表示未达标"]


@pytest.mark.parametrize(("text", "system"), [("不会在B2B订货", "b2b"), ("社会渠道工号被锁", "channel"),
                                              ("查询积分", "daily")])
def test_the_system_a_problem_names(text, system):
    assert r.guess_system(text) == system
