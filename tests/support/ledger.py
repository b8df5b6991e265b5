"""Ledger rows for tests: one committed entry, a November cash penalty for failing twice unless told otherwise."""

from __future__ import annotations

from typing import Any

from lms.assessment.models import LedgerEntry
from lms.extensions import db


def add_ledger_entry(person: Any, kind: str = "cash_penalty", *, period: str = "2026-11",
                     reason: str = "连续两个月不及格", rule: str = "R2-consecutive-fail",
                     idempotency_key: str | None = None, **values: Any) -> LedgerEntry:
    """``add_ledger_entry(person, amount_yuan=200)`` → the committed entry; the key is unique per person and kind."""
    row = LedgerEntry(user_id=person.id, period=period, kind=kind, reason=reason, rule=rule, rule_version=1,
                      idempotency_key=idempotency_key or f"{period}:{person.id}:{kind}", **values)
    db.session.add(row)
    db.session.commit()
    return row
