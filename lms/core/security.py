"""Security headers on every response (scripts and styles come only from our own origin), and a NUL guard on input.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def _refuse_nul_characters() -> None:
    """No honest link, form or JSON body carries a NUL character, and PostgreSQL cannot store one in text: refuse
    it at the door as bad input (400) rather than deep in a query (500). Uploaded files are bytes and unaffected."""
    fields = [request.path, *(item for key, values in request.args.lists() for item in (key, *values))]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += [item for key, values in request.form.lists() for item in (key, *values)]
    if any("\x00" in field for field in fields):
        abort(400)
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body or b"\\u0000" in body:
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
    if app.config["LMS_PRODUCTION"]:
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
