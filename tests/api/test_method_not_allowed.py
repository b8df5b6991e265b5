"""405 answers name the methods the address takes (``Allow``), on the API and on pages."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("DELETE", "/api/v1/me", {"GET", "HEAD", "OPTIONS"}),
    ("POST", "/api/v1/attempts/1", {"GET", "HEAD", "OPTIONS"}),
    ("GET", "/api/v1/attempts/1/submit", {"POST", "OPTIONS"}),
    ("PATCH", "/api/v1/lessons/x/studied", {"PUT", "DELETE", "OPTIONS"}),
    ("PUT", "/login", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("GET", "/logout", {"POST", "OPTIONS"}),
])
def test_405_carries_allow(client, method, url, allowed):
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed
    if url.startswith("/api/"):
        assert response.json["error"]["code"] == "method_not_allowed"
    else:
        assert "不支持" in response.get_data(as_text=True)  # the app's own error page, not Werkzeug's
