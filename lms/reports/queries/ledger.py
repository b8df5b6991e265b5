"""Ledger entries as the report pages list them: the board's deductions, a period's ledger and its summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from lms.accounts.access import user_scope_clause
from lms.accounts.models import User
from lms.assessment.models import LedgerEntry
from lms.assessment.rules import DEDUCTION, KIND_LABELS, LEDGER_KINDS
from lms.extensions import db
from lms.reports.queries.common import LIST_LIMIT, PersonRef, person_ref, with_person

LEDGER_PAGE_SIZE = 50

# Built once, like the person aliases (lms.reports.queries.common).
_CREATOR = aliased(User, name="entry_creator")


@dataclass(frozen=True)
class EntryRow:
    id: int
    person: PersonRef
    period: str
    kind: str
    amount_yuan: int | None
    points: float | None
    reason: str
    created_at: datetime
    created_by: str | None
    reverses_id: int | None
    reversed_by: int | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _entry_rows(query: Select[Any]) -> list[EntryRow]:
    rows = list(db.session.execute(query))
    ids = [row.id for row in rows]
    reversed_by: dict[int, int] = {}
    if ids:
        reversed_by = {target: reversal for target, reversal in db.session.execute(  # noqa: C416 - rows, not pairs
            select(LedgerEntry.reverses_id, LedgerEntry.id).where(LedgerEntry.reverses_id.in_(ids)))}
    return [EntryRow(row.id, person_ref(row), row.period, row.kind, row.amount_yuan, row.points, row.reason,
                     row.created_at, row.creator, row.reverses_id, reversed_by.get(row.id)) for row in rows]


def _entries_query(viewer: User) -> Select[Any]:
    creator = _CREATOR
    query = (select(LedgerEntry.id, LedgerEntry.period, LedgerEntry.kind, LedgerEntry.amount_yuan,
                    LedgerEntry.points, LedgerEntry.reason, LedgerEntry.created_at, LedgerEntry.reverses_id,
                    creator.name.label("creator"))
             .outerjoin(creator, creator.id == LedgerEntry.created_by_id))
    query, _names = with_person(query, LedgerEntry.user_id, viewer)
    return query


def deductions(viewer: User, periods: list[str], *, limit: int | None = LIST_LIMIT) -> list[EntryRow]:
    """System-operation deductions (R3) of these periods, newest first, reversed ones marked."""
    query = (_entries_query(viewer).where(LedgerEntry.kind == DEDUCTION, LedgerEntry.period.in_(periods))
             .order_by(LedgerEntry.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return _entry_rows(query)


@dataclass(frozen=True)
class LedgerSummaryRow:
    kind: str
    count: int
    reversed: int
    amount_yuan: int
    points: float

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def ledger_summary(period: str, viewer: User) -> list[LedgerSummaryRow]:
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    is_reversed = LedgerEntry.id.in_(reversed_ids)
    rows = db.session.execute(
        select(LedgerEntry.kind, func.count(), func.sum(case((is_reversed, 1), else_=0)),
               func.sum(case((is_reversed, 0), else_=func.coalesce(LedgerEntry.amount_yuan, 0))),
               func.sum(case((is_reversed, 0.0), else_=func.coalesce(LedgerEntry.points, 0.0))))
        .join(User, User.id == LedgerEntry.user_id)
        .where(LedgerEntry.period == period, user_scope_clause(viewer)).group_by(LedgerEntry.kind))
    found = {kind: LedgerSummaryRow(kind, count, int(rev or 0), int(amount or 0), float(points or 0))
             for kind, count, rev, amount, points in rows}
    return [found[k] for k in LEDGER_KINDS if k in found]


def period_ledger(period: str, viewer: User, *, page: int = 1, page_size: int | None = LEDGER_PAGE_SIZE
                  ) -> list[EntryRow]:
    query = _entries_query(viewer).where(LedgerEntry.period == period).order_by(LedgerEntry.id)
    if page_size is not None:
        query = query.limit(page_size).offset((max(page, 1) - 1) * page_size)
    return _entry_rows(query)
