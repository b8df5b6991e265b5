"""Fixtures of the field tests."""

from __future__ import annotations

import pytest

from tests.field.checkin_support import MORNING_AT
from tests.support.clock import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The check-in pages' clock at Wednesday 08:05 in Shanghai; a test moves ``clock.now`` (a module may define
    a ``clock`` of its own)."""
    moved = Clock(MORNING_AT)
    monkeypatch.setattr("lms.field.checkin_views.utcnow", moved)
    monkeypatch.setattr("lms.field.checkin_queries.utcnow", moved)
    return moved
