"""The field day's pure rules: how often a shop must be visited (the stricter of the plan's two rules), distances."""

from __future__ import annotations

import pytest

from lms.field.rules import BUSINESS, MONTH, TERMINAL, VILLAGE, WEEK, distance_m, required_visits, valid_position


@pytest.mark.parametrize(("kind", "star", "count", "period"), [
    (TERMINAL, 1, 3, WEEK),  # the kind's 3 a week is stricter than the star's once a month
    (TERMINAL, 5, 3, WEEK),
    (BUSINESS, 4, 2, WEEK),
    (BUSINESS, 2, 2, WEEK),
    (VILLAGE, 4, 2, WEEK),  # a 4-star village shop: the star's 2 a week beats the kind's 1
    (VILLAGE, 3, 1, WEEK),
])
def test_the_stricter_rule_decides(kind: str, star: int, count: int, period: str) -> None:
    rule = required_visits(kind, star)
    assert rule is not None
    assert (rule.count, rule.period) == (count, period)


def test_a_star_rule_alone_applies_to_a_kind_without_its_own() -> None:
    from lms.field.rules import VisitRule

    rules = (VisitRule(1, MONTH, stars=(1, 2, 3)), VisitRule(2, WEEK, stars=(4, 5)))
    assert required_visits(TERMINAL, 2, rules) == VisitRule(1, MONTH, stars=(1, 2, 3))
    assert required_visits(TERMINAL, 9, rules) is None


def test_distances_on_the_ground() -> None:
    # Two points 0.001° of latitude apart are about 111 m apart anywhere.
    assert distance_m(30.0, 120.0, 30.001, 120.0) == pytest.approx(111.2, abs=0.5)
    assert distance_m(30.0, 120.0, 30.0, 120.0) == 0
    assert valid_position(30.2, 120.1)
    assert not valid_position(None, 120.1)
    assert not valid_position(0, 0)  # what a phone sends when it has no fix
    assert not valid_position(91, 0)
