"""Tests open now (monthly, system-ops, make-up windows) and who has not sat them, on 3 December with no December
monthly test; the period the board opens on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.attempts.models import Accommodation
from lms.extensions import db
from lms.reports import rules
from lms.reports.queries import common, open_tests
from tests.reports.conftest import DECEMBER_3, local

T = datetime(2026, 12, 3, tzinfo=UTC)


@pytest.mark.parametrize(("now", "expected"), [
    (T - timedelta(days=2), None),  # before it opens
    (T, rules.OpenWindow(T + timedelta(days=1), makeup=False)),
    (T + timedelta(days=1), rules.OpenWindow(T + timedelta(days=1), makeup=False)),  # the closing second is in
    (T + timedelta(days=1, seconds=1), None),  # between the window and the make-up
    (T + timedelta(days=2), rules.OpenWindow(T + timedelta(days=3), makeup=True)),
    (T + timedelta(days=3), rules.OpenWindow(T + timedelta(days=3), makeup=True)),
    (T + timedelta(days=3, seconds=1), None),
])
def test_a_window_is_open_from_its_opening_to_its_close_then_in_its_make_up(now, expected):
    assert rules.open_window(now, opens_at=T - timedelta(days=1), closes_at=T + timedelta(days=1),
                             makeup_opens_at=T + timedelta(days=2), makeup_closes_at=T + timedelta(days=3)) == expected


def test_a_window_without_a_close_stays_open():
    assert rules.open_window(T, opens_at=None, closes_at=None, makeup_opens_at=None, makeup_closes_at=None) == \
        rules.OpenWindow(None, makeup=False)


@pytest.mark.parametrize(("current", "with_tests", "expected"), [
    ("2026-12", ["2026-09", "2026-10", "2026-11"], "2026-11"),  # 3 December: no December test yet
    ("2026-12", ["2026-11", "2026-12"], "2026-12"),
    ("2026-12", ["2026-10", "2027-01"], "2026-10"),  # a test published ahead is not "the latest with one"
    ("2026-12", [], "2026-12"),
    ("2026-12", ["2027-01"], "2026-12"),
])
def test_the_board_opens_on_this_month_or_the_latest_month_with_a_test(current, with_tests, expected):
    assert rules.default_board_period(current, with_tests) == expected


def test_on_3_december_the_make_up_and_the_system_ops_test_are_open_soonest_close_first(december_world):
    tests = open_tests.open_tests(DECEMBER_3)
    assert [(t.slug, t.kind, t.makeup) for t in tests] == [
        (december_world["november"].slug, "monthly", True), ("system-ops-2026-11", "system-ops", False)]
    assert tests[0].closes_at == local("2026-12-05T23:59:59")
    assert tests[0].days_left(DECEMBER_3) == 3
    assert tests[1].days_left(DECEMBER_3) == 8


def test_after_every_window_nothing_is_open(december_world):
    assert open_tests.open_tests(local("2026-12-11T00:00:00")) == []
    during_november = open_tests.open_tests(local("2026-11-12T09:00:00"))
    assert [(t.kind, t.makeup) for t in during_november] == [("system-ops", False)]


def _names(progress):
    return [row.person.name for row in progress.not_sat]


def test_not_yet_sat_lists_are_scoped_to_the_viewers_unit(december_world):
    w = december_world
    east, west = w["east"], w["west"]
    tests = open_tests.open_tests(DECEMBER_3)

    county = open_tests.open_tests_progress(w["county_sup"], tests, now=DECEMBER_3)
    makeup, ops = county
    assert makeup.counts == {"passed": 2, "not_started": 3}
    assert _names(makeup) == [east[2].name, west[0].name, west[1].name]
    assert ops.counts == {"passed": 1, "failed": 1, "not_started": 3}
    assert _names(ops) == [east[1].name, east[2].name, west[1].name]
    assert {row.days_left for row in ops.not_sat} == {8}

    grid = open_tests.open_tests_progress(w["grid_sup"], tests, now=DECEMBER_3)
    assert [_names(p) for p in grid] == [[east[2].name], [east[1].name, east[2].name]]
    assert grid[1].total == 3

    city = open_tests.open_tests_progress(w["trainer"], tests, now=DECEMBER_3, limit=2)
    assert city[1].not_sat_total == 4  # far[0] in the other county too
    assert len(city[1].not_sat) == 2


def test_an_exempt_manager_is_counted_as_exempt_and_not_listed(december_world):
    w = december_world
    db.session.add(Accommodation(user_id=w["west"][1].id, quiz_id=w["system_ops"].id, kind="exempt", reason="病假",
                                 created_by_id=w["trainer"].id))
    db.session.commit()
    _makeup, ops = open_tests.open_tests_progress(w["county_sup"], open_tests.open_tests(DECEMBER_3), now=DECEMBER_3)
    assert ops.counts == {"passed": 1, "failed": 1, "not_started": 2, "exempt": 1}
    assert w["west"][1].name not in _names(ops)


def test_the_board_and_its_picker_on_3_december(december_world):
    assert common.default_period(DECEMBER_3) == "2026-11"
    assert common.board_periods(DECEMBER_3, "2026-11") == ["2026-12", "2026-11", "2026-10", "2026-09"]
