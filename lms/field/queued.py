"""What the phone's offline queue (static/js/field/offline-queue.js) adds to a form it posts: the phone's time of
the act, the form's key (a resend is stored once), and an ``Accept: application/json`` header asking for a JSON
answer instead of a page. Read by the views of the forms the queue carries (visits, ground activities)."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import request

from lms.core.clock import parse_local


def device_at() -> datetime | None:
    """The phone's time of a queued form (ISO 8601; without an offset, local), or None when sent at once."""
    raw = (request.form.get("device_at") or "").strip()
    try:
        return parse_local(raw) if raw else None
    except ValueError:
        return None


def client_key() -> str | None:
    return (request.form.get("client_key") or "").strip()[:64] or None


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def new_key() -> str:
    """A form's key, written into the page: the queue sends it with the form."""
    return uuid.uuid4().hex
