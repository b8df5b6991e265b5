"""Helpers for driving the app through its pages like a person would (forms with their CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page the way a browser would see it."""
    response = client.get(url, follow_redirects=True)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no csrf token on {url}"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], *, token_from: str | None = None,
              **kwargs: Any) -> Any:
    token = csrf_token(client, token_from or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def api_headers(client: FlaskClient) -> dict[str, str]:
    """Headers a signed-in page's JavaScript sends with API writes."""
    return {"X-CSRFToken": csrf_token(client, "/"), "Content-Type": "application/json"}
