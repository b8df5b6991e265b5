"""Server-side sessions: each sign-in is a ``UserSession`` row, and the cookie carries its secret.

Signing out deletes the row, so a copy of the cookie made before is worth nothing after; so do ending a session
from another device or by an administrator, a password change or reset, and deactivation (``end_all_sessions``).
A session lives at most ``PERMANENT_SESSION_LIFETIME`` (12 hours) from sign-in, as the signed cookie does.

``last_seen_at`` is written at most once a minute per session, from the same lookup that checks the session: the
autosave of a test checks its caller in one query and writes nothing more than once a minute.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.engine import Connection

from lms.accounts import rules
from lms.accounts.models import User, UserSession
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import utcnow
from lms.core.errors import NotFound
from lms.extensions import db

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=1)  # how stale ``last_seen_at`` may get before the lookup refreshes it


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=int(lifetime))


def _oldest_live(now: datetime) -> datetime:
    return now - _lifetime()


def start(user: User, *, address: str, user_agent: str) -> str:
    """A new session for ``user`` (who has just proved who they are); returns the secret for the cookie and sets it
    on ``user`` for Flask-Login's ``get_id()``. Also removes the person's sessions that have expired."""
    now = utcnow()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.created_at <= _oldest_live(now)))
    secret = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, secret_hash=_digest(secret), created_at=now, last_seen_at=now,
                      address=address[:64], device=rules.device_label(user_agent)[:64])
    db.session.add(row)
    db.session.commit()
    user.session_secret, user.session_row_id = secret, row.id
    return secret


# The session lookup for pages (the person loaded) and for the API (only the id and the forced-change flag): one
# indexed query each, built once.
def _live_session(*columns: Any) -> Select[Any]:
    """``columns`` of the live session with a given secret and its active owner."""
    return (select(*columns).join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.secret_hash == bindparam("secret_hash"),
                   UserSession.created_at > bindparam("oldest"), User.active.is_(True)))


_PAGE_LOOKUP = _live_session(User, UserSession.id, UserSession.last_seen_at)
_API_LOOKUP = _live_session(User.id, UserSession.id, UserSession.last_seen_at, User.must_change_password)
_TOUCH = update(UserSession).where(UserSession.id == bindparam("row_id")).values(last_seen_at=bindparam("now"))


def load(secret: str) -> User | None:
    """The active person a live session belongs to (Flask-Login's user loader), with the session's secret and id
    set on them. Refreshes ``last_seen_at`` when a minute old: that write is committed at once, before the view
    runs, so it never waits for (or carries) the view's own work."""
    now = utcnow()
    row = db.session.execute(_PAGE_LOOKUP, {"secret_hash": _digest(secret), "oldest": _oldest_live(now)}).first()
    if row is None:
        return None
    user, row_id, last_seen = row
    if now - last_seen >= TOUCH_EVERY:
        db.session.execute(_TOUCH, {"row_id": row_id, "now": now})
        db.session.commit()
    user.session_secret, user.session_row_id = secret, row_id
    return user  # type: ignore[no-any-return]


class SessionCheck(NamedTuple):
    user_id: int
    must_change_password: bool
    touched: bool  # ``last_seen_at`` was written on the connection: the caller commits it


def check(secret: str, connection: Connection) -> SessionCheck | None:
    """Who a live session belongs to, without loading the person: the API's check of a page's cookie (as
    ``services.token_owner`` for a bearer token). One query; a second, the touch, at most once a minute."""
    now = utcnow()
    row = connection.execute(_API_LOOKUP, {"secret_hash": _digest(secret), "oldest": _oldest_live(now)}).first()
    if row is None:
        return None
    user_id, row_id, last_seen, must_change = row
    touched = now - last_seen >= TOUCH_EVERY
    if touched:
        connection.execute(_TOUCH, {"row_id": row_id, "now": now})
    return SessionCheck(user_id, bool(must_change), touched)


def active_sessions(user_id: int) -> list[UserSession]:
    """The person's live sessions, the most recently used first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.created_at > _oldest_live(utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_current(user: User) -> None:
    """Sign-out: the session this request signed in with ends."""
    if user.session_row_id is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == user.session_row_id))
        db.session.commit()
        log.info("session ended for %s: signed out", user.employee_no)


def end_all_sessions(user: User, *, reason: str, keep: int | None = None) -> int:
    """End every session of ``user`` (except the one with id ``keep``, the device acting now). Adds to the caller's
    transaction and does not commit: the caller's act (password change, deactivation) commits both together.
    Returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    ended = db.session.execute(statement).rowcount or 0
    log.info("%d session(s) of %s ended: %s", ended, user.employee_no, reason)
    return ended


def end_other_sessions(user: User) -> int:
    """The person's "sign out other devices": every session but this one ends. Audited; commits."""
    ended = end_all_sessions(user, reason="signed out other devices", keep=user.session_row_id)
    if ended:
        audit.record(audit_rules.SESSION_ENDED, target=user, subject="其他设备",
                     changes={"sessions": [ended, 0]}, reason="本人退出其他设备")
    db.session.commit()
    return ended


def end_session(owner_id: int, row_id: int, *, actor: User) -> UserSession:
    """End one session of person ``owner_id``: by the person from another device, or by an administrator.
    Audited; commits. NotFound when no such live session belongs to that person (already ended, or not theirs)."""
    row = db.session.scalar(select(UserSession).where(UserSession.id == row_id, UserSession.user_id == owner_id))
    if row is None:
        raise NotFound("该登录会话已结束或不存在")
    owner = row.user
    by_self = actor.id == owner.id
    audit.record(audit_rules.SESSION_ENDED, target=owner,
                 subject=f"{row.device or '未知设备'} · {row.address}",
                 changes={"signed_in_at": [row.created_at.isoformat(timespec="seconds"), None]},
                 reason="本人在其他设备上结束" if by_self else "管理员结束")
    db.session.delete(row)
    db.session.commit()
    log.info("session %d of %s ended by %s", row_id, owner.employee_no, actor.employee_no)
    return row


def end_all_for(user_id: int, *, actor: User) -> int:
    """An administrator ends every session of person ``user_id``. Audited; commits."""
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound("没有该人员")
    ended = end_all_sessions(person, reason=f"ended by {actor.employee_no}",
                             keep=actor.session_row_id if actor.id == person.id else None)
    if ended:
        audit.record(audit_rules.SESSION_ENDED, target=person, subject="全部设备",
                     changes={"sessions": [ended, 0]}, reason="管理员结束全部登录会话")
    db.session.commit()
    return ended
