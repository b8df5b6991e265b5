from __future__ import annotations

import re

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
    assert "全是数字" in weak.output
    unknown = runner.invoke(args=["users", "set-password", "NOBODY", "--password", "brand-new-77"])
    assert unknown.exit_code != 0
