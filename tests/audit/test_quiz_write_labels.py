"""Every key the trainers' question-bank and test-builder writes put in an audit entry's ``changes`` has a label, so
the audit page never shows a stored field name (``stem``, ``question_name``...)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lms.audit import rules
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.quizzes import authoring, bank_services
from lms.quizzes.models import Quiz
from lms.quizzes.specs import QuestionSpec
from tests.support.quiz_files import MONTHLY, sync, write_quiz

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _keys(changes: object) -> set[str]:
    if not isinstance(changes, dict):
        return set()
    keys = set(changes)
    for value in changes.values():
        keys |= _keys(value)
    return keys


def _written_keys() -> set[str]:
    return set().union(*(_keys(entry.changes) for entry in db.session.scalars(select(AuditEntry))))


def test_every_key_the_bank_and_builder_write_has_a_label(app, make_user):
    trainer = make_user("trainer")
    bank = bank_services.create_bank("标签题库", by=trainer, now=NOW)
    question = bank_services.create_question(
        bank, QuestionSpec(key="", type="single", stem="原题干", options=("甲", "乙"), correct=(0,)), by=trainer,
        now=NOW)
    # One edit that changes every field the audit view names.
    bank_services.edit_question(question, QuestionSpec(
        key="", type="multiple", stem="新题干", options=("甲", "乙", "丙"), correct=(0, 2), points=2.0,
        explanation="解析", tags=("终端",), difficulty=4, lesson="some-lesson", extra={"title": "新名称"}),
        by=trainer, now=NOW)
    fill = bank_services.create_question(
        bank, QuestionSpec(key="", type="truefalse", stem="判断", truth=True), by=trainer, now=NOW)
    bank_services.edit_question(fill, QuestionSpec(key="", type="fill", stem="填空", accepted=("答案",)), by=trainer,
                                now=NOW)
    bank_services.retag([question.id], "宽带", add=True, by=trainer, now=NOW)
    bank_services.retag([question.id], "宽带", add=False, by=trainer, now=NOW)
    bank_services.set_retired(question, True, by=trainer, now=NOW)

    write_quiz(app, "monthly-2026-11", MONTHLY)
    sync(app)
    with app.test_request_context():
        file_quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "monthly-2026-11"))
        authoring.take_over(trainer, file_quiz, now=NOW)
        data = {"kind": "monthly", "title": "标签月考", "period": "2026-12", "time_limit_minutes": 30,
                "pass_score": 80, "attempts_allowed": 1, "review": "after_close",
                "sections": [{"title": "一", "picked": [f"{bank.slug}/{fill.key}"],
                              "draw": []}]}
        quiz = authoring.create_quiz(trainer, data, now=NOW)
        authoring.update_quiz(trainer, quiz, {**data, "title": "标签月考（改）"}, now=NOW)
        authoring.publish_quiz(trainer, quiz, now=NOW)

    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {rules.QUESTION_EDITED, rules.QUESTIONS_TAGGED, rules.QUIZ_EDITED, rules.QUIZ_TAKEN_OVER} <= actions
    written = _written_keys()
    assert {"stem", "options", "correct", "truth", "accepted", "points", "explanation", "tags", "difficulty",
            "lesson", "question_name", "type", "added", "removed", "title", "version", "status", "file"} <= written
    assert sorted(written - set(rules.FIELD_LABELS)) == []
