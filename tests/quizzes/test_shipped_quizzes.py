"""The quizzes shipped in quizzes/: they load, they are consistent with the lessons in content/, and the demo
can use them today."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.attempts import rules
from lms.core.sync import run_sync
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.models import BankQuestion, Quiz

REPO = Path(__file__).resolve().parents[2]
TODAY = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_QUIZZES_DIR": str(REPO / "quizzes")}


@pytest.fixture
def synced(app):
    result = run_sync(dict(app.config))
    assert not result.problems, result.problems
    return result


@pytest.mark.usefixtures("synced")
def test_the_shipped_quizzes_load_with_at_least_60_chinese_questions():
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
    assert {"monthly-2026-09", "monthly-2026-10", "monthly-2026-11", "system-ops-2026-11",
            "practice-policy"} <= set(quizzes)
    inline = [q for quiz in quizzes.values() for s in quiz.current_version.definition["sections"]
              for q in s["questions"]]
    banked = db.session.scalars(select(BankQuestion)).all()
    assert len(inline) + len(banked) >= 60
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q["stem"]) for q in inline)


@pytest.mark.usefixtures("synced")
def test_every_question_names_a_lesson_that_exists():
    lessons = {path.stem for path in (REPO / "content").rglob("*.md")}
    named = [q["lesson"] for quiz in db.session.scalars(select(Quiz))
             for s in quiz.current_version.definition["sections"] for q in s["questions"]]
    named += [row.lesson for row in db.session.scalars(select(BankQuestion))]
    assert named
    assert all(lesson in lessons for lesson in named), sorted(set(named) - lessons)


@pytest.mark.usefixtures("synced")
def test_november_is_closed_today_and_the_practice_is_open():
    november = services.get_quiz("monthly-2026-11").current_version
    assert november.closes_at == datetime(2026, 11, 8, 15, 59, 59, tzinfo=UTC)
    assert november.closes_at < TODAY
    practice = services.get_quiz("practice-policy").current_version
    assert practice.opens_at is None
    assert practice.closes_at is None
    for slug in ("monthly-2026-09", "monthly-2026-10", "monthly-2026-11", "system-ops-2026-11"):
        total = sum(q["points"] for s in services.get_quiz(slug).current_version.definition["sections"]
                    for q in s["questions"])
        assert total > 0


@pytest.mark.usefixtures("synced")
def test_the_practice_draws_eight_questions_by_tag():
    definition = services.version_definition(services.get_quiz("practice-policy").current_version)
    paper = rules.draw_paper(definition, services.bank_questions({"policy-practice"}), seed=3)
    assert len(paper["questions"]) == 8
    assert sum("终端" in q["tags"] for q in paper["questions"]) == 2
