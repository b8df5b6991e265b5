"""A roster file waiting between its preview and the administrator's confirmation.

Its columns and its life are every waiting file's (lms.core.staged_uploads), plus the roster's mode. It lives beside
models.py rather than in it so the
roster's pieces stay together; ``lms.accounts.people`` imports it, and ``views`` imports that, so the table is always
in the metadata.
"""

from __future__ import annotations

from sqlalchemy import Boolean
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.staged_uploads import StagedUpload
from lms.extensions import db


class RosterUpload(StagedUpload, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "roster_uploads"

    # Full-roster mode: channel managers missing from the file are deactivated.
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False)
