"""Quiz rows for tests: monthly test windows and quizzes saved with their first version, without a quiz file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion


def window(period: str) -> tuple[datetime, datetime]:
    """Day 1 00:00 to day 8 23:59 Asia/Shanghai, in UTC."""
    year, month = int(period[:4]), int(period[5:])
    opens = datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=8)
    return opens, opens + timedelta(days=8) - timedelta(minutes=1)


def after_close(period: str) -> datetime:
    return window(period)[1] + timedelta(hours=1)


def add_quiz(quiz: Quiz, **version: Any) -> Quiz:
    """``quiz`` saved with a first version (30 minutes, pass 80 of 100 unless ``version`` says otherwise), committed."""
    db.session.add(quiz)
    db.session.flush()
    row = QuizVersion(**{"quiz_id": quiz.id, "number": 1, "checksum": "x" * 64, "definition": {},
                         "time_limit_seconds": 1800, "pass_score": 80.0, "max_score": 100.0, **version})
    db.session.add(row)
    db.session.flush()
    quiz.current_version_id = row.id
    db.session.commit()
    return quiz


@pytest.fixture
def monthly_quiz(app: Any) -> Callable[..., Quiz]:
    """``monthly_quiz("2026-11")`` → the month's official test, open in its window (or ``opens``/``closes``), one
    attempt, answers shown after the close; ``makeup=(opens, closes)`` adds a make-up window."""

    def make(period: str, *, slug: str | None = None, title: str | None = None, opens: datetime | None = None,
             closes: datetime | None = None, pass_score: float = 80.0,
             makeup: tuple[datetime, datetime] | None = None) -> Quiz:
        default_opens, default_closes = window(period)
        definition = {} if makeup is None else {"makeup_opens_at": makeup[0].isoformat(),
                                                "makeup_closes_at": makeup[1].isoformat()}
        quiz = Quiz(slug=slug or f"monthly-{period}", kind="monthly", title=title or f"{period} 渠道政策月考",
                    period=period)
        return add_quiz(quiz, definition=definition, opens_at=opens or default_opens,
                        closes_at=closes or default_closes, pass_score=pass_score, attempts_allowed=1,
                        review_policy="after_close")

    return make
