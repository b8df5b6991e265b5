from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json", "/nope", "/static/css/app.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    response.close()


def test_error_pages_are_chinese(client, auth, make_user):
    assert "页面不存在" in client.get("/nope").get_data(as_text=True)
    auth.login(make_user("manager"))
    assert "没有权限" in client.get("/admin/users").get_data(as_text=True)


def test_pages_reference_no_external_assets(client):
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html
