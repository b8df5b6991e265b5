from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db

CITY, COUNTY, GRID = "city", "county", "grid"


class Unit(db.Model):  # type: ignore[name-defined,misc]
    """One node of the organisation: the city, a county/district (县区) or a grid (网格/乡镇营业部)."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("kind", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # A deactivated unit stays (people's history and old results name it) but is hidden from pickers.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Where the unit's business hall (营业厅) is: the morning check-in is judged against it (lms.field).
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.kind} {self.name}>"
