"""The process indicators' pure rules: shares, working days, points under a county's weights."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.core.clock import SHANGHAI
from lms.field import indicator_rules as r


def test_december_2026_has_23_working_days_and_joining_mid_month_shortens_them() -> None:
    assert len(r.working_days("2026-12")) == 23
    assert r.working_days("2026-12")[0] == date(2026, 12, 1)  # a Tuesday
    assert date(2026, 12, 5) not in r.working_days("2026-12")  # Saturday
    assert len(r.working_days("2026-12", joined=date(2026, 12, 28))) == 4
    assert len(r.working_days("2026-12", until=date(2026, 12, 4))) == 4


def test_a_day_counts_for_the_report_rate_only_when_it_was_due() -> None:
    due = r.working_days("2026-12", until=date(2026, 12, 4))  # Tue..Fri: 4 days
    filed = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 5)]  # Saturday's report does not count
    assert r.daily_report_rate(filed, due) == 0.5


@pytest.mark.parametrize(("done", "due", "expected"), [
    (0, 0, 1.0),  # nothing due, nothing missed
    (3, 4, 0.75),
    (5, 4, 1.0),  # more than due is still complete
    (-1, 4, 0.0),
])
def test_share_is_done_over_due_within_zero_and_one(done: int, due: int, expected: float) -> None:
    assert r.share(done, due) == expected


def test_visit_compliance_is_the_mean_over_the_shops_each_capped_at_one() -> None:
    required = {1: 12.0, 2: 1.0, 3: 4.0}
    assert r.visit_compliance({1: 6, 2: 3}, required) == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert r.visit_compliance({}, {}) == 1.0


def test_tickets_and_checkins() -> None:
    assert r.tickets_in_time(3, 4) == 0.75
    assert r.tickets_in_time(0, 0) == 1.0
    assert r.checkin_rate([date(2026, 12, 1)], [date(2026, 12, 1), date(2026, 12, 2)]) == 0.5


def test_points_are_share_times_the_weight_and_a_missing_weight_is_the_default() -> None:
    points = r.weighted_points({r.DAILY_REPORT_RATE: 0.5, r.CHECKIN_RATE: 1.0}, {r.DAILY_REPORT_RATE: 10})
    assert points == {r.DAILY_REPORT_RATE: 5.0, r.CHECKIN_RATE: 5.0}


def test_rows_are_named_with_the_process_prefix() -> None:
    assert r.row_name(r.DAILY_REPORT_RATE) == "过程·日报提交率"
    assert {r.row_name(k) for k in r.INDICATOR_KEYS} == {"过程·签到率", "过程·拜访达标率", "过程·日报提交率",
                                                          "过程·工单及时办结率", "过程·门店学习覆盖率"}


def test_progress_at_17_00_or_later_is_late() -> None:
    due = r.parse_due("17:00")
    assert due == time(17, 0)
    assert not r.is_progress_late(datetime(2026, 12, 1, 16, 59, tzinfo=SHANGHAI), due)
    assert r.is_progress_late(datetime(2026, 12, 1, 17, 0, tzinfo=SHANGHAI), due)
    with pytest.raises(ValueError, match="HH:MM"):
        r.parse_due("five")


def test_weights_out_of_range_or_unknown_are_named() -> None:
    assert r.check_weights({r.CHECKIN_RATE: 10}) == []
    assert r.check_weights({r.CHECKIN_RATE: -1, "smiles": 3}) == [
        "未知的过程指标“smiles”", "签到率的分值须在 0 到 100 之间"]


@given(done=st.integers(-5, 50), due=st.integers(0, 50), weight=st.floats(0, 100))
def test_points_never_exceed_the_weight(done: int, due: int, weight: float) -> None:
    points = r.weighted_points({r.CHECKIN_RATE: r.share(done, due)}, {r.CHECKIN_RATE: weight})[r.CHECKIN_RATE]
    assert 0 <= points <= round(weight, 2) + 0.005


def test_the_audit_log_names_each_indicator_as_the_rules_do() -> None:
    from lms.audit.rules import FIELD_LABELS

    assert {key: FIELD_LABELS[key] for key in r.INDICATOR_KEYS} == r.INDICATOR_LABELS
