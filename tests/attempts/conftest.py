"""The attempts tests' server clock: 28 November 2026, 10:00 in Shanghai, unless a test pins another."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.clock import Clock, server_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return server_clock(monkeypatch, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
