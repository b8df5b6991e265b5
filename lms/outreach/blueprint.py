"""The outreach blueprint: the manager's page (``/outreach``) and the shop's page (``/s/<token>``)."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("outreach", __name__)


@bp.after_request
def _no_referrer(response: Response) -> Response:
    """A shop link is a key: no page here sends its address on as a referrer, nor is it kept in a cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
