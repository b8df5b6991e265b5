from __future__ import annotations

from tests.support.web import csrf_token


def test_login_page_is_chinese_and_has_contract_fields(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录" in html
    for field in ('name="employee_no"', 'name="password"', 'name="csrf_token"'):
        assert field in html


def test_each_role_lands_on_its_home_page(client, auth, make_user):
    for role, marker in [("manager", "渠道经理"), ("trainer", "培训师"), ("supervisor", "主管"), ("admin", "管理员")]:
        user = make_user(role)
        response = auth.login(user)
        assert response.status_code == 302
        home = client.get(response.headers["Location"])
        assert home.status_code == 200
        assert user.name in home.get_data(as_text=True)
        assert marker in home.get_data(as_text=True)
        auth.logout()


def test_wrong_password_is_refused_without_saying_which_part(client, auth, make_user):
    user = make_user()
    response = auth.login(user, "wrong-password")
    assert response.status_code == 401
    assert "工号或密码错误" in response.get_data(as_text=True)
    unknown = auth.login("NOBODY1", "whatever-123")
    assert "工号或密码错误" in unknown.get_data(as_text=True)


def test_inactive_person_cannot_sign_in(auth, make_user):
    user = make_user(active=False)
    assert auth.login(user).status_code == 401


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    response = auth.login(make_user())
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(app_config, template_db, tmp_path):
    from lms import create_app

    uri = template_db.clone(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path)
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": uri, "LMS_PRODUCTION": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    template_db.drop(uri)


def test_session_is_renewed_at_sign_in(client, auth, make_user):
    before = csrf_token(client, "/login")
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    auth.login(make_user())
    with client.session_transaction() as session:
        assert "planted" not in session
    assert csrf_token(client, "/") != before


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"employee_no": user.employee_no, "password": "correct-horse-9"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_logout_requires_post_with_token(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_send_people_elsewhere(client, make_user):
    from tests.support.web import post_form

    user = make_user()
    response = post_form(client, "/login?next=https://evil.example/", {"employee_no": user.employee_no,
                                                                         "password": "correct-horse-9"})
    assert response.headers["Location"] == "/"


def test_password_change_rotates_other_sessions(app, client, auth, make_user):
    from tests.support.web import post_form

    user = make_user()
    other = app.test_client()
    auth.login(user)
    post_form(other, "/login", {"employee_no": user.employee_no, "password": "correct-horse-9"})
    assert other.get("/").status_code == 200
    response = post_form(client, "/account/password", {"current": "correct-horse-9", "new": "new-secret-77",
                                                        "confirm": "new-secret-77"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays signed in
    assert other.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login(user, "new-secret-77").status_code == 302


def test_language_can_be_switched_to_english(client):
    client.get("/lang/en")
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html
