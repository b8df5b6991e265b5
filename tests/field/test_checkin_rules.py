"""Check-in rules, pure: slot windows, lateness and early leaving, distance to the place, the phone's time for a
queued check-in, missing check-ins and the month's compliance rate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lms.core.clock import SHANGHAI
from lms.field.checkin_rules import (
    ACTIVITY,
    EVENING,
    MORNING,
    OUTSIDE_WINDOW,
    TOO_OLD,
    CheckinSettings,
    Position,
    assess,
    judge_timing,
    missing_slots,
    month_compliance,
    valid_period,
    working_days,
)

HALL = (30.6598, 104.0633)
SETTINGS = CheckinSettings(radius_m=300, grace_minutes=10)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)  # 2 Dec 2026 is a Wednesday


@pytest.mark.parametrize(("slot", "taken", "late", "early"), [
    (MORNING, at(7, 55), False, False),
    (MORNING, at(8, 10), False, False),  # within the 10 grace minutes
    (MORNING, at(8, 11), True, False),
    (ACTIVITY, at(8, 40), False, False),
    (ACTIVITY, at(8, 41), True, False),
    (EVENING, at(16, 59), False, True),  # leaving before 17:00 is early
    (EVENING, at(17, 0), False, False),
    (EVENING, at(20, 0), False, False),
])
def test_lateness_and_early_leaving(slot: str, taken: datetime, late: bool, early: bool) -> None:
    judged = assess(slot, taken, Position(*HALL), HALL, SETTINGS)
    assert (judged.late, judged.early) == (late, early)


def test_a_check_in_beyond_the_radius_is_far_and_the_distance_is_kept() -> None:
    near = assess(MORNING, at(8), Position(30.6610, 104.0633, 12), HALL, SETTINGS)  # about 130 m north
    far = assess(MORNING, at(8), Position(30.6650, 104.0633, 12), HALL, SETTINGS)  # about 580 m north
    assert not near.far
    assert 120 < (near.distance_m or 0) < 140
    assert far.far
    assert 570 < (far.distance_m or 0) < 590
    assert near.compliant
    assert not far.compliant


def test_no_location_is_flagged_and_never_far() -> None:
    judged = assess(MORNING, at(8), None, HALL, SETTINGS)
    assert judged.no_location
    assert not judged.far
    assert judged.distance_m is None
    assert not judged.compliant


def test_without_an_expected_place_the_distance_is_unknown_not_far() -> None:
    judged = assess(MORNING, at(8), Position(*HALL), None, SETTINGS)
    assert not judged.far
    assert not judged.no_location
    assert judged.distance_m is None
    assert judged.compliant


def test_a_live_check_in_is_judged_by_the_server_time() -> None:
    timing = judge_timing(MORNING, at(8, 5), at(7, 0), queued=False)  # a phone clock an hour slow
    assert timing.late_received  # the gap says it did not come at once
    timing = judge_timing(MORNING, at(8, 5), at(8, 4), queued=False)
    assert not timing.late_received
    assert timing.taken_at == at(8, 5)


def test_a_queued_check_in_counts_at_the_phone_time_and_is_late_received() -> None:
    timing = judge_timing(MORNING, at(10, 30), at(7, 58), queued=True)
    assert timing.late_received
    assert timing.taken_at == at(7, 58)
    assert timing.refusal is None
    assert not assess(MORNING, timing.taken_at, Position(*HALL), HALL, SETTINGS).late


def test_a_phone_time_in_the_future_is_not_believed() -> None:
    timing = judge_timing(MORNING, at(8, 30), at(9, 30), queued=True)
    assert timing.taken_at == at(8, 30)


def test_a_check_in_queued_too_long_or_outside_its_window_is_refused() -> None:
    assert judge_timing(MORNING, at(8, day=5), at(8, day=2), queued=True).refusal == TOO_OLD
    assert judge_timing(MORNING, at(13), None, queued=False).refusal == OUTSIDE_WINDOW
    assert judge_timing(EVENING, at(9), None, queued=False).refusal == OUTSIDE_WINDOW
    assert judge_timing(ACTIVITY, at(15), None, queued=False).refusal is None


def test_working_days_are_monday_to_friday() -> None:
    days = working_days("2026-12")
    assert len(days) == 23
    assert all(d.weekday() < 5 for d in days)
    assert working_days("2026-12", until=date(2026, 12, 6)) == [date(2026, 12, d) for d in (1, 2, 3, 4)]


def test_missing_check_ins_of_a_day() -> None:
    day = date(2026, 12, 2)
    assert missing_slots(day, set(), at(8, 5), 10) == ()  # still within grace
    assert missing_slots(day, set(), at(8, 11), 10) == (MORNING,)
    assert missing_slots(day, {MORNING}, at(18), 10) == ()  # the evening can still be done
    assert missing_slots(day, {MORNING}, at(9, day=3), 10) == (EVENING,)
    assert missing_slots(date(2026, 12, 5), set(), at(23, day=5), 10) == ()  # a Saturday


def test_the_month_rate_counts_compliant_required_check_ins_of_working_days_so_far() -> None:
    today = date(2026, 12, 4)  # Tue 1 .. Fri 4: 4 working days, 8 required check-ins
    records = [(date(2026, 12, 1), MORNING, True), (date(2026, 12, 1), EVENING, True),
               (date(2026, 12, 2), MORNING, False),  # late
               (date(2026, 12, 2), ACTIVITY, True),  # extra: never counts
               (date(2026, 12, 5), MORNING, True),  # a Saturday
               (date(2026, 12, 8), MORNING, True)]  # after today
    result = month_compliance("2026-12", records, today)
    assert (result.required, result.done, result.compliant, result.missing) == (8, 3, 2, 5)
    assert result.rate == 0.25


def test_nothing_is_due_before_the_person_joined() -> None:
    records = [(date(2026, 12, 3), MORNING, True), (date(2026, 12, 3), EVENING, True)]
    result = month_compliance("2026-12", records, date(2026, 12, 4), joined=date(2026, 12, 3))  # Thu and Fri due
    assert (result.required, result.compliant, result.rate) == (4, 2, 0.5)


def test_no_working_day_yet_gives_no_rate() -> None:
    assert month_compliance("2026-12", [], date(2026, 11, 30)).rate is None


@pytest.mark.parametrize(("text", "ok"), [("2026-12", True), ("2026-13", False), ("2026-1", False), ("x", False)])
def test_periods(text: str, ok: bool) -> None:
    assert valid_period(text) is ok


def test_the_grace_is_a_setting() -> None:
    strict = CheckinSettings(grace_minutes=0)
    assert assess(MORNING, at(8, 0) + timedelta(minutes=1), None, None, strict).late
