"""A shop's link (its token is derived, never stored: lms.outreach.rules) and what a shop did with a month's pack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.field.shop_models import Shop
from lms.outreach import (
    followup_models,  # noqa: F401 - contacts and reminders, registered with the app here
    session_models,  # noqa: F401 - the training sessions' tables, registered with the app
)


class ShopLink(db.Model):  # type: ignore[name-defined,misc]
    """One link made for one shop: honoured until revoked or expired. A shop has at most one unrevoked link (making
    a new one revokes the old)."""

    __tablename__ = "shop_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))  # signed with the link id into the token
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop: Mapped[Shop] = relationship()
    created_by: Mapped[User | None] = relationship()


class ShopReading(db.Model):  # type: ignore[name-defined,misc]
    """A shop's month: first opened, the check's score, and the "we have read it" with the staff member's name."""

    __tablename__ = "shop_readings"
    __table_args__ = (UniqueConstraint("shop_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("shop_links.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opens: Mapped[int] = mapped_column(Integer, default=1)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_score: Mapped[float | None] = mapped_column(Float)  # percent right
    check_passed: Mapped[bool | None] = mapped_column(Boolean)
    check_results: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # question key -> right (the best attempt)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_name: Mapped[str | None] = mapped_column(String(50))
    staff_phone: Mapped[str | None] = mapped_column(String(20))

    shop: Mapped[Shop] = relationship()
