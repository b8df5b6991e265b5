from __future__ import annotations

import secrets
from datetime import datetime

from flask import has_request_context
from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts import rules
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.org.models import Unit


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(16), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Unused since sessions became rows (migration 0013 says why the column stays); filled so that it stays unique.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(24), unique=True)
    # Set by an administrator's reset to a temporary password: every page leads to the password form until changed.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locale: Mapped[str | None] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    county: Mapped[Unit | None] = relationship(foreign_keys=[county_id])
    grid: Mapped[Unit | None] = relationship(foreign_keys=[grid_id])

    # Flask-Login: deactivated people cannot sign in or keep a session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    # The secret of the server-side session this request signed in with (set by sign-in and by the session loader,
    # never stored on the person): Flask-Login keeps it in the cookie, so a cookie names one session row. Plain
    # attributes, not columns: ``__allow_unmapped__`` lets the ORM ignore their annotations.
    __allow_unmapped__ = True
    session_secret: str | None = None
    session_row_id: int | None = None

    # Two objects are the same person when they are the same row (as before, when get_id() named the person);
    # Flask-Login's UserMixin compares get_id(), which now names a session and is absent on a person not signed in.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        if self.id is None or other.id is None:
            return self is other
        return self.id == other.id

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__  # as UserMixin's: identity within a session (an id may arrive only at flush)

    def get_id(self) -> str:
        if self.session_secret is None:
            raise RuntimeError("get_id() before a session was started or loaded for this person")
        return self.session_secret

    @property
    def scope(self) -> rules.Scope:
        return rules.scope_for(role=self.role, user_id=self.id, county_id=self.county_id, grid_id=self.grid_id)

    @property
    def role_label(self) -> str:
        return rules.ROLE_LABELS.get(self.role, self.role)

    @property
    def unit_label(self) -> str:
        parts = [u.name for u in (self.county, self.grid) if u is not None]
        if parts:
            return " / ".join(parts)
        # The one word of the label that is not a unit's name: in the reader's language on a page.
        return gettext("全市") if has_request_context() else "全市"

    def __repr__(self) -> str:
        return f"<User {self.employee_no} {self.role}>"


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A bearer token for another system, acting as one person. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One signed-in browser: created at sign-in, deleted at sign-out or when ended (by the person from another
    device, by an administrator, by a password change or deactivation). The cookie carries a random secret; only
    its SHA-256 is stored, so a copy of the table signs nobody in."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    device: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class PersonHistory(db.Model):  # type: ignore[name-defined,misc]
    """One change of a person's role, county or grid: insert-only, so a person's roles and units over time can be
    told (and a moved manager's old results stay with the unit they were earned in). ``old``/``new`` hold the
    role's code or the unit's name at the time (a unit renamed later keeps its old name here)."""

    __tablename__ = "person_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    field: Mapped[str] = mapped_column(String(8))  # role | county | grid
    old: Mapped[str | None] = mapped_column(String(100))
    new: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
