"""The server's clock, moved by the test: every page and API call of the quizzes and attempts domains reads it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest


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


def whole_server_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> Clock:
    """Set the clock of every module of the product that reads ``lms.core.clock.utcnow``, for a story that crosses
    domains (a field day, then the month's close). Modules imported later are not covered: import them first."""
    import sys

    from lms.core import clock as core_clock

    moved = Clock(now)
    original = core_clock.utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("lms.") and getattr(module, "utcnow", None) is original:
            monkeypatch.setattr(module, "utcnow", moved)
    return moved
