"""A manager's training session for shops (片区培训 / 点对点): the shops invited, the lessons it covers, and each
check-in by a shop's staff member scanning the session's QR code (its token is derived, never stored:
lms.outreach.session_rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.courses.models import Lesson
from lms.extensions import db
from lms.field.shop_models import Shop
from lms.outreach import session_rules


class ShopSession(db.Model):  # type: ignore[name-defined,misc]
    """One session, owned by the manager who scheduled it. Cancelled, never deleted (its audit entries name it)."""

    __tablename__ = "shop_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # session_rules.KINDS
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))  # signed with the id into the check-in token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    manager: Mapped[User] = relationship()
    invitations: Mapped[list[ShopSessionShop]] = relationship(cascade="all, delete-orphan",
                                                               order_by="ShopSessionShop.position")
    lesson_links: Mapped[list[ShopSessionLesson]] = relationship(cascade="all, delete-orphan",
                                                                 order_by="ShopSessionLesson.position")
    checkins: Mapped[list[ShopSessionCheckin]] = relationship(order_by="ShopSessionCheckin.checked_in_at")

    @property
    def kind_label(self) -> str:
        return session_rules.KINDS.get(self.kind, self.kind)

    @property
    def shops(self) -> list[Shop]:
        return [invitation.shop for invitation in self.invitations]

    @property
    def lessons(self) -> list[Lesson]:
        return [link.lesson for link in self.lesson_links]


class ShopSessionShop(db.Model):  # type: ignore[name-defined,misc]
    """A shop invited to a session."""

    __tablename__ = "shop_session_shops"

    session_id: Mapped[int] = mapped_column(ForeignKey("shop_sessions.id"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    shop: Mapped[Shop] = relationship()


class ShopSessionLesson(db.Model):  # type: ignore[name-defined,misc]
    """A lesson of the shop pack the session covers."""

    __tablename__ = "shop_session_lessons"

    session_id: Mapped[int] = mapped_column(ForeignKey("shop_sessions.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    lesson: Mapped[Lesson] = relationship()


class ShopSessionCheckin(db.Model):  # type: ignore[name-defined,misc]
    """One staff member of one shop checked in (several of a shop: one shop attended, every name kept). ``invited``
    is False for a walk-in: a shop of the same manager that was not on the list."""

    __tablename__ = "shop_session_checkins"
    __table_args__ = (UniqueConstraint("session_id", "shop_id", "staff_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("shop_sessions.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    invited: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_name: Mapped[str] = mapped_column(String(50))
    staff_phone: Mapped[str | None] = mapped_column(String(20))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shop: Mapped[Shop] = relationship()
