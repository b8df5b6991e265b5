"""Shop visits (渠道拜访): the versioned checklist, each visit with its answers and photos, the tickets its problems
become, and the R3 deduction candidates the supervisors decide. Rules in ``visit_rules``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.field.shop_models import Shop
from lms.field.visit_rules import (
    CANDIDATE_REASON_LABELS,
    CANDIDATE_STATE_LABELS,
    CATEGORY_LABELS,
    FROM_SHOP,
    FROM_VISIT,
    OPEN,
    PENDING,
    ROUTE_LABELS,
    TICKET_STATE_LABELS,
)


class ChecklistVersion(db.Model):  # type: ignore[name-defined,misc]
    """Insert-only: the visit form's checks as saved; the highest number is in force, old visits keep theirs."""

    __tablename__ = "field_checklist_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the seed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()


class Visit(db.Model):  # type: ignore[name-defined,misc]
    """One visit of a shop: the form's answers against a checklist version, where the person was (only as they
    sent it, on their tap) and the photos, re-encoded without metadata (stored names under the media folder); after
the retention period the photos and coordinates are purged (``purged_at``)."""

    __tablename__ = "field_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("field_checklist_versions.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # {key: {"answer": "yes"|"no", "fix_by": "YYYY-MM-DD"}}
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)  # the server's time
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the phone's, for a visit queued offline
    late_received: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # visit_rules.counted_at
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The phone's key for the form: a queued visit sent twice (a lost answer) is stored once.
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set when the retention purge (lms.field.retention) removed the photos and coordinates; the answers stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    shop: Mapped[Shop] = relationship()
    checklist_version: Mapped[ChecklistVersion] = relationship()
    tickets: Mapped[list[Ticket]] = relationship(back_populates="visit", order_by="Ticket.id")


class Ticket(db.Model):  # type: ignore[name-defined,misc]
    """A problem a visit collected, or one the shop reported itself from its own page (``source``), routed by
    category to who handles it, with its state and due date. A shop's own report has no visit and no user who raised
    it: the staff member's name (and phone, if given) stand for the reporter."""

    __tablename__ = "field_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("field_visits.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: the shop's own
    source: Mapped[str] = mapped_column(String(8), default=FROM_VISIT, server_default=FROM_VISIT)
    reporter_name: Mapped[str | None] = mapped_column(String(50))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    photos: Mapped[list[str] | None] = mapped_column(JSON)  # stored names (a shop's own report; re-encoded)
    # The shop page's form key: the same form sent twice (a double tap) is stored once.
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    routed_to: Mapped[str] = mapped_column(String(24))  # visit_rules.ROUTES values
    routed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    routed_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=OPEN, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit | None] = relationship(back_populates="tickets")
    shop: Mapped[Shop] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    routed_user: Mapped[User | None] = relationship(foreign_keys=[routed_user_id])

    @property
    def from_shop(self) -> bool:
        return self.source == FROM_SHOP

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def state_label(self) -> str:
        return TICKET_STATE_LABELS.get(self.state, self.state)

    @property
    def routed_label(self) -> str:
        return ROUTE_LABELS.get(self.routed_to, self.routed_to)


class DeductionCandidate(db.Model):  # type: ignore[name-defined,misc]
    """R3's evidence waiting for a supervisor: a manager, a shop, why, and the tickets and visits behind it; once per
    cause (``cause_key``). Confirming writes the assessment's existing deduction; its entry is kept here."""

    __tablename__ = "field_deduction_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    cause_key: Mapped[str] = mapped_column(String(64), unique=True)
    ticket_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    visit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_ledger.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    shop: Mapped[Shop] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def reason_label(self) -> str:
        return CANDIDATE_REASON_LABELS.get(self.reason, self.reason)

    @property
    def state_label(self) -> str:
        return CANDIDATE_STATE_LABELS.get(self.state, self.state)
