"""The home page's own panel, for every role: the tests open now (monthly, system-ops, make-up windows).

A manager sees each with where they stand and what to do; staff see how their people stand and who has not sat it
yet, scoped to their unit. Other panels are the domains' (lms.home.panels).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.attempts.services import standings_for
from lms.core import clock
from lms.home import panels
from lms.reports.queries import open_tests

ROLES = ("manager", "trainer", "supervisor", "admin")
NAMES_ON_HOME = 10  # people listed per test on the home page; the full list is one link away


def open_tests_panel(user: Any) -> dict[str, Any] | None:
    now = clock.utcnow()  # read per call: tests set the server's clock
    tests = open_tests.open_tests(now)
    if not tests:
        return None
    if user.role == "manager":
        standings = {s.quiz.id: s for s in standings_for(user, now=now)}
        mine = [(test, standings[test.quiz_id]) for test in tests if test.quiz_id in standings]
        return {"now": now, "mine": mine} if mine else None
    return {"now": now, "progress": open_tests.open_tests_progress(user, tests, now=now, limit=NAMES_ON_HOME)}


def init_app(app: Flask) -> None:
    for role in ROLES:
        panels.register(role, "home/_open_tests.html", open_tests_panel, order=8)
