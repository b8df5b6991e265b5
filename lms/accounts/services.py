"""Use cases for signing in: authentication, passwords and API tokens. Services own the commit.

The administration of people (roster import, activation) is in ``lms.accounts.people``."""

from __future__ import annotations

import hashlib
import logging
import secrets

from sqlalchemy import Select, bindparam, select
from sqlalchemy.engine import Connection
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import ApiToken, User, new_session_token
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.extensions import db

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
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


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    if password.isdigit():
        raise ValidationFailed("密码不能全是数字")


def set_password(employee_no: str, password: str) -> User:
    """An administrator's reset: sets the password and ends the person's other sessions."""
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    if user is None:
        raise NotFound(f"没有工号为 {employee_no} 的人员")
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    db.session.commit()
    log.info("password reset for %s", employee_no)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationFailed("当前密码不正确")
    check_new_password(new)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
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
    db.session.commit()
    return token


# One statement for a token's owner, built once: every API call (each autosave of a test) runs it.
_TOKEN_OWNER = (select(User.id).join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                       User.active.is_(True)))


_SESSION_OWNER = select(User.id).where(User.session_token == bindparam("session_token"), User.active.is_(True))


def session_owner(session_token: str, connection: Connection) -> int | None:
    """The id of the active person a signed-in session belongs to (the session keeps the person's session token,
    which a password change or deactivation replaces), without loading the person — as ``token_owner``."""
    return _owner_id(connection, _SESSION_OWNER, {"session_token": session_token})


def token_owner(token: str, connection: Connection) -> int | None:
    """The id of the active person a live token belongs to, without loading the person: an autosave needs only the
    id, and loading the ORM object cost more than the query (measured: 0.07 ms for the id, ~0.6 ms with the person
    in a fresh session). ``lms.api.blueprint`` loads the person only when a view asks for ``current_user``, and
    says which connection to ask on: the ORM session's, or for the autosave the request's Core connection."""
    return _owner_id(connection, _TOKEN_OWNER, {"token_hash": _digest(token)})


def _owner_id(connection: Connection, statement: Select[tuple[int]], parameters: dict[str, str]) -> int | None:
    row = connection.execute(statement, parameters).first()
    return row[0] if row is not None else None


def reset_to_temporary_password(user_id: int) -> tuple[User, str]:
    """An administrator's reset from the web page: a one-time temporary password, shown once."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("没有该人员")
    temporary = "Tmp-" + secrets.token_urlsafe(6)
    user.password_hash = hash_password(temporary)
    user.session_token = new_session_token()
    db.session.commit()
    log.info("temporary password issued for %s", user.employee_no)
    return user, temporary
