"""A file waiting between its preview and its confirmation: the roster, the shops, a question bank's import.

Kept in the database (not in a form field, not on one server's disk) so a confirmation works whichever process
answers it; only the person who uploaded it may open, confirm or cancel it (anyone else is told it does not exist);
deleted when confirmed, cancelled, or found expired, and the expired ones are cleared whenever a new one is kept.
Its SHA-256 is kept beside the bytes, so the bytes confirmed are the bytes previewed. Each import keeps its own table
(``StagedUpload`` gives the columns) and its own time to live.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.clock import utcnow
from lms.core.errors import DomainError, NotFound
from lms.core.types import UTCDateTime
from lms.extensions import db


class User(Protocol):  # the person uploading or viewing (lms.accounts.models.User; core depends on no domain)
    id: int


class PreviewExpired(DomainError):
    """The waiting file is older than its time to live (or its bytes changed): upload it again."""

    status = 410
    code = "preview_expired"


class StagedUpload:
    """The columns of a waiting file; a model mixes this in and adds what its import needs (a mode, a bank)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The random key in the preview's address; only the person who uploaded may open or confirm it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of data: the bytes confirmed are those previewed


Upload = TypeVar("Upload", bound=StagedUpload)


def is_expired(created_at: datetime, *, now: datetime, ttl: timedelta) -> bool:
    """Past its time to live: a file kept exactly ``ttl`` ago may still be confirmed."""
    return now - created_at > ttl


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep(model: type[Upload], data: bytes, filename: str, *, uploader: User, ttl: timedelta,
         now: datetime | None = None, **columns: Any) -> Upload:
    """Keep the file for its uploader's confirmation (committed); the expired waiting files of its kind go."""
    now = now or utcnow()
    db.session.execute(delete(model).where(model.created_at < now - ttl))
    make: Any = model  # a mapped class: SQLAlchemy gives it the keyword constructor the mixin lacks
    upload: Upload = make(token=secrets.token_urlsafe(24), uploaded_by_id=uploader.id, created_at=now,
                          filename=filename[:200], data=data, checksum=checksum(data), **columns)
    db.session.add(upload)
    db.session.commit()
    return upload


def pending(model: type[Upload], token: str, viewer: User, *, ttl: timedelta, missing: str, expired: str,
            now: datetime | None = None) -> Upload:
    """The viewer's own waiting file: NotFound(``missing``) for anyone else's or none; an expired one (or one whose
    bytes no longer match) is deleted and PreviewExpired(``expired``) raised."""
    upload = db.session.scalar(select(model).where(model.token == token))
    if upload is None or upload.uploaded_by_id != viewer.id:
        raise NotFound(missing)
    if is_expired(upload.created_at, now=now or utcnow(), ttl=ttl) or checksum(upload.data) != upload.checksum:
        db.session.delete(upload)
        db.session.commit()
        raise PreviewExpired(expired)
    return upload


def cancel(model: type[Upload], token: str, viewer: User) -> None:
    """Drop the viewer's own waiting file; anything else (none, someone else's) is left as it is."""
    upload = db.session.scalar(select(model).where(model.token == token))
    if upload is not None and upload.uploaded_by_id == viewer.id:
        db.session.delete(upload)
        db.session.commit()
