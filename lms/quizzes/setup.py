"""Hooks the quizzes domain into the app: the ``quizzes`` sync source and the manager's home panel."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.attempts.services import standings_for
from lms.core import clock
from lms.core.sync import SyncReport, register_source
from lms.home import panels
from lms.quizzes.loader import QuizzesPlan, plan_quizzes
from lms.quizzes.services import apply_quiz_plan
from lms.reports.queries.open_tests import open_tests


class QuizzesSource:
    name = "quizzes"
    order = 20  # after content/ (lessons), which questions link to

    def plan(self, config: dict[str, Any]) -> QuizzesPlan:
        return plan_quizzes(config)

    def apply(self, plan: QuizzesPlan) -> SyncReport:
        return apply_quiz_plan(plan)


def _home_panel(user: Any) -> dict[str, Any] | None:
    """This month's test and where the manager stands in it; hidden while the test is open (its window or its
    make-up window): the home page's 正在开放的考试 panel (lms.home.setup) shows it then, with the same state and
    what to do, and one test should not be on the page twice."""
    now = clock.utcnow()  # looked up per call: the tests' clock replaces it
    standings = standings_for(user, now=now)
    monthly = [s for s in standings if s.quiz.kind == "monthly"]
    current = next((s for s in monthly if s.window == "open"), None) or (monthly[0] if monthly else None)
    if current is None or any(t.quiz_id == current.quiz.id for t in open_tests(now)):
        return None
    return {"standing": current}


def init_app(app: Flask) -> None:
    register_source("quizzes", QuizzesSource)
    panels.register("manager", "quizzes/_home_panel.html", _home_panel, order=10)
