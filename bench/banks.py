"""How fast the question bank pages are when many papers have drawn from the banks.

A bank of 300 questions; a monthly test drawing 30 of them per paper (``lms.attempts.rules.draw_paper``, the
product's own draw, so each paper is the size a real one is); then 10,000 finished, graded attempts. Measured as the
median of several warm runs, as the trainer, whole requests:
- ``bank_list_ms``: GET /questions (every bank's questions, one page, each with its usage and facility);
- ``bank_weak_ms``: GET /questions?usage=weak (the filter needs every question's facility);
- ``bank_question_ms``: GET /questions/<id> (one question with its usage).
The baseline, measured in the same run on the same database just before the attempts are loaded, is the same pages
with no paper drawn yet (``*_empty_ms``); ``ratio_bank_list_vs_empty`` is the list's cost with 10,000 papers over
its cost with none (1.0 = the papers cost nothing).

Prints the figures and writes bench/results/banks.json.

    python -m bench.banks                      # a new SQLite file in a temporary folder; DATABASE_URL=postgresql://…
    python -m bench.banks --attempts 2000 --runs 5
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench import common, scale

RESULTS = Path(__file__).resolve().parent / "results" / "banks.json"
BANK = "bench-bank"
QUESTIONS = 300
PER_PAPER = 30
TARGETS_MS = {"bank_list_ms": 200, "bank_weak_ms": 200, "bank_question_ms": 200}


def _specs(rng: random.Random) -> list[Any]:
    from lms.quizzes.specs import QuestionSpec

    return [QuestionSpec(key=f"q{i + 1}", type="single",
                         stem=f"第{i + 1}题：11月199元档合约机直降补贴是多少？请结合本月渠道政策通知作答。",
                         options=("500元", "700元", "800元", "1000元"), correct=(rng.randrange(4),), points=1.0,
                         explanation="见11月渠道政策通知第三条：199元档合约机直降800元，仅限新入网用户。",
                         tags=("category:终端", "合约机"), difficulty=rng.randint(1, 5))
            for i in range(QUESTIONS)]


def build(uri: str) -> dict[str, Any]:
    """Schema, a trainer, the bank and the test; no attempt yet. Returns what ``add_attempts`` needs."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.extensions import db
    from lms.quizzes.definitions import spec_checksum, spec_to_json
    from lms.quizzes.models import BankQuestion, QuestionBank, Quiz, QuizVersion

    rng = random.Random(7)
    specs = _specs(rng)
    now = datetime.now(UTC)
    app = scale._app(uri)
    with app.app_context():
        upgrade()
        db.session.execute(insert(User), [{
            "employee_no": "TRAINER", "name": "培训师", "role": "trainer", "active": True, "joined_at": now,
            "created_at": now, "session_token": "bench-trainer",
            "password_hash": generate_password_hash(scale.STAFF_PASSWORD, method="scrypt")}])
        bank_id = db.session.execute(insert(QuestionBank).returning(QuestionBank.id), [{
            "slug": BANK, "title": "压测题库", "description": "", "created_at": now, "updated_at": now}]).scalar_one()
        db.session.execute(insert(BankQuestion), [{
            "bank_id": bank_id, "key": s.key, "name": "", "type": s.type, "category": "终端", "lesson": None,
            "tags": list(s.tags), "difficulty": s.difficulty, "spec": spec_to_json(s), "checksum": spec_checksum(s),
            "created_at": now, "updated_at": now} for s in specs])
        quiz_id = db.session.execute(insert(Quiz).returning(Quiz.id), [{
            "slug": "bench-bank-monthly", "kind": "monthly", "title": "压测抽题月考", "period": "2026-11",
            "created_at": now, "updated_at": now}]).scalar_one()
        version_id = db.session.execute(insert(QuizVersion).returning(QuizVersion.id), [{
            "quiz_id": quiz_id, "number": 1, "checksum": "0" * 64, "definition": {}, "opens_at": now,
            "closes_at": now + timedelta(days=7), "time_limit_seconds": 1800, "pass_score": 80.0,
            "max_score": 100.0, "attempts_allowed": 1, "review_policy": "after_close",
            "issues_certificate": False, "created_at": now}]).scalar_one()
        db.session.execute(Quiz.__table__.update().where(Quiz.__table__.c.id == quiz_id)
                           .values(current_version_id=version_id))
        db.session.commit()
        question_id = db.session.scalar(select(BankQuestion.id).order_by(BankQuestion.id))
        db.engine.dispose()
    return {"quiz_id": quiz_id, "version_id": version_id, "question_id": question_id}


