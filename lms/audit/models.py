"""The audit log table. Insert-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL (migration 0012)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The person who acted; None for a server command or the platform itself (``actor_label`` says which).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The actor as recorded at the time (employee number, or ``cli``/``system``): stays readable if the person changes.
    actor_label: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(48), index=True)
    # The person the act was about, when it was about one.
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # What else it was about, in words a reader can search: "证书 12", "2026-11", "roster.csv".
    subject: Mapped[str] = mapped_column(String(200), default="")
    # ``{field: [old, new]}`` or other facts of the act (counts, file names); never a password or a token.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(500), default="")

    # For reading only (the search page, the export): an entry is never changed through them.
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], viewonly=True)
    target: Mapped[User | None] = relationship(foreign_keys=[target_user_id], viewonly=True)
