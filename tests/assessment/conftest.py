"""Factories for assessment tests: monthly tests with their windows, graded attempts and accommodations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from lms.attempts.models import Accommodation, Attempt
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion
from tests.support.people import long_serving_managers


def window(period: str) -> tuple[datetime, datetime]:
    """Day 1 00:00 to day 8 23:59 Asia/Shanghai, in UTC."""
    year, month = int(period[:4]), int(period[5:])
    opens = datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=8)
    return opens, opens + timedelta(days=8) - timedelta(minutes=1)


def after_close(period: str) -> datetime:
    return window(period)[1] + timedelta(hours=1)


@pytest.fixture
def monthly_quiz(app: Any) -> Callable[..., Quiz]:
    def make(period: str, *, slug: str | None = None, closes_at: datetime | None = None,
             pass_score: float = 80.0) -> Quiz:
        opens, closes = window(period)
        quiz = Quiz(slug=slug or f"monthly-{period}", kind="monthly", title=f"{period} 渠道政策月考", period=period)
        db.session.add(quiz)
        db.session.flush()
        version = QuizVersion(quiz_id=quiz.id, number=1, checksum="x" * 64, definition={}, opens_at=opens,
                              closes_at=closes_at or closes, time_limit_seconds=1800, pass_score=pass_score,
                              max_score=100.0, attempts_allowed=1, review_policy="after_close")
        db.session.add(version)
        db.session.flush()
        quiz.current_version_id = version.id
        db.session.commit()
        return quiz

    return make


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
    def grant(quiz: Quiz, person: Any, kind: str, reason: str = "病假") -> None:
        granter = make_user("trainer")
        db.session.add(Accommodation(user_id=person.id, quiz_id=quiz.id, kind=kind, reason=reason,
                                     created_by_id=granter.id))
        db.session.commit()

    return grant


@pytest.fixture
def managers(make_user: Callable[..., Any]) -> Callable[..., list[Any]]:
    """``managers(4, county="城区")`` → people who joined long before any test window."""

    def make(count: int, *, county: str = "城区", grid: str = "东城网格") -> list[Any]:
        return long_serving_managers(make_user, count, county=county, grid=grid)

    return make
