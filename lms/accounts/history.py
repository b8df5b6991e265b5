"""A person's roles and units over time: rows added to the caller's transaction (insert-only), and read back."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import PersonHistory, User
from lms.extensions import db

ROLE, COUNTY, GRID = "role", "county", "grid"
FIELDS = (ROLE, COUNTY, GRID)


def note(user: User, field: str, old: str | None, new: str | None, *, by: User | None) -> PersonHistory | None:
    """Add one change of ``field`` (role code, or the unit's name as it is now) unless nothing changed; the caller
    commits. ``user`` may be new in this transaction (flushed here for its id)."""
    if field not in FIELDS:
        raise ValueError(f"unknown history field {field!r}")
    if old == new:
        return None
    if user.id is None:
        db.session.flush()
    row = PersonHistory(user_id=user.id, field=field, old=old, new=new,
                        changed_by_id=by.id if by is not None else None)
    db.session.add(row)
    return row


def note_all(user: User, before: dict[str, str | None], after: dict[str, str | None], *,
             by: User | None) -> None:
    """One row for each of role, county and grid that differs between ``before`` and ``after``."""
    for field in FIELDS:
        note(user, field, before.get(field), after.get(field), by=by)


def of(user_id: int) -> list[PersonHistory]:
    """The person's history, the latest first."""
    return list(db.session.scalars(select(PersonHistory).where(PersonHistory.user_id == user_id)
                                   .order_by(PersonHistory.changed_at.desc(), PersonHistory.id.desc())))
