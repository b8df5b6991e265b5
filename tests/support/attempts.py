"""Attempt rows for tests: one graded attempt, graded official attempts inserted in bulk, and accommodations
(exempt, make-up)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from lms.attempts.models import Accommodation, Attempt
from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.support.quizzes import window


def graded_attempt(person: Any, quiz: Quiz, *, score: float, finished_at: datetime, official: bool = True,
                   status: str = "submitted") -> Attempt:
    """An attempt of 20 minutes ending at ``finished_at`` (pass 80 of 100), not yet added to the session;
    ``status="in_progress"`` leaves it unfinished and ungraded."""
    finished = status != "in_progress"
    return Attempt(user_id=person.id, quiz_id=quiz.id, quiz_version_id=quiz.current_version_id, official=official,
                   status=status, started_at=finished_at - timedelta(minutes=20),
                   deadline_at=finished_at + timedelta(minutes=10), finished_at=finished_at if finished else None,
                   score=score if finished else None, raw_points=score, max_score=100.0,
                   passed=(score >= 80) if finished else None, paper={"questions": []}, results={})


@pytest.fixture
def take(app: Any) -> Callable[..., None]:
    """``take(quiz, {user: score, ...})``: graded official attempts, inserted in bulk."""

    def record(quiz: Quiz, scores: dict[Any, float], *, minutes: dict[Any, int] | None = None) -> None:
        opens, _ = window(quiz.period or "2026-01")
        rows = []
        for person, score in scores.items():
            started = opens + timedelta(hours=10)
            finished = started + timedelta(minutes=(minutes or {}).get(person, 20))
            rows.append({"user_id": person.id, "quiz_id": quiz.id, "quiz_version_id": quiz.current_version_id,
                         "number": 1, "official": True, "makeup": False, "status": "submitted",
                         "started_at": started, "deadline_at": started + timedelta(minutes=30),
                         "finished_at": finished, "finish_reason": "submit", "score": score, "raw_points": score,
                         "max_score": 100.0, "passed": score >= 80, "paper": {}, "results": {}})
        if rows:
            db.session.execute(insert(Attempt), rows)
        db.session.commit()

    return record


@pytest.fixture
def accommodate(app: Any, make_user: Callable[..., Any]) -> Callable[..., None]:
    """``accommodate(quiz, person, "exempt")``, granted by ``by`` or by a new trainer."""

    def grant(quiz: Quiz, person: Any, kind: str, reason: str = "病假", *, by: Any = None) -> None:
        granter = by or make_user("trainer")
        db.session.add(Accommodation(user_id=person.id, quiz_id=quiz.id, kind=kind, reason=reason,
                                     created_by_id=granter.id))
        db.session.commit()

    return grant
