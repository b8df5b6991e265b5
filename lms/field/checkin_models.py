"""Check-ins (电子签到) and the acknowledgements of the privacy notice shown before the first one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db


class CheckIn(db.Model):  # type: ignore[name-defined,misc]
    """One check-in of one slot (lms.field.checkin_rules.SLOTS) of one local day: the server's time ``at``, the
    phone's ``device_at`` beside it, where the person was and how far from the expected place, the photo, and the
    flags. After the retention period the photo and coordinates are purged (``purged_at``); the fact and the flags
    stay for the month's rate."""

    __tablename__ = "field_checkins"
    __table_args__ = (UniqueConstraint("user_id", "day", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    slot: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date, index=True)  # local (Asia/Shanghai) day the check-in counts for
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_received: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    # The place it was judged against: the business hall's (the grid's) or the activity's as the person gave it.
    place_label: Mapped[str] = mapped_column(String(200), default="", server_default="")
    place_latitude: Mapped[float | None] = mapped_column(Float)
    place_longitude: Mapped[float | None] = mapped_column(Float)
    photo_name: Mapped[str | None] = mapped_column(String(80))  # lms.courses.media stored name under <media>/field
    photo_content_type: Mapped[str | None] = mapped_column(String(40))
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    early: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    far: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    no_location: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def compliant(self) -> bool:
        return not (self.late or self.early or self.far or self.no_location)


class PrivacyAcknowledgement(db.Model):  # type: ignore[name-defined,misc]
    """A person read the check-in privacy notice of ``version`` (what is collected, who sees it, how long)."""

    __tablename__ = "field_privacy_acks"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[str] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
