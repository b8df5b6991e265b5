"""The clock's conversions between UTC instants and Shanghai's local days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lms.core.clock import local_date, local_midnight


def test_a_local_day_starts_at_four_pm_utc_the_day_before() -> None:
    assert local_midnight(date(2026, 3, 1)) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_a_local_midnight_is_an_aware_utc_instant() -> None:
    assert local_midnight(date(2026, 1, 1)).tzinfo is UTC


def test_an_evening_in_utc_is_the_next_local_day() -> None:
    assert local_date(datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == date(2026, 3, 1)
    assert local_date(datetime(2026, 2, 28, 15, 59, tzinfo=UTC)) == date(2026, 2, 28)


def test_a_naive_moment_is_taken_as_utc() -> None:
    assert local_date(datetime(2026, 2, 28, 16, 0)) == date(2026, 3, 1)  # noqa: DTZ001 - how the database stores it


def test_no_moment_has_no_day() -> None:
    assert local_date(None) is None
