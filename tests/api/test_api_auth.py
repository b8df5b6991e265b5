from __future__ import annotations

from tests.support.tokens import issue_token
from tests.support.web import api_headers


def test_token_printed_alone_on_last_line_authenticates(client, runner, make_user):
    user = make_user("supervisor")
    token = issue_token(runner, user, "payroll")
    assert token.startswith("lms_")
    assert " " not in token
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["employee_no"] == user.employee_no


def test_missing_or_wrong_token_is_401_json(client, runner, make_user):
    issue_token(runner, make_user(), "payroll")
    for headers in ({}, {"Authorization": "Bearer lms_wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
        assert response.json["error"]["message"]


def test_token_of_deactivated_person_stops_working(client, runner, make_user):
    from lms.extensions import db

    user = make_user()
    token = issue_token(runner, user, "payroll")
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_for_unknown_person_is_refused(runner):
    result = runner.invoke(args=["tokens", "create", "--user", "NOPE"])
    assert result.exit_code != 0
    assert "NOPE" in result.output


def test_session_cookie_works_for_reads(client, auth, make_user):
    # Writes with a cookie session need the X-CSRFToken header: covered by the quiz player's API tests.
    auth.login(make_user())
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers=api_headers(client)).json["role"] == "manager"


def test_unknown_api_route_is_json_404(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_openapi_document_is_public_and_lists_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
    assert "/me" in response.json["paths"]


def test_a_page_sessions_api_access_ends_with_deactivation_or_a_password_change(client, auth, make_user):
    """The API knows a page's caller from the session's token (one lookup, not the whole person): what ends a
    session on the pages must end it here too."""
    from lms.accounts import people
    from lms.accounts import services as accounts

    for end_it in (lambda person: people.set_active(person.id, False),
                   lambda person: accounts.reset_to_temporary_password(person.id)):
        person = make_user()
        auth.login(person)
        assert client.get("/api/v1/me").json["employee_no"] == person.employee_no
        end_it(person)
        response = client.get("/api/v1/me")
        assert (response.status_code, response.json["error"]["code"]) == (401, "unauthorized")
        auth.logout()


def test_a_page_whose_session_ended_is_told_to_sign_in_and_a_stale_page_token_is_named(client, auth, make_user):
    """What the quiz page needs to keep a change instead of dropping it: a write from a page whose session ended
    is 401 "unauthorized" (not a 400 for the CSRF token that went with the session), and a write with a token that
    is not this session's is 400 "csrf_failed", told apart from a bad request."""
    person = make_user()
    auth.login(person)
    headers = api_headers(client)
    assert client.post("/api/v1/attempts/1/events", headers=headers, json={"kind": "online"}).status_code == 404
    auth.logout()
    response = client.post("/api/v1/attempts/1/events", headers=headers, json={"kind": "online"})
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthorized")

    auth.login(person)
    response = client.post("/api/v1/attempts/1/events", headers=headers, json={"kind": "online"})  # the old token
    assert (response.status_code, response.json["error"]["code"]) == (400, "csrf_failed")
    assert response.json["error"]["message"]
