"""Following a shop up: its staff contacts (personal data: the manager's and their supervisors' to see) and the
manager's reminders of a month, one row per shop and month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.field.shop_models import Shop


class ShopContact(db.Model):  # type: ignore[name-defined,misc]
    """One of a shop's staff: name, mainland mobile (11 digits) and role (lms.outreach.contact_rules.ROLES).
    Removing one deletes the row: a person who left the shop is not kept."""

    __tablename__ = "shop_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(11))
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship()


class ShopReminder(db.Model):  # type: ignore[name-defined,misc]
    """The manager reminded the shop of its month's pack: how often, first and last (not an administrative act, so
    recorded here and not in the audit log)."""

    __tablename__ = "shop_reminders"
    __table_args__ = (UniqueConstraint("shop_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_reminded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # the latest
    reminded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shop: Mapped[Shop] = relationship()
