"""Server-side sessions: a sign-in is a row, and ending the row ends the cookie (issue 19, finding 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms.accounts import rules
from tests.conftest import PASSWORD
from tests.support.web import post_form

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Mobile Safari/537.36")
WECHAT_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
                "Safari/537.36 Edg/126.0.0.0")


def sign_in(client, person, user_agent=ANDROID_CHROME):
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    response = post_form(client, "/login", {"employee_no": person.employee_no, "password": PASSWORD})
    assert response.status_code == 302
    return response


def live_sessions(person):
    from lms.accounts.models import UserSession
    from lms.extensions import db

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == person.id))


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, auth, make_user):
    """Finding 1: the copy is replayed from another client after the person signed out."""
    person = make_user()
    auth.login(person)
    copied = client.get_cookie("session").value
    assert client.get("/assessment/mine").status_code == 200
    auth.logout()

    thief = app.test_client()
    thief.set_cookie("session", copied)
    page = thief.get("/assessment/mine")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login")
    api = thief.get("/api/v1/me")
    assert (api.status_code, api.json["error"]["code"]) == (401, "unauthorized")
    assert live_sessions(person) == 0


def test_each_sign_in_is_its_own_session_and_the_cookie_holds_no_stored_value(app, client, make_user):
    from lms.accounts.models import UserSession
    from lms.extensions import db

    person = make_user()
    sign_in(client, person)
    sign_in(app.test_client(), person, WECHAT_IOS)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == person.id)).all()
    assert len(rows) == 2
    with client.session_transaction() as session:
        secret = session["_user_id"]
    assert all(secret not in (row.secret_hash, str(row.id)) for row in rows)  # only a hash of the secret is kept
    assert {row.device for row in rows} == {"Chrome · Android", "微信 · iOS"}


def test_the_sessions_page_lists_each_device_and_marks_this_one(app, client, make_user):
    person = make_user()
    sign_in(app.test_client(), person, WINDOWS_EDGE)
    sign_in(client, person)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert "Chrome · Android" in html
    assert "Edge · Windows" in html
    assert html.count("本设备") == 1
    assert html.count("退出该设备") == 1  # this device is not ended from here: that is signing out


def test_ending_another_device_signs_it_out_and_is_audited(app, client, make_user):
    from lms.accounts.models import UserSession
    from lms.audit.models import AuditEntry
    from lms.extensions import db

    person = make_user()
    other = app.test_client()
    sign_in(other, person, WINDOWS_EDGE)
    sign_in(client, person)
    row = db.session.scalar(select(UserSession).where(UserSession.device == "Edge · Windows"))
    response = post_form(client, f"/account/sessions/{row.id}/end", {}, token_from="/account/sessions")
    assert response.status_code == 302
    assert other.get("/").status_code == 302  # the other device must sign in again
    assert client.get("/").status_code == 200  # this one stays
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.ended"))
    assert entry.target_user_id == person.id
    assert entry.actor_id == person.id


def test_this_device_and_someone_elses_sessions_cannot_be_ended_from_the_personal_page(app, client, make_user):
    from lms.accounts.models import UserSession
    from lms.extensions import db

    person, stranger = make_user(), make_user()
    sign_in(app.test_client(), stranger)
    sign_in(client, person)
    theirs = db.session.scalar(select(UserSession.id).where(UserSession.user_id == stranger.id))
    mine = db.session.scalar(select(UserSession.id).where(UserSession.user_id == person.id))
    for row_id in (theirs, mine, 99999999):
        response = post_form(client, f"/account/sessions/{row_id}/end", {}, token_from="/account/sessions")
        assert response.status_code == 302
    assert live_sessions(stranger) == 1
    assert live_sessions(person) == 1
    assert client.get("/").status_code == 200


def test_sign_out_other_devices_keeps_only_this_one(app, client, make_user):
    person = make_user()
    others = [app.test_client() for _ in range(2)]
    for other in others:
        sign_in(other, person, WINDOWS_EDGE)
    sign_in(client, person)
    response = post_form(client, "/account/sessions/end-others", {}, token_from="/account/sessions")
    assert response.status_code == 302
    assert "已退出其他 2 台设备" in client.get("/account/sessions").get_data(as_text=True)
    assert [other.get("/").status_code for other in others] == [302, 302]
    assert live_sessions(person) == 1


def test_an_admin_sees_and_ends_a_persons_sessions(app, client, make_user):
    from lms.accounts.models import UserSession
    from lms.audit.models import AuditEntry
    from lms.extensions import db

    admin, person = make_user("admin"), make_user()
    phones = [app.test_client() for _ in range(2)]
    for phone in phones:
        sign_in(phone, person)
    sign_in(client, admin, WINDOWS_EDGE)
    page = client.get(f"/admin/users/{person.id}/sessions")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("Chrome · Android") == 2
    first = db.session.scalars(select(UserSession.id).where(UserSession.user_id == person.id)).first()
    post_form(client, f"/admin/users/{person.id}/sessions/{first}/end", {},
              token_from=f"/admin/users/{person.id}/sessions")
    assert sorted(phone.get("/").status_code for phone in phones) == [200, 302]
    post_form(client, f"/admin/users/{person.id}/sessions/end-all", {},
              token_from=f"/admin/users/{person.id}/sessions")
    assert [phone.get("/").status_code for phone in phones] == [302, 302]
    assert client.get("/").status_code == 200  # the admin's own session is not theirs to lose
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.ended")).all()
    assert [(e.actor_id, e.target_user_id) for e in entries] == [(admin.id, person.id)] * 2
    assert client.get("/admin/users/99999999/sessions").status_code == 404


@pytest.mark.parametrize("role", ["manager", "supervisor", "trainer"])
def test_only_an_admin_sees_another_persons_sessions(client, auth, make_user, role):
    person = make_user()
    auth.login(make_user(role))
    assert client.get(f"/admin/users/{person.id}/sessions").status_code == 403
    response = post_form(client, f"/admin/users/{person.id}/sessions/end-all", {}, token_from="/")
    assert response.status_code == 403


def test_end_all_sessions_joins_the_callers_transaction(app, client, make_user):
    from lms.accounts import sessions
    from lms.extensions import db

    person = make_user()
    sign_in(client, person)
    sign_in(app.test_client(), person)
    assert sessions.end_all_sessions(person, reason="test") == 2
    db.session.rollback()  # the caller changed its mind: nothing ended
    assert live_sessions(person) == 2
    assert sessions.end_all_sessions(person, reason="test") == 2
    db.session.commit()
    assert live_sessions(person) == 0
    assert client.get("/").status_code == 302


def test_a_session_lasts_twelve_hours_from_sign_in(client, make_user):
    from lms.accounts.models import UserSession
    from lms.core.clock import utcnow
    from lms.extensions import db

    person = make_user()
    sign_in(client, person)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(hours=11, minutes=59)))
    db.session.commit()
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(hours=12, seconds=1)))
    db.session.commit()
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(client, make_user):
    from lms.accounts.models import UserSession
    from lms.core.clock import utcnow
    from lms.extensions import db

    person = make_user()
    sign_in(client, person)
    for url in ("/", "/api/v1/me"):
        recent = utcnow() - timedelta(seconds=30)
        db.session.execute(update(UserSession).values(last_seen_at=recent))
        db.session.commit()
        client.get(url)
        db.session.expire_all()
        assert db.session.scalar(select(UserSession.last_seen_at)) == recent  # not rewritten within the minute
        stale = utcnow() - timedelta(minutes=5)
        db.session.execute(update(UserSession).values(last_seen_at=stale))
        db.session.commit()
        client.get(url)
        db.session.expire_all()
        assert db.session.scalar(select(UserSession.last_seen_at)) > recent, url


def test_a_password_reset_ends_every_session(app, client, make_user):
    from lms.accounts import services

    person = make_user()
    sign_in(client, person)
    sign_in(app.test_client(), person)
    services.reset_to_temporary_password(person.id)
    assert live_sessions(person) == 0
    assert client.get("/").status_code == 302


def test_expired_sessions_are_cleared_at_the_next_sign_in(client, make_user):
    from lms.accounts.models import UserSession
    from lms.core.clock import utcnow
    from lms.extensions import db

    person = make_user()
    sign_in(client, person)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    sign_in(client, person)
    assert live_sessions(person) == 1


@pytest.mark.parametrize(("agent", "label"), [
    (ANDROID_CHROME, "Chrome · Android"),
    (WECHAT_IOS, "微信 · iOS"),
    (WINDOWS_EDGE, "Edge · Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", "Safari · macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox · Linux"),
    ("Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 "
     "HuaweiBrowser/14.0 Mobile Safari/537.36", "华为浏览器 · HarmonyOS"),
    ("curl/8.5.0", ""),
    ("", ""),
])
def test_device_label_names_browser_and_system(agent, label):
    assert rules.device_label(agent) == label
