"""Report pages in a real Chromium at phone width: what a trainer and a supervisor read."""

from __future__ import annotations

import re

from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def test_trainer_analytics_names_quiz_kinds_in_the_readers_language(page, make_user):
    for slug, kind, period in (("m", "monthly", "2026-11"), ("p", "practice", None), ("s", "system-ops", None)):
        db.session.add(Quiz(slug=f"kind-{slug}", kind=kind, title=f"考试{slug}", period=period))
    db.session.commit()
    sign_in(page, make_user("trainer"))

    page.goto("/reports/trainer")
    kinds = sorted(page.locator("tbody .tag").all_inner_texts())
    assert kinds == sorted(["月度考试", "练习", "系统操作考试"])
    assert re.search(r"\b(monthly|practice|system-ops)\b", page.locator("main").inner_text()) is None

    page.goto("/lang/en?next=/reports/trainer")
    assert sorted(page.locator("tbody .tag").all_inner_texts()) == sorted(
        ["Monthly test", "Practice", "System operation test"])
