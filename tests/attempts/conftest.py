from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.attempts.quiz_files import sync, write_quiz


@pytest.fixture
def make_quiz(app: Flask) -> Callable[..., Any]:
    """``make_quiz("slug", yaml_text)`` writes the file and runs the sync; returns the Quiz."""
    from lms.quizzes.services import get_quiz

    def make(slug: str, text: str) -> Any:
        write_quiz(app, slug, text)
        sync(app)
        return get_quiz(slug)

    return make


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def server_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> Clock:
    """Set the clock of every page and API call of the quizzes and attempts domains."""
    clock = Clock(now)
    for target in ("lms.attempts.api.utcnow", "lms.attempts.views.utcnow", "lms.quizzes.views.utcnow",
                   "lms.core.clock.utcnow"):
        monkeypatch.setattr(target, clock)
    return clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return server_clock(monkeypatch, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
