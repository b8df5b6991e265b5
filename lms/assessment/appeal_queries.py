"""Read side of appeals: the facts that decide whether an entry may be appealed, one appeal as a viewer may see it,
the supervisors' queue and the home panel's count. Scoped like the ledger (``queries.visible``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.assessment import appeal_rules
from lms.assessment.models import Appeal, AppealComment, LedgerEntry, Notice
from lms.assessment.queries import visible
from lms.extensions import db


def notice_published_at(entry: LedgerEntry) -> datetime | None:
    """When the county's notice for the entry's period was published (the person's county), if it was."""
    if entry.user.county_id is None:
        return None
    return db.session.scalar(select(Notice.published_at).where(Notice.period == entry.period,
                                                               Notice.county_id == entry.user.county_id))


def entry_facts(entry: LedgerEntry) -> appeal_rules.EntryFacts:
    reversed_ = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)) is not None
    appealed = db.session.scalar(select(Appeal.id).where(Appeal.entry_id == entry.id)) is not None
    return appeal_rules.EntryFacts(entry.kind, entry.user_id, entry.created_at, notice_published_at(entry),
                                   reversed_, appealed)


@dataclass(frozen=True)
class Appealable:
    """For a manager's own page: the entries they may still appeal, with each one's deadline."""

    deadlines: dict[int, datetime]

    def can_appeal(self, entry_id: int) -> bool:
        return entry_id in self.deadlines


def appealable_entries(person: User, entries: list[LedgerEntry], *, appealed: set[int], reversed_: set[int],
                       now: datetime, days: int) -> Appealable:
    """Which of ``entries`` (the person's own, already loaded with their reversals and appeals) may be appealed now."""
    notices: dict[str, datetime] = {}
    if person.county_id is not None:
        rows = db.session.execute(select(Notice.period, Notice.published_at).where(
            Notice.county_id == person.county_id)).all()
        notices = dict(rows)
    deadlines = {}
    for entry in entries:
        facts = appeal_rules.EntryFacts(entry.kind, entry.user_id, entry.created_at, notices.get(entry.period),
                                        entry.id in reversed_, entry.id in appealed)
        if appeal_rules.refusal(facts, person_id=person.id, now=now, days=days) is None:
            deadlines[entry.id] = appeal_rules.appeal_deadline(facts, days)
    return Appealable(deadlines)


def own_entry(person: User, entry_id: int) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.id == entry_id, LedgerEntry.user_id == person.id))


def _appeals() -> Select[Any]:
    return (select(Appeal).join(User, User.id == Appeal.user_id)
            .options(joinedload(Appeal.entry), joinedload(Appeal.user).joinedload(User.county),
                     joinedload(Appeal.user).joinedload(User.grid), joinedload(Appeal.decided_by)))


def appeal_for(viewer: User, appeal_id: int) -> Appeal | None:
    """The appeal if ``viewer`` may read it: its manager, or staff whose scope covers the manager (else None)."""
    query = _appeals().where(Appeal.id == appeal_id, visible(viewer)).options(
        selectinload(Appeal.comments).joinedload(AppealComment.author))
    return db.session.scalar(query)


@dataclass
class Queue:
    open: list[Appeal]
    decided: list[Appeal]


def queue(viewer: User, *, decided_limit: int = 30) -> Queue:
    """The viewer's scope's open appeals, the nearest due first, and the latest decided ones."""
    base = _appeals().where(visible(viewer))
    open_ = list(db.session.scalars(base.where(Appeal.state == appeal_rules.OPEN)
                                    .order_by(Appeal.due_at, Appeal.id)).unique())
    decided = list(db.session.scalars(base.where(Appeal.state != appeal_rules.OPEN)
                                      .order_by(Appeal.decided_at.desc(), Appeal.id.desc())
                                      .limit(decided_limit)).unique())
    return Queue(open_, decided)


@dataclass(frozen=True)
class OpenSummary:
    count: int
    nearest_due: datetime | None
    overdue: int


def open_summary(viewer: User, *, now: datetime) -> OpenSummary:
    """How many of the viewer's scope's appeals wait for a decision, the nearest due date, how many are overdue."""
    base = select(Appeal.due_at).join(User, User.id == Appeal.user_id).where(Appeal.state == appeal_rules.OPEN,
                                                                             visible(viewer))
    count = db.session.scalar(base.with_only_columns(func.count(Appeal.id))) or 0
    if not count:
        return OpenSummary(0, None, 0)
    nearest = db.session.scalar(base.order_by(Appeal.due_at).limit(1))
    overdue = db.session.scalar(base.where(Appeal.due_at < now).with_only_columns(func.count(Appeal.id))) or 0
    return OpenSummary(count, nearest, overdue)


def deciders_of(person: User) -> list[User]:
    """Who hears of a new appeal: the supervisors of the person's county (county-level) and of their grid."""
    if person.county_id is None:
        return []
    query = select(User).where(User.role == "supervisor", User.active.is_(True), User.county_id == person.county_id)
    people = db.session.scalars(query).all()
    return [p for p in people if p.grid_id is None or p.grid_id == person.grid_id]


def appeal_of_entry(entry_id: int) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.entry_id == entry_id))
