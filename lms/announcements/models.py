"""Announcements, the inbox (which is also the read-receipt record), contact settings, group robots, and the
outbox with its delivery log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.payloads import ROBOT_KINDS
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.org.models import Unit


class Announcement(db.Model):  # type: ignore[name-defined,misc]
    """A notice published to an audience. Its recipients are fixed when it is published (their inbox rows)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=rules.NOTICE)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered through lms.core.markdown (sanitized)
    audience_kind: Mapped[str] = mapped_column(String(8))
    audience_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    lesson_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    audience_unit: Mapped[Unit | None] = relationship()

    @property
    def kind_label(self) -> str:
        return rules.ANNOUNCEMENT_KINDS.get(self.kind, self.kind)

    @property
    def audience_label(self) -> str:
        return rules.audience_label(self.audience_kind, self.audience_unit.name if self.audience_unit else None,
                                    self.recipient_count)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class InboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """One message in one person's inbox. For an announcement it is also that person's read receipt."""

    __tablename__ = "inbox_messages"
    # One event reaches one person once: running the reminders again, or a repeated event, inserts nothing.
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_inbox_messages_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    link: Mapped[str] = mapped_column(String(300), default="")  # a path inside the app
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    announcement: Mapped[Announcement | None] = relationship()

    @property
    def kind_label(self) -> str:
        return rules.MESSAGE_KINDS.get(self.kind, self.kind)


class ContactSetting(db.Model):  # type: ignore[name-defined,misc]
    """Where a person wants messages besides the inbox (e-mail), set by themselves."""

    __tablename__ = "contact_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class GroupRobot(db.Model):  # type: ignore[name-defined,misc]
    """A group chat's robot (WeCom/DingTalk) or a generic JSON webhook that receives announcements and test
    notices. ``county_id``/``grid_id`` limit it to that unit's announcements; none means the whole city's."""

    __tablename__ = "group_robots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))  # DingTalk "加签" secret
    msgtype: Mapped[str] = mapped_column(String(16), default="markdown")
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    county: Mapped[Unit | None] = relationship(foreign_keys=[county_id])
    grid: Mapped[Unit | None] = relationship(foreign_keys=[grid_id])

    @property
    def kind_label(self) -> str:
        return ROBOT_KINDS.get(self.kind, self.kind)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """A message waiting to leave (or that left) through one channel to one target, sent by ``flask outbox send``."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # event + channel + recipient: the same event can never be queued twice for the same target.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    event_key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(500))  # an e-mail address, or "robot:<id>"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("group_robots.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    link: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=rules.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()
    robot: Mapped[GroupRobot | None] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(back_populates="message", order_by="Delivery.id")

    @property
    def status_label(self) -> str:
        return rules.OUTBOX_STATUSES.get(self.status, self.status)


class Delivery(db.Model):  # type: ignore[name-defined,misc]
    """One try at sending an outbox message: the delivery log."""

    __tablename__ = "outbox_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    message: Mapped[OutboxMessage] = relationship(back_populates="deliveries")
