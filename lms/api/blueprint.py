from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request, session, url_for
from flask_login import current_user
from sqlalchemy.engine import Connection

from lms.accounts import services as accounts
from lms.accounts import sessions
from lms.accounts.models import User
from lms.api import openapi
from lms.core import ratelimit
from lms.core.database import core_connection
from lms.extensions import csrf, db, login_manager

api = Blueprint("api", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])


def _marks(endpoints: set[str]) -> Callable[[F], F]:
    """A decorator that records an API view's endpoint name (``api.<function>``) in ``endpoints``."""
    def mark(view: F) -> F:
        endpoints.add(f"api.{view.__name__}")
        return view
    return mark


PUBLIC_ENDPOINTS: set[str] = set()
# @public: an API route that needs no sign-in (OpenAPI document, certificate check).
public = _marks(PUBLIC_ENDPOINTS)
# @unthrottled: no rate limit ever refuses it, and it skips the limiter's per-request hooks (lms.core.ratelimit).
unthrottled = _marks(ratelimit.UNTHROTTLED)
ONE_CONNECTION: set[str] = set()
# @one_connection: the view runs on the connection the caller check used, the request's Core connection
# (lms.core.database.core_connection): the autosave, which never creates an ORM session. Other routes check the
# caller on the ORM session's connection, which their view goes on using: one connection per request.
one_connection = _marks(ONE_CONNECTION)


def _check_connection() -> Connection:
    return core_connection() if request.endpoint in ONE_CONNECTION else db.session.connection()


def error(status: int, code: str, message: str) -> Any:
    return jsonify(error={"code": code, "message": message}), status


CALLER = "lms.caller_id"  # the checked caller's id (None: a token that is not live), in the request's WSGI environ
SESSION_KEY = "_user_id"  # where Flask-Login keeps the signed-in person's id (here: their session's secret)
# With a temporary password, a page's session may only ask who it is; everything else waits for a new password.
_OPEN_WHILE_TEMPORARY = {"api.me"}


def _bearer_user_id(req: Any, header: str) -> int | None:
    """Who a bearer token belongs to, looked up once per request (the login manager and the check both ask).

    Kept in the WSGI environ, which lives exactly as long as the request (``g`` may outlive it in tests)."""
    if CALLER not in req.environ:
        req.environ[CALLER] = accounts.token_owner(header[7:].strip(), _check_connection())
    return req.environ[CALLER]  # type: ignore[no-any-return]


@login_manager.request_loader
def _load_from_bearer(req: Any) -> User | None:
    header = req.headers.get("Authorization", "")
    if req.path.startswith("/api/") and header.lower().startswith("bearer "):
        user_id = _bearer_user_id(req, header)
        return db.session.get(User, user_id) if user_id is not None else None
    return None


def caller_id() -> int:
    """The caller's user id, known from the token or session check: a view that needs only the id (the autosave)
    never loads the person. Views that need the person use ``current_user`` as usual."""
    user_id = request.environ.get(CALLER)
    return user_id if user_id is not None else int(current_user.id)


@api.before_request
def _authenticate() -> Any:
    header = request.headers.get("Authorization", "")
    if header:
        user_id = _bearer_user_id(request, header) if header.lower().startswith("bearer ") else None
        if user_id is None:
            return error(401, "unauthorized", "API 令牌缺失或无效")
        return None  # a live token of an active person
    if request.endpoint not in PUBLIC_ENDPOINTS:
        # The page's session: who it belongs to, as one indexed lookup. Flask-Login would load the whole person
        # here, which the autosave does not need (~a quarter of a page autosave's work, profiled); views that need
        # the person still get it from current_user.
        secret = session.get(SESSION_KEY)
        connection = _check_connection()
        checked = sessions.check(secret, connection) if isinstance(secret, str) else None
        if checked is None:  # before the CSRF check: a page whose session ended learns to sign in again
            return error(401, "unauthorized", "需要登录或 API 令牌")
        if checked.touched:  # last-seen time, at most once a minute: committed now, apart from the view's work
            if request.endpoint in ONE_CONNECTION:
                connection.commit()
            else:
                db.session.commit()
        if checked.must_change_password and request.endpoint not in _OPEN_WHILE_TEMPORARY:
            return error(403, "password_change_required", "请先修改管理员设置的临时密码")
        request.environ[CALLER] = checked.user_id
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # a cookie session: the page sends X-CSRFToken
    return None


@api.route("/openapi.json")
@public
def openapi_document() -> Any:
    return jsonify(openapi.build(url_for("api.openapi_document", _external=True).rsplit("/", 1)[0]))


@api.route("/me")
def me() -> Any:
    return jsonify(
        employee_no=current_user.employee_no,
        name=current_user.name,
        role=current_user.role,
        county=current_user.county.name if current_user.county else None,
        grid=current_user.grid.name if current_user.grid else None,
    )


openapi.document("/me", "get", {
    "summary": "Who the caller is",
    "responses": {"200": {"description": "the signed-in person", "content": {"application/json": {"schema": {
        "type": "object", "required": ["employee_no", "name", "role"], "properties": {
            "employee_no": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": ["manager", "trainer", "supervisor", "admin"]},
            "county": {"type": "string", "nullable": True}, "grid": {"type": "string", "nullable": True}}}}}},
        **openapi.error_responses(401)},
})
