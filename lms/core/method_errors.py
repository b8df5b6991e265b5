"""405 answers say which methods the address takes (``Allow``, RFC 9110 §15.5.6), on pages and the API alike.

The app's error pages (lms.core.templating) build a fresh response for every HTTP error, which drops the headers
Werkzeug's exception carries; this handler, more specific than theirs, keeps their body and adds ``Allow``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def init_app(app: Flask) -> None:
    @app.errorhandler(MethodNotAllowed)
    def _method_not_allowed(exc: MethodNotAllowed) -> Any:
        generic: Any = app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)
        response = app.make_response(generic(exc) if generic is not None else exc.get_response())
        if exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response
