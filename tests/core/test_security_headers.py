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


def test_a_header_a_view_sets_itself_is_kept_and_none_is_doubled(app, client):
    @app.route("/_test/own-frame-policy")
    def own_frame_policy():
        return "x", 200, {"x-frame-options": "SAMEORIGIN"}  # set in another case than ours

    response = client.get("/_test/own-frame-policy")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_sessions_follow_the_secret_key_and_its_fallbacks(app, client, auth, make_user):
    """The session's signing serializer is built once per set of keys: rotating the key must still be noticed."""
    auth.login(make_user("manager"))
    assert client.get("/").status_code == 200
    old = app.secret_key
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-for-this-test", [old]
    assert client.get("/").status_code == 200  # signed with the old key, which is still a fallback
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/").status_code == 302  # the old key retired: signed out


def test_an_api_call_without_a_session_sets_no_cookie(client, make_user):
    from lms.accounts import services as accounts

    user = make_user("manager")
    token = accounts.create_token(user.employee_no, "test")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["employee_no"] == user.employee_no
    assert "Set-Cookie" not in response.headers
