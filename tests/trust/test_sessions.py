"""Sessions and forms: CSRF on every write of the URL map (strictly: 400, also with another session's token or an
expired one), the cookies' flags as a browser receives them, and a 60-minute test that still saves and submits at
minute 59 with the token and session it started with (time moved with freezegun; nobody sleeps).

Already proved elsewhere and not repeated: a fresh session at sign-in (tests/accounts/test_sign_in.py
``test_session_is_renewed_at_sign_in``), sign-in without a token refused, a password change signing out other
sessions, and the lenient whole-map CSRF pass with made-up ids (tests/core/test_route_matrix.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from lms.core.clock import utcnow
from lms.core.i18n import LANG_COOKIE
from tests.core.test_route_matrix import build_url
from tests.support.quiz_files import sync, write_quiz
from tests.support.web import csrf_token, post_form

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def writes(app: Any) -> list[tuple[str, str]]:
    return [(method, build_url(rule)) for rule in app.url_map.iter_rules()
            for method in sorted((rule.methods or set()) & WRITES)]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_every_write_needs_this_sessions_token(app, client, auth, make_user, role):
    """No token, another session's token, a forged one, a token from 13 hours ago: 400 on every write route."""
    stranger = app.test_client()
    post_form(stranger, "/login", {"employee_no": make_user("manager").employee_no, "password": "correct-horse-9"})
    foreign = csrf_token(stranger, "/")
    with freeze_time(utcnow() - timedelta(hours=13)):
        auth.login(make_user(role))
        stale = csrf_token(client, "/")
    auth.login(make_user(role))  # signed in again now: the stale token belongs to an earlier session of this client
    tokens = {"no token": None, "another session's": foreign, "forged": "ImZvcmdlZCI.abc.def", "13 hours old": stale}
    problems, checked = [], 0
    for method, url in writes(app):
        for name, token in tokens.items():
            form = {"x": "1"} if token is None else {"x": "1", "csrf_token": token}
            headers = {} if token is None else {"X-CSRFToken": token}
            response = client.open(url, method=method, data=form, headers=headers)
            checked += 1
            if response.status_code != 400:
                problems.append(f"{method} {url} with {name}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert checked >= 4 * 40
    # the same client with its own, current token gets through (so the 400s above are the token, not the route)
    assert post_form(client, "/logout", {}, token_from="/").status_code == 302


def set_cookie(response: Any, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_production_cookies_as_the_browser_receives_them(template_db, tmp_path, app_config, make_user):
    """Flags on the Set-Cookie headers themselves (tests/accounts checks the settings), and HSTS."""
    from lms import create_app
    from tests.conftest import IsolatedClient

    uri = template_db.clone(tmp_path)  # a database of its own: the production app shares nothing with ``app``
    production = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": uri, "LMS_PRODUCTION": True})
    production.test_client_class = IsolatedClient
    try:
        with production.app_context():
            from lms.extensions import db

            person = make_user("manager")  # inside this context: created in the production app's database
            browser = production.test_client()
            response = post_form(browser, "/login", {"employee_no": person.employee_no,
                                                      "password": "correct-horse-9"})
            assert response.status_code == 302
            session = set_cookie(response, "session")
            for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
                assert flag in session, (flag, session)
            assert "Domain=" not in session  # host-only: never sent to sibling hosts
            assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
            assert response.headers["Strict-Transport-Security"].startswith("max-age=")
            language = set_cookie(browser.get("/lang/en"), LANG_COOKIE)
            for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
                assert flag in language, (flag, language)
            db.session.remove()
            db.engine.dispose()
    finally:
        template_db.drop(uri)


def test_development_cookies_are_httponly_and_samesite_but_not_secure(client, auth, make_user):
    """Over plain http on a laptop a Secure cookie would never come back; production turns Secure on."""
    session = set_cookie(auth.login(make_user()), "session")
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session
    assert "Secure" not in session


def test_the_cookie_from_before_sign_in_is_not_the_signed_in_session(app, client, auth, make_user):
    """Fixation from the outside: a session cookie planted before sign-in does not become a signed-in one."""
    client.get("/login")
    planted = client.get_cookie("session")
    assert planted is not None
    auth.login(make_user())
    assert client.get_cookie("session").value != planted.value
    attacker = app.test_client()
    attacker.set_cookie("session", planted.value)
    assert attacker.get("/").status_code == 302  # still anonymous: sent to sign in


SIXTY_MINUTES = """\
title: 六十分钟的系统操作考试
kind: practice
time_limit_minutes: 60
shuffle_questions: false
shuffle_options: false
questions:
  - id: q1
    type: single
    stem: 终端订货系统又称？
    options: [B2B, CRM, BSS, OSS]
    answer: A
  - id: q2
    type: truefalse
    stem: 80 分为及格。
    answer: true
"""


def test_a_sixty_minute_test_still_saves_and_submits_at_minute_59(app, client, auth, make_user):
    """The page keeps the CSRF token and the session cookie it got when it was opened; the person reads the rules
    for five minutes, starts, saves at minute 59 and submits in the last second of the grace period — 66 minutes
    after the token was issued (Flask-WTF's default lifetime, one hour, would refuse it). At 12 h 1 min the same
    token is refused, so the clock really moved for the token check."""
    write_quiz(app, "sixty", SIXTY_MINUTES)
    sync(app)
    person = make_user("manager")
    grace = app.config["LMS_GRACE_SECONDS"]
    opened = utcnow().replace(microsecond=0)
    with freeze_time(opened) as clock:
        auth.login(person)
        token = csrf_token(client, "/quizzes/sixty/take")
        headers = {"X-CSRFToken": token, "Content-Type": "application/json"}

        clock.tick(timedelta(minutes=5))
        paper = client.post("/api/v1/quizzes/sixty/attempts", headers=headers).get_json()
        assert paper["time_limit_seconds"] == 3600
        first, second = paper["questions"]
        assert client.put(f"/api/v1/attempts/{paper['id']}/answers/{first['id']}", headers=headers,
                          json={"choices": [first["options"][0]["id"]]}).status_code == 200

        clock.tick(timedelta(minutes=59))
        state = client.get(f"/api/v1/attempts/{paper['id']}").get_json()
        assert state["status"] == "in_progress"
        assert 0 < state["remaining_seconds"] <= 60
        saved = client.put(f"/api/v1/attempts/{paper['id']}/answers/{second['id']}", headers=headers,
                           json={"choices": [second["options"][0]["id"]]})
        assert saved.status_code == 200, saved.get_data(as_text=True)

        clock.tick(timedelta(seconds=60 + grace - 1))  # the deadline plus grace, less one second
        submitted = client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=headers, json={})
        assert submitted.status_code == 200, submitted.get_data(as_text=True)
        assert submitted.get_json()["score"] == 100

        clock.tick(timedelta(hours=11))  # about 12 h 5 min after the token was issued
        late = client.post("/api/v1/quizzes/sixty/attempts", headers=headers)
        assert late.status_code in (400, 401), late.get_data(as_text=True)


def test_a_phone_that_changes_network_mid_test_stays_signed_in_and_keeps_saving(app, client, auth, make_user):
    """Moving from Wi-Fi to mobile data (or between cells) changes the address the server sees. The session must
    survive it: with Flask-Login's "strong" protection it was deleted, and the test page's next autosave was a 401."""
    write_quiz(app, "sixty", SIXTY_MINUTES)
    sync(app)
    wifi, mobile = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "198.51.100.77"}
    auth.login(make_user("manager"))
    headers = {"X-CSRFToken": csrf_token(client, "/quizzes/sixty/take"), "Content-Type": "application/json"}
    paper = client.post("/api/v1/quizzes/sixty/attempts", headers=headers, environ_base=wifi).get_json()
    first, second = paper["questions"]
    for question, network in ((first, wifi), (second, mobile)):
        saved = client.put(f"/api/v1/attempts/{paper['id']}/answers/{question['id']}", headers=headers,
                           json={"choices": [question["options"][0]["id"]]}, environ_base=network)
        assert saved.status_code == 200, saved.get_data(as_text=True)
    assert client.get("/", environ_base=mobile).status_code == 200  # pages too: still signed in
    submitted = client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=headers, json={}, environ_base=mobile)
    assert submitted.get_json()["score"] == 100
