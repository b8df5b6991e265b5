from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts import people
from lms.audit.models import AuditEntry
from lms.core.errors import Conflict
from lms.extensions import db
from tests.support.web import post_form


def test_admin_deactivates_and_the_person_is_signed_out(app, client, auth, make_user):
    person = make_user()
    their_client = app.test_client()
    post_form(their_client, "/login", {"employee_no": person.employee_no, "password": "correct-horse-9"})
    assert their_client.get("/").status_code == 200
    auth.login(make_user("admin"))
    response = post_form(client, f"/admin/users/{person.id}", {"action": "deactivate"}, follow_redirects=True)
    assert "已停用" in response.get_data(as_text=True)
    assert their_client.get("/").status_code == 302
    assert post_form(their_client, "/login", {"employee_no": person.employee_no,
                                              "password": "correct-horse-9"}).status_code == 401


def test_admin_issues_a_temporary_password_shown_once(app, client, auth, make_user):
    person = make_user()
    auth.login(make_user("admin"))
    html = post_form(client, f"/admin/users/{person.id}", {"action": "reset"}).get_data(as_text=True)
    temporary = re.search(r'class="temporary-password">([^<]+)<', html).group(1)
    assert temporary not in client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    other = app.test_client()
    assert post_form(other, "/login", {"employee_no": person.employee_no, "password": temporary}).status_code == 302


def test_set_password_command(runner, auth, make_user):
    person = make_user()
    result = runner.invoke(args=["users", "set-password", person.employee_no, "--password", "brand-new-77"])
    assert result.exit_code == 0, result.output
    assert auth.login(person, "brand-new-77").status_code == 302
    weak = runner.invoke(args=["users", "set-password", person.employee_no, "--password", "12345678"])
    assert weak.exit_code != 0
    assert "常见或已泄露" in weak.output
    unknown = runner.invoke(args=["users", "set-password", "NOBODY", "--password", "brand-new-77"])
    assert unknown.exit_code != 0


def audit_entries(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_deactivation_and_reactivation_are_in_the_audit_log(client, auth, make_user):
    person = make_user()
    admin = make_user("admin")
    auth.login(admin)
    post_form(client, f"/admin/users/{person.id}", {"action": "deactivate"})
    post_form(client, f"/admin/users/{person.id}", {"action": "activate"})
    (off,) = audit_entries("person.deactivated")
    (on,) = audit_entries("person.reactivated")
    assert (off.target_user_id, off.actor_id, off.changes) == (person.id, admin.id, {"active": [True, False]})
    assert (on.target_user_id, on.changes) == (person.id, {"active": [False, True]})


def test_an_admin_cannot_deactivate_themselves(client, auth, make_user):
    admin = make_user("admin")
    make_user("admin")
    auth.login(admin)
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert 'value="deactivate"' not in page
    response = post_form(client, f"/admin/users/{admin.id}", {"action": "deactivate"}, follow_redirects=True)
    assert "不能停用自己" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.active
    assert client.get("/admin/users").status_code == 200
    assert audit_entries("person.deactivated") == []


def test_the_last_active_admin_cannot_be_deactivated(make_user):
    admin = make_user("admin")
    make_user("admin", active=False)
    with pytest.raises(Conflict, match="最后一位在职管理员"):
        people.set_active(admin.id, False)
    db.session.expire_all()
    assert admin.active
    second = make_user("admin")
    people.set_active(admin.id, False, actor=second)
    assert not admin.active
