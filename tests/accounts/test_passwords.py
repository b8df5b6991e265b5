"""The password policy (NIST SP 800-63B) and the temporary password that must be changed (issue 19, finding 3)."""

from __future__ import annotations

import pytest

from lms.accounts import passwords
from tests.conftest import PASSWORD
from tests.support.web import api_headers, post_form


def change(client, new, current=PASSWORD, confirm=None):
    return post_form(client, "/account/password", {"current": current, "new": new,
                                                   "confirm": new if confirm is None else confirm})


# --- the rule itself -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("candidate", "reason"), [
    ("password", passwords.COMMON),
    ("12345678", passwords.COMMON),
    ("iloveyou", passwords.COMMON),
    ("woaini1314", passwords.COMMON),
    ("aaaaaaaa", passwords.GUESSABLE),
    ("Password2026", passwords.GUESSABLE),
    ("qwertyuiop[]", passwords.GUESSABLE),
    ("short1", passwords.TOO_SHORT),
    ("x" * 201, passwords.TOO_LONG),
])
def test_common_guessable_short_and_long_passwords_are_refused(candidate, reason):
    assert reason in passwords.problems(candidate, employee_no="M1001", name="张伟")


def test_the_employee_number_the_name_and_the_current_password_are_refused():
    assert passwords.HAS_EMPLOYEE_NO in passwords.problems("M1001M1001", employee_no="M1001", name="张伟")
    assert passwords.HAS_EMPLOYEE_NO in passwords.problems("m1001-rainy-day", employee_no="M1001")
    assert passwords.HAS_NAME in passwords.problems("张伟的长城宽带账号", employee_no="M1001", name="张伟")
    assert passwords.problems("a-fine-long-one-42", is_current=True) == [passwords.SAME_AS_CURRENT]


def test_every_reason_is_named_at_once():
    found = passwords.problems("M1001", employee_no="M1001", is_current=True)
    assert found[:2] == [passwords.TOO_SHORT, passwords.HAS_EMPLOYEE_NO]
    assert passwords.SAME_AS_CURRENT in found


@pytest.mark.parametrize("candidate", [
    PASSWORD, "Demo@2026", "new-secret-77", "brand-new-77", "我的密码很长很长", "tulip river bench",
    "x7#Kq!m2",
])
def test_no_composition_rules_a_long_or_random_password_is_accepted(candidate):
    assert passwords.problems(candidate, employee_no="M1001", name="张伟") == []


def test_temporary_passwords_pass_the_policy():
    # Drawn in the test, not in the parameters: xdist's workers must collect the same test ids.
    for _ in range(50):
        assert passwords.problems(passwords.temporary_password(), employee_no="M1001", name="张伟") == []


# --- the change-password page -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("new", "message"), [
    ("password", "常见或已泄露"),
    ("aaaaaaaa", "太容易猜到"),
    (None, "不能包含您的工号"),  # the employee number twice
    (PASSWORD, "不能与当前密码相同"),
    ("abc", "至少需要8个字符"),
])
def test_a_weak_new_password_is_refused_with_its_reason(client, auth, make_user, new, message):
    """Finding 3: each of these was accepted."""
    person = make_user()
    auth.login(person)
    new = new or person.employee_no * 2
    response = change(client, new)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(person, new).status_code == 401 or new == PASSWORD
    assert auth.login(person).status_code == 302


def test_a_good_change_keeps_this_session_ends_the_others_and_is_audited(app, client, auth, make_user):
    from sqlalchemy import select

    from lms.audit.models import AuditEntry
    from lms.extensions import db

    person = make_user()
    other = app.test_client()
    post_form(other, "/login", {"employee_no": person.employee_no, "password": PASSWORD})
    auth.login(person)
    response = change(client, "tulip river bench")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password.changed"))
    assert (entry.actor_id, entry.target_user_id) == (person.id, person.id)


def test_the_english_page_names_the_reason_in_english(client, auth, make_user):
    auth.login(make_user())
    client.get("/lang/en")
    html = change(client, "password").get_data(as_text=True)
    assert "common" in html.lower()


# --- a temporary password ------------------------------------------------------------------------------------------

def reset(person):
    from lms.accounts import services

    return services.reset_to_temporary_password(person.id)[1]


def test_a_temporary_password_must_be_changed_before_anything_else(client, auth, make_user):
    person = make_user()
    temporary = reset(person)
    assert auth.login(person, temporary).status_code == 302
    for url in ("/", "/assessment/mine", "/account/sessions"):
        response = client.get(url)
        assert (response.status_code, response.headers.get("Location")) == (302, "/account/password"), url
    page = client.get("/account/password").get_data(as_text=True)
    assert "临时密码" in page
    assert client.get("/lang/en").status_code == 302  # the language can still be chosen
    client.get("/lang/zh_Hans_CN")

    assert "不能与当前密码相同" in change(client, temporary, current=temporary).get_data(as_text=True)
    assert change(client, "tulip river bench", current=temporary).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/assessment/mine").status_code == 200


def test_the_api_refuses_a_page_with_a_temporary_password_but_says_who_it_is(client, auth, make_user):
    person = make_user()
    temporary = reset(person)
    auth.login(person, temporary)
    assert client.get("/api/v1/me").json["employee_no"] == person.employee_no
    response = client.get("/api/v1/attempts/1")
    assert (response.status_code, response.json["error"]["code"]) == (403, "password_change_required")
    response = client.post("/api/v1/attempts/1/events", headers=api_headers(client), json={"kind": "online"})
    assert (response.status_code, response.json["error"]["code"]) == (403, "password_change_required")


def test_a_temporary_password_can_be_signed_out_of(client, auth, make_user):
    person = make_user()
    auth.login(person, reset(person))
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_the_command_line_applies_the_policy_and_ends_sessions(runner, client, auth, make_user):
    person = make_user()
    auth.login(person)
    weak = runner.invoke(args=["users", "set-password", person.employee_no, "--password", "password"])
    assert weak.exit_code != 0
    assert "常见或已泄露" in weak.output
    good = runner.invoke(args=["users", "set-password", person.employee_no, "--password", "tulip river bench"])
    assert good.exit_code == 0, good.output
    assert client.get("/").status_code == 302
    assert auth.login(person, "tulip river bench").status_code == 302


def test_every_reason_is_in_the_catalogue():
    from lms.accounts.views import PASSWORD_REASONS

    assert set(passwords.REASONS) <= {reason._args[0] for reason in PASSWORD_REASONS}


def test_the_command_line_can_set_a_temporary_password(runner, client, auth, make_user):
    person = make_user()
    result = runner.invoke(args=["users", "set-password", person.employee_no, "--password", "tulip river bench",
                                 "--temporary"])
    assert result.exit_code == 0, result.output
    auth.login(person, "tulip river bench")
    assert client.get("/").headers["Location"] == "/account/password"
