"""门店学习覆盖's pure rules: when a link reached a shop in a month, what a shop's month counts as, the tallies, why a
shop was never opened, the questions shops miss most; and the process indicator's rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.field import indicator_rules
from lms.outreach import coverage_rules as r

START, END = datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)  # December in Shanghai


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 2, tzinfo=UTC)


@pytest.mark.parametrize(("created", "expires", "revoked", "in_force"), [
    (at(12, 3), at(3, 3, 2027), None, True),  # made during the month
    (at(10, 1), at(12, 20), None, True),  # made before, expired during it
    (at(10, 1), at(1, 1, 2027), at(12, 2), True),  # revoked during it: it was in force before
    (at(10, 1), at(11, 20), None, False),  # expired before the month began
    (at(10, 1), at(1, 1, 2027), at(11, 29), False),  # revoked before the month began
    (at(1, 2, 2027), at(4, 1, 2027), None, False),  # made after the month
    (END, at(4, 1, 2027), None, False),  # made at the month's very end (excluded)
])
def test_a_link_reached_the_shop_when_it_was_in_force_at_some_moment_of_the_month(created, expires, revoked,
                                                                                   in_force):
    assert r.in_force_during(created, expires, revoked, START, END) is in_force


def month(shop_id=1, *, kind="terminal", star=3, grid=10, manager=100, linked=False, opened=False, read=False,
          passed=False):
    return r.shop_month(shop_id, kind=kind, star=star, grid_id=grid, manager_id=manager, linked=linked,
                        opened=opened, read=read, passed=passed)


def test_opening_reading_or_passing_counts_as_reached_and_opened():
    assert month(linked=True).reached
    assert not month(linked=True).opened
    opened_by_an_old_link = month(opened=True)
    assert (opened_by_an_old_link.reached, opened_by_an_old_link.opened) == (True, True)
    confirmed = month(read=True)
    assert (confirmed.reached, confirmed.opened, confirmed.read, confirmed.passed) == (True, True, True, False)
    assert not month().reached


def test_tallies_count_and_divide_by_the_shops_counted():
    shops = [month(1, linked=True, opened=True, read=True, passed=True), month(2, linked=True, opened=True),
             month(3), month(4, kind="village", star=1, grid=11, read=True)]
    total = r.tally(shops)
    assert (total.total, total.reached, total.opened, total.read, total.passed) == (4, 3, 3, 2, 1)
    assert (total.reached_rate, total.opened_rate, total.read_rate, total.passed_rate) == (0.75, 0.75, 0.5, 0.25)
    assert total.not_reached == 1
    assert r.tally([]).read_rate is None
    by_grid = r.tally_by(shops, lambda s: s.grid_id)
    assert list(by_grid) == [10, 11]
    assert by_grid[10] == r.Tally(3, 2, 2, 1, 1)
    assert r.tally_by(shops, lambda s: s.kind)["village"] == r.Tally(1, 1, 1, 1, 0)


@pytest.mark.parametrize(("ever_linked", "ever_opened", "reason"), [
    (False, False, r.NO_LINK),
    (True, False, r.NOT_OPENED),
    (True, True, None),
    (False, True, None),  # opened once by a link since deleted: reached
])
def test_a_shop_never_reached_had_no_link_or_never_opened_one(ever_linked, ever_opened, reason):
    assert r.never_reached_reason(ever_linked, ever_opened) == reason
    assert reason is None or r.NEVER_REACHED_LABELS[reason]


def test_the_questions_missed_most_come_first_with_their_rate():
    results = [{"1:a": True, "1:b": False, "1:c": False},
               {"1:a": False, "1:b": False},
               {"1:a": True, "1:b": True, "1:c": False},
               None,  # a shop that opened but never answered
               {"1:d": True}]
    found = r.question_misses(results)
    # c and b were both missed by two shops: c, missed by every shop asked, comes first
    assert [(q.key, q.asked, q.missed) for q in found] == [("1:c", 2, 2), ("1:b", 3, 2), ("1:a", 3, 1),
                                                           ("1:d", 1, 0)]
    assert found[0].rate == 1.0
    assert found[1].rate == pytest.approx(2 / 3)
    assert r.question_misses([]) == []
    assert r.question_misses([{"1:a": "yes"}])[0].missed == 1  # anything but True is not right


@given(st.lists(st.dictionaries(st.sampled_from(["1:a", "1:b", "2:x"]), st.booleans()), max_size=30))
def test_misses_never_exceed_the_times_asked(results):
    for row in r.question_misses(results):
        assert 0 <= row.missed <= row.asked
        assert 0.0 <= row.rate <= 1.0


# --- the process indicator --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("confirmed", "due", "expected"), [
    ({1, 2}, {1, 2, 3, 4}, 0.5),
    ({1, 2, 9}, {1, 2}, 1.0),  # a shop not due (another manager's, closed, added later) does not count
    (set(), {1, 2}, 0.0),
    (set(), set(), 1.0),  # nothing due: complete, as share() counts it
])
def test_shop_coverage_is_the_due_shops_that_confirmed_over_those_due(confirmed, due, expected):
    assert indicator_rules.shop_coverage(confirmed, due) == expected


def test_shop_coverage_is_a_process_indicator_worth_5_points_by_default():
    assert indicator_rules.INDICATOR_LABELS[indicator_rules.SHOP_COVERAGE] == "门店学习覆盖率"
    assert indicator_rules.DEFAULT_POINTS[indicator_rules.SHOP_COVERAGE] == 5.0
    assert indicator_rules.row_name(indicator_rules.SHOP_COVERAGE) == "过程·门店学习覆盖率"
    assert indicator_rules.check_weights({indicator_rules.SHOP_COVERAGE: 8}) == []
