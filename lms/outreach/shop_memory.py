"""A phone remembers its shop: the shop page (``/s/<token>``) and a session check-in set a signed cookie with the
shop's id, sent only to the check-in pages (``/t/``), so a staff member scanning a session's QR code finds their
shop already chosen. It names no person and opens nothing by itself: the check-in honours it only for a shop of
the session's own manager."""

from __future__ import annotations

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.outreach import links

COOKIE = "lms_shop"
SALT = "shop-memory"
MAX_AGE_DAYS = 180


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(links.secret_keys(), salt=SALT)


def _path() -> str:
    return f"{request.script_root}/t/"


def remember_shop(shop_id: int) -> None:
    """Set the cookie on this request's response."""
    value = str(_serializer().dumps(shop_id))

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(COOKIE, value, max_age=MAX_AGE_DAYS * 86400, path=_path(), httponly=True,
                            samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response


def remembered_shop_id() -> int | None:
    """The shop id this phone remembers, when the cookie is ours and not too old."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 200:
        return None
    try:
        value = _serializer().loads(raw, max_age=MAX_AGE_DAYS * 86400)
    except (BadSignature, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None
