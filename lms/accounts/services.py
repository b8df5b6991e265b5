"""Use cases for signing in: authentication, passwords and API tokens. Services own the commit.

The administration of people (roster import, activation) is in ``lms.accounts.people``."""

from __future__ import annotations

import hashlib
import logging
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts import passwords, sessions
from lms.accounts.models import ApiToken, User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.extensions import db

log = logging.getLogger(__name__)

# A hash to compare against when the employee number is unknown, so timing does not reveal who exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(employee_no: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.employee_no == employee_no.strip()))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def check_new_password(user: User, password: str, *, is_current: bool | None = None) -> None:
    """Raises ValidationFailed naming every reason ``password`` may not be ``user``'s (``passwords.problems``).
    ``is_current``: whether it is the current password, when the caller knows (else the hash is checked)."""
    same = is_current if is_current is not None else (
        bool(user.password_hash) and check_password_hash(user.password_hash or "", password))
    problems = passwords.problems(password, employee_no=user.employee_no, name=user.name, is_current=same)
    if problems:
        raise ValidationFailed("新密码不符合要求", problems, code="weak_password")


def set_password(employee_no: str, password: str, *, must_change: bool = False) -> User:
    """An administrator's reset from the command line: sets the password (which must meet the policy) and ends
    every session of the person; ``must_change``: it is a temporary one, to be replaced at the next sign-in."""
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    if user is None:
        raise NotFound(f"没有工号为 {employee_no} 的人员")
    check_new_password(user, password)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    sessions.end_all_sessions(user, reason="password set from the command line")
    audit.record(audit_rules.PASSWORD_RESET, target=user, subject=user.employee_no,
                 reason="命令行设置临时密码" if must_change else "命令行设置密码")
    db.session.commit()
    log.info("password reset for %s", employee_no)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The person's own change: every other session of theirs ends; the one making the change stays signed in."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationFailed("当前密码不正确")
    check_new_password(user, new, is_current=new == current)
    user.password_hash = hash_password(new)
    was_temporary, user.must_change_password = user.must_change_password, False
    sessions.end_all_sessions(user, reason="password changed", keep=user.session_row_id)
    audit.record(audit_rules.PASSWORD_CHANGED, target=user, actor=user, subject=user.employee_no,
                 reason="更换临时密码" if was_temporary else "本人修改密码")
    db.session.commit()


# --- API tokens -------------------------------------------------------------------------------------------------

TOKEN_PREFIX = "lms_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(employee_no: str, label: str = "") -> str:
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    if user is None:
        raise NotFound(f"没有工号为 {employee_no} 的人员")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    # The record names whose token and what for, never the token (only its digest is stored at all).
    audit.record(audit_rules.TOKEN_CREATED, target=user, subject=label or "API token")
    db.session.commit()
    return token


# One statement for a token's owner, built once: every API call (each autosave of a test) runs it.
_TOKEN_OWNER = (select(User.id).join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                       User.active.is_(True)))


def token_owner(token: str, connection: Connection) -> int | None:
    """The id of the active person a live token belongs to, without loading the person: an autosave needs only the
    id, and loading the ORM object cost more than the query (measured: 0.07 ms for the id, ~0.6 ms with the person
    in a fresh session). ``lms.api.blueprint`` loads the person only when a view asks for ``current_user``, and
    says which connection to ask on: the ORM session's, or for the autosave the request's Core connection."""
    row = connection.execute(_TOKEN_OWNER, {"token_hash": _digest(token)}).first()
    return row[0] if row is not None else None


def reset_to_temporary_password(user_id: int) -> tuple[User, str]:
    """An administrator's reset from the web page: a one-time temporary password, shown once."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("没有该人员")
    temporary = passwords.temporary_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True  # to be replaced at the first sign-in: an administrator has seen it
    sessions.end_all_sessions(user, reason="temporary password issued")
    audit.record(audit_rules.PASSWORD_RESET, target=user, subject=user.employee_no, reason="管理员设置临时密码")
    db.session.commit()
    log.info("temporary password issued for %s", user.employee_no)
    return user, temporary
