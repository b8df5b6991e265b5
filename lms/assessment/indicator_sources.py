"""Indicators computed by other domains (e.g. the field day's process indicators, lms.field.indicators) that the
monthly close writes into the period's indicators before it scores: a registry, so the assessment imports none.

A source is ``source(period, managers, now) -> rows written``; it writes Indicator rows in the close's transaction
(flush, no commit), so a close that fails leaves none, and a dry run's are rolled back with its preview.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from lms.accounts.models import User

Source = Callable[[str, Sequence[User], datetime], int]
SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    SOURCES[name] = source


def write_computed(period: str, managers: Sequence[User], *, now: datetime) -> int:
    """Every registered source's rows for ``period``; how many were written."""
    return sum(source(period, managers, now) for source in SOURCES.values())
