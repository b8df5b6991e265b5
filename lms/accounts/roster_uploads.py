"""A roster file waiting between its preview and the administrator's confirmation.

Kept in the database (not in a form field, not on one server's disk) so a confirmation works whichever process
answers it; deleted when confirmed, cancelled, or found expired. It lives beside models.py rather than in it so the
roster's pieces stay together; ``lms.accounts.people`` imports it, and ``views`` imports that, so the table is always
in the metadata.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db


class RosterUpload(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "roster_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The random key in the preview's address; only the person who uploaded may open or confirm it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-256 of ``data``: the bytes confirmed are the bytes previewed.
    checksum: Mapped[str] = mapped_column(String(64))
    # Full-roster mode: channel managers missing from the file are deactivated.
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False)
