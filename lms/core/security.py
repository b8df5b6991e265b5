"""Security headers on every response (scripts and styles come only from our own origin), a NUL guard on input, and
the signed-cookie session interface.

Every request passes through here, each autosave of every test included, so the hooks are written to be cheap
(measured in Python calls per autosave: docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HEADERS_BY_KEY = tuple((name.lower(), name, value) for name, value in HEADERS)  # lower-cased once, not per response


def _headers(response: Response) -> Response:
    """Add each header the view did not set itself. One pass over the response's headers: five ``setdefault`` calls
    each scanned them case-insensitively (~270 Python calls per response)."""
    present = {name.lower() for name, _value in response.headers}
    for key, name, value in _HEADERS_BY_KEY:
        if key not in present:
            response.headers.add(name, value)
    return response


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul_characters() -> None:
    """No honest link, form or JSON body carries a NUL character, and PostgreSQL cannot store one in text: refuse
    it at the door as bad input (400) rather than deep in a query (500). Uploaded files are bytes and unaffected.

    Every request runs this, each autosave included: the request is looked up once, not through the proxy for
    every attribute, and the form and query are parsed only when there are some."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if "\x00" in req.path:
        abort(400)
    if req.query_string and any("\x00" in item for key, values in req.args.lists() for item in (key, *values)):
        abort(400)
    if req.mimetype in _FORM_TYPES and any("\x00" in item for key, values in req.form.lists()
                                           for item in (key, *values)):
        abort(400)
    if req.is_json:
        body = req.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            abort(400)


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, cheaper for the many requests that carry no session (API calls with a token):

    - the signing serializer is built once per set of keys instead of on every request (building one serialises a
      probe value); a changed ``SECRET_KEY`` or ``SECRET_KEY_FALLBACKS`` builds a new one;
    - an empty, unmodified session is not saved: Flask's own save reads six cookie settings first, then does the
      same nothing.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
    if app.config["LMS_PRODUCTION"]:
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
