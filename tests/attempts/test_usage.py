"""Bank question usage (lms/attempts/usage.py) as the player writes it: drawing a paper records its bank questions,
grading records the shares, a regrade updates them, a preview records nothing; and migration 0020 fills the table
from the papers that existed before it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, text

from lms.attempts import regrade
from lms.attempts import services as attempts
from lms.attempts.key_corrections import KeyCorrection
from lms.attempts.models import Attempt, BankQuestionUse
from lms.extensions import db
from lms.quizzes import queries
from lms.quizzes.models import Quiz
from tests.quizzes.test_makeup import BANK, sit
from tests.support.clock import server_clock
from tests.support.quiz_files import sync, write_quiz

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
PRACTICE = ("title: 终端练习\nkind: practice\nsections:\n  - title: 终端\n    draw:\n"
            "      - {bank: demo, count: 6, tags: [终端]}\n")


def uses(attempt_id: int) -> dict[str, float | None]:
    return dict(db.session.execute(select(BankQuestionUse.key, BankQuestionUse.share)
                                   .where(BankQuestionUse.attempt_id == attempt_id)).all())


def test_drawing_grading_and_regrading_keep_the_bank_pages_counts(app, client, auth, make_user, monkeypatch):
    write_quiz(app, "demo", BANK)
    write_quiz(app, "practice-t", PRACTICE)
    sync(app)
    server_clock(monkeypatch, NOW)
    trainer, manager = make_user("trainer"), make_user("manager")
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "practice-t"))
    preview = attempts.start_preview(trainer, quiz, now=NOW)
    assert uses(preview.id) == {}  # a trainer's trial never counts

    auth.login(manager)
    status, _body = sit(client, "practice-t", right=False)
    assert status == 201
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == manager.id)).one()
    assert uses(attempt.id) == {f"t{n}": 0.0 for n in range(1, 7)}  # all six drawn, all wrong

    regrade.apply_regrade(quiz, KeyCorrection("demo.t1", correct=(1,)), actor=trainer, now=NOW)
    assert uses(attempt.id)["t1"] == 1.0  # "false" was right after all
    counted = queries.bank_usage({"demo"})
    assert (counted[("demo", "t1")].papers, counted[("demo", "t1")].answers, counted[("demo", "t1")].facility) == \
        (1, 1, 1.0)
    assert counted[("demo", "t2")].facility == 0.0
    assert ("demo", "b1") not in counted


def test_the_migration_fills_the_table_from_existing_papers(app, runner, make_user, monthly_quiz):
    quiz = monthly_quiz("2026-11")
    person = make_user("manager")
    paper = {"questions": [{"id": "demo.t1", "bank": "demo", "key": "t1"}, {"id": "own1"},
                           {"id": "demo.t2", "bank": "demo", "key": "t2"}]}
    results = {"demo.t1": {"points": 2, "earned": 1}, "demo.t2": {"points": 0, "earned": 0}, "own1": {"points": 1}}
    assert runner.invoke(args=["db", "downgrade", "0019"]).exit_code == 0
    for n, (status, preview) in enumerate((("submitted", False), ("in_progress", False), ("submitted", True))):
        db.session.execute(text(
            "INSERT INTO attempts (user_id, quiz_id, quiz_version_id, number, official, makeup, status, started_at,"
            " deadline_at, max_score, paper, results, is_preview) VALUES (:u, :q, :v, :n, :yes, :no, :s,"
            " '2026-11-02 00:00:00', '2026-11-02 01:00:00', 100, :p, :r, :preview)"),
            {"u": person.id, "q": quiz.id, "v": quiz.current_version_id, "n": n + 1, "s": status,
             "p": json.dumps(paper), "r": json.dumps(results), "preview": preview, "yes": True, "no": False})
    db.session.commit()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(select(Attempt.number, BankQuestionUse.key, BankQuestionUse.share).join(
        Attempt, Attempt.id == BankQuestionUse.attempt_id).order_by(Attempt.number, BankQuestionUse.key)).all()
    # the graded attempt: shares; the running one: drawn, not graded; the preview: nothing; own questions: nothing
    assert [tuple(r) for r in rows] == [(1, "t1", 0.5), (1, "t2", 0.0), (2, "t1", None), (2, "t2", None)]
