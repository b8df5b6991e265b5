"""``flask sync``: load the trainers' files (``content/``, ``quizzes/``) in one transaction.

Each domain registers a ``SyncSource``. Every source is *planned* first (pure parsing of files, no writes);
if any source reports a problem, nothing is written and the command exits non-zero. Otherwise every plan is
applied in one transaction and committed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from lms.core.errors import ValidationFailed
from lms.extensions import db


@dataclass
class SyncReport:
    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files left alone on purpose, each with why (e.g. a lesson taken over in the browser).
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (f"{self.source}: {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.retired)} retired, {len(self.unchanged)} unchanged")
        if self.skipped:
            line += f", {len(self.skipped)} skipped" + "".join(f"\n  skipped: {item}" for item in self.skipped)
        return line


class SyncSource(Protocol):
    name: str
    order: int

    def plan(self, config: dict[str, Any]) -> Any:
        """Parse the files; raise ValidationFailed listing every problem (file and line). No database writes."""

    def apply(self, plan: Any) -> SyncReport:
        """Write the plan into ``db.session`` (no commit)."""

    # Optional: ``after_commit(self) -> None`` is called once the transaction committed (send domain events there).


_SOURCES: dict[str, Callable[[], SyncSource]] = {}


def register_source(name: str, factory: Callable[[], SyncSource]) -> None:
    _SOURCES[name] = factory


def sources() -> list[SyncSource]:
    return sorted((factory() for factory in _SOURCES.values()), key=lambda s: s.order)


@dataclass
class SyncResult:
    reports: list[SyncReport]
    problems: list[str]
    applied: bool


def run_sync(config: dict[str, Any], *, check_only: bool = False) -> SyncResult:
    planned: list[tuple[SyncSource, Any]] = []
    problems: list[str] = []
    for source in sources():
        try:
            planned.append((source, source.plan(config)))
        except ValidationFailed as exc:
            problems.extend(exc.problems or [exc.message])
    if problems or check_only:
        return SyncResult([], problems, applied=False)
    reports = []
    try:
        for source, plan in planned:
            reports.append(source.apply(plan))
        db.session.commit()
    except ValidationFailed as exc:  # a problem only the database can see (e.g. a slug taken by a web lesson)
        db.session.rollback()
        return SyncResult([], exc.problems or [exc.message], applied=False)
    except Exception:
        db.session.rollback()
        raise
    for source, _plan in planned:
        after_commit = getattr(source, "after_commit", None)
        if after_commit is not None:
            after_commit()
    return SyncResult(reports, [], applied=True)