def add_attempts(uri: str, count: int, quiz_id: int, version_id: int) -> float:
    """``count`` people, each with one finished attempt: a paper drawn by the product's draw, graded at random
    (each person right on a question with their own probability). Returns the seconds it took."""
    from lms.accounts.models import User
    from lms.attempts.rules import draw_paper
    from lms.extensions import db
    from lms.quizzes.definitions import DrawRule, QuizDefinition, Section

    started = time.perf_counter()
    rng = random.Random(11)
    specs = _specs(random.Random(7))  # the same questions as the bank's
    definition = QuizDefinition(
        slug="bench-bank-monthly", title="压测抽题月考", kind="monthly", period="2026-11", opens_at=None,
        closes_at=None, time_limit_seconds=1800, pass_score=80, max_score=100, attempts_allowed=1,
        review_policy="after_close", sections=(Section(title="一", draws=(DrawRule(BANK, PER_PAPER),)),),
        shuffle_questions=True, shuffle_options=True)
    now = datetime.now(UTC)
    app = scale._app(uri)
    with app.app_context():
        db.session.execute(insert(User), [{
            "employee_no": f"M{i + 1:05d}", "name": f"经理{i + 1:05d}", "role": "manager", "active": True,
            "joined_at": now, "created_at": now, "session_token": f"bench-{i}"} for i in range(count)])
        people = list(db.session.scalars(select(User.id).where(User.role == "manager").order_by(User.id)))
        rows = []
        for n, user_id in enumerate(people):
            paper = draw_paper(definition, {BANK: specs}, seed=n)
            ability = rng.uniform(0.4, 1.0)
            results = {q["id"]: {"earned": 1.0 if rng.random() < ability else 0.0, "points": 1.0,
                                 "correct": False} for q in paper["questions"]}
            for outcome in results.values():
                outcome["correct"] = outcome["earned"] == 1.0
            raw = sum(o["earned"] for o in results.values())
            score = round(raw / PER_PAPER * 100, 1)
            rows.append({"user_id": user_id, "quiz_id": quiz_id, "quiz_version_id": version_id, "number": 1,
                         "official": True, "makeup": False, "status": "submitted", "in_progress_key": None,
                         "started_at": now, "deadline_at": now + timedelta(minutes=30),
                         "finished_at": now + timedelta(minutes=20), "finish_reason": "submit", "score": score,
                         "raw_points": raw, "max_score": 100.0, "passed": score >= 80, "paper": paper,
                         "results": results})
            if len(rows) == 1000:
                _insert_attempts(rows)
                rows = []
        if rows:
            _insert_attempts(rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return time.perf_counter() - started


def _insert_attempts(rows: list[dict[str, Any]]) -> None:
    """Attempts, and the bank question uses the product writes when it draws and grades them (lms.attempts.usage)."""
    from lms.attempts import usage
    from lms.attempts.models import Attempt, BankQuestionUse
    from lms.extensions import db

    ids = db.session.execute(insert(Attempt).returning(Attempt.id), rows).scalars().all()
    uses = []
    for attempt_id, row in zip(ids, rows, strict=True):
        shares = usage.shares(row["results"])
        uses += [{**use, "share": shares.get(use["question_id"])} for use in usage.drawn_rows(attempt_id, row["paper"])]
    db.session.execute(insert(BankQuestionUse), uses)




def _get(client: Any, url: str, expect: str | None = None) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        if expect is not None and expect not in response.get_data(as_text=True):
            raise RuntimeError(f"{url}: {expect!r} is not on the page")

    return run


def pages(uri: str, runs: int, question_id: int, *, papers: int) -> dict[str, float]:
    app = scale._app(uri)
    client = common.signed_in(app, "TRAINER")
    figures = {  # the list says how many papers held each question once there are papers
        "bank_list_ms": common.median_ms(_get(client, "/questions", "份试卷" if papers else "未使用"), runs),
        "bank_weak_ms": common.median_ms(_get(client, "/questions?usage=weak"), runs),
        "bank_question_ms": common.median_ms(_get(client, f"/questions/{question_id}"), runs),
    }
    with app.app_context():
        from lms.extensions import db

        db.engine.dispose()
    return figures


def measure(uri: str, attempts: int, runs: int) -> dict[str, Any]:
    built = build(uri)
    empty = pages(uri, runs, built["question_id"], papers=0)
    figures: dict[str, Any] = {f"{key.removesuffix('_ms')}_empty_ms": value for key, value in empty.items()}
    figures["bank_attempts"] = attempts
    figures["bank_generate_s"] = round(add_attempts(uri, attempts, built["quiz_id"], built["version_id"]), 1)
    figures.update(pages(uri, runs, built["question_id"], papers=attempts))
    figures["ratio_bank_list_vs_empty"] = round(figures["bank_list_ms"] / figures["bank_list_empty_ms"], 2)
    for key, target in TARGETS_MS.items():
        figures[f"{key}_ok"] = figures[key] <= target
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-banks-") as folder:
        uri = scale.database_uri(Path(folder) / "banks.sqlite3")
        figures = measure(uri, args.attempts, args.runs)
    figures["runs"] = args.runs
    common.save(RESULTS, figures, uri)
    for key, value in figures.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
