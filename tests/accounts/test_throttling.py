from __future__ import annotations

from tests.support.web import post_form


def wrong(client, employee_no):
    return post_form(client, "/login", {"employee_no": employee_no, "password": "not-the-password"})


def test_wrong_passwords_are_throttled_per_employee_number(app, client, auth, make_user):
    victim = make_user()
    statuses = [wrong(client, victim.employee_no).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    throttled = auth.login(victim)  # even the right password waits until the window passes
    assert throttled.status_code == 429
    assert "尝试次数过多" in throttled.get_data(as_text=True)


def test_colleagues_behind_the_same_address_are_not_locked_out(app, auth, make_user):
    victim, colleague = make_user(), make_user()
    attacker = app.test_client()
    for _ in range(8):
        wrong(attacker, victim.employee_no)
    assert auth.login(colleague).status_code == 302


def test_successful_sign_ins_do_not_count(app, client, auth, make_user):
    user = make_user()
    for _ in range(7):
        assert auth.login(user).status_code == 302
        auth.logout()


def test_per_address_ceiling(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_IP"] = "10 per minute"
    statuses = [wrong(client, f"U{i:04d}").status_code for i in range(11)]
    assert statuses[-1] == 429
