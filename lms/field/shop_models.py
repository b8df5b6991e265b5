"""Shops (渠道), the history of their star and owner, and a shop file waiting between its preview and the
administrator's confirmation (as the roster's, in the database so any process may answer the confirmation; deleted
when confirmed, cancelled or found expired)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.staged_uploads import StagedUpload
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.org.models import Unit


class Shop(db.Model):  # type: ignore[name-defined,misc]
    """A shop that sells (执行渠道): its code in the operator's channel system, kind and star (lms.field.rules),
    where it is, its grid and the channel manager responsible for it."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    star: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A closed shop stays (its visits and tickets name it) but is no longer visited or counted.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    grid: Mapped[Unit | None] = relationship(foreign_keys=[grid_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])

    def __repr__(self) -> str:
        return f"<Shop {self.code}>"


class ShopHistory(db.Model):  # type: ignore[name-defined,misc]
    """Insert-only: each change of a shop's star, kind, grid or manager, who made it and when."""

    __tablename__ = "shop_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    field: Mapped[str] = mapped_column(String(16))  # "star", "kind", "grid", "manager", "active"
    old: Mapped[str | None] = mapped_column(String(100))
    new: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: an import by a command

    shop: Mapped[Shop] = relationship()


class ShopUpload(StagedUpload, db.Model):  # type: ignore[name-defined,misc]
    """A shop file waiting between its preview and the administrator's confirmation (lms.core.staged_uploads)."""

    __tablename__ = "shop_uploads"
