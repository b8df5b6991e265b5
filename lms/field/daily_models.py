"""The daily plan and report (工作安排): the morning form with its ground activities, the 17:00 progress report,
and the grid supervisor's assignment of the day; one report per person per day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db


class DailyReport(db.Model):  # type: ignore[name-defined,misc]
    """A manager's day: yesterday's work and today's plan (the morning form), the progress report due at 17:00."""

    __tablename__ = "field_daily_reports"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # local (Asia/Shanghai) day
    yesterday: Mapped[str] = mapped_column(Text, default="", server_default="")
    plan: Mapped[str] = mapped_column(Text, default="", server_default="")
    plan_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: an activity came before the plan
    progress: Mapped[str] = mapped_column(Text, default="", server_default="")
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    progress_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    activities: Mapped[list[GroundActivity]] = relationship(
        back_populates="report", order_by="GroundActivity.id", cascade="all, delete-orphan")


class GroundActivity(db.Model):  # type: ignore[name-defined,misc]
    """A ground activity (地面活动) of the day: where, its photos (stored names under the media dir's "field"),
    and what it brought. One filed with no signal waits on the phone and comes later: the phone's time beside the
    server's (``created_at``), flagged late-received, stored once per form (``client_key``)."""

    __tablename__ = "field_ground_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("field_daily_reports.id"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    # Read only when the person taps "use my location" (PIPL: never tracked).
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    handsets_sold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    broadband_signups: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    new_lines: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the retention purge (lms.field.retention) removed the photos and coordinates; the results stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the phone's, for an activity queued offline
    late_received: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    report: Mapped[DailyReport] = relationship(back_populates="activities")


class DayAssignment(db.Model):  # type: ignore[name-defined,misc]
    """The day's work a supervisor assigns one manager (the township business department's 布置); writing it again
    replaces the text (the audit log keeps the earlier one)."""

    __tablename__ = "field_day_assignments"
    __table_args__ = (UniqueConstraint("manager_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    manager: Mapped[User] = relationship(foreign_keys=[manager_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
