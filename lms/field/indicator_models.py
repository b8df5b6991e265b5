"""The process indicators' weights (过程指标分值): the city's default and each county's own (县区自主考核)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db

CITY = 0  # county_id of the city-wide default row (a real county id is never 0)


class IndicatorWeight(db.Model):  # type: ignore[name-defined,misc]
    """The full points of one process indicator (lms.field.indicator_rules) for a county, or the city (0)."""

    __tablename__ = "field_indicator_weights"
    __table_args__ = (UniqueConstraint("county_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not a foreign key: 0 stands for the city's default, which no unit row is.
    county_id: Mapped[int] = mapped_column(index=True)
    indicator: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
