"""People factories shared by several domains' tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from lms.extensions import db

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def long_serving_managers(make_user: Callable[..., Any], count: int, *, county: str = "城区",
                          grid: str = "东城网格") -> list[Any]:
    """Channel managers who joined long before any test window, so every monthly test is assigned to them."""
    people = [make_user("manager", county=county, grid=grid) for _ in range(count)]
    for person in people:
        person.joined_at = LONG_AGO
    db.session.commit()
    return people


@pytest.fixture
def managers(make_user: Callable[..., Any]) -> Callable[..., list[Any]]:
    """``managers(4, county="城区")`` → people who joined long before any test window."""

    def make(count: int, *, county: str = "城区", grid: str = "东城网格") -> list[Any]:
        return long_serving_managers(make_user, count, county=county, grid=grid)

    return make
