"""One person at a time on the administrator's pages: add one, edit name, phone, role and unit with the roster's
guards, the history of roles and units, and the audit entries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts import person_edits, rules
from lms.accounts.models import PersonHistory, User
from lms.audit.models import AuditEntry
from lms.core.errors import Conflict
from lms.extensions import db
from lms.org.models import Unit
from tests.support.web import post_form


def entries(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def grid_named(name):
    return db.session.scalars(select(Unit).where(Unit.name == name)).one()


def edit(client, person, **values):
    data = {"edit-name": person.name, "edit-phone": person.phone or "", "edit-role": person.role,
            "edit-unit": str(person.grid_id or person.county_id or "")}
    data.update({f"edit-{k}": v for k, v in values.items()})
    return post_form(client, f"/admin/users/{person.id}/edit", data, token_from="/", follow_redirects=True)


def test_admin_adds_one_person_who_must_change_the_temporary_password(app, client, auth, make_user):
    make_user("manager", county="城区", grid="东城网格")
    admin = make_user("admin")
    auth.login(admin)
    grid = grid_named("东城网格")
    assert "新增一名人员" in client.get("/admin/users").get_data(as_text=True)
    response = post_form(client, "/admin/users/new", {"employee_no": "M7001", "name": "新经理", "phone": "13800001111",
                                                      "role": "manager", "unit": str(grid.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已新增 M7001 新经理" in html
    temporary = re.search(r'class="temporary-password">([^<]+)<', html).group(1)
    person = db.session.scalars(select(User).where(User.employee_no == "M7001")).one()
    assert (person.county_id, person.grid_id, person.must_change_password) == (grid.parent_id, grid.id, True)
    (created,) = entries("person.created")
    assert created.actor_id == admin.id
    assert created.changes["grid"] == [None, "东城网格"]
    rows = {h.field: (h.old, h.new) for h in db.session.scalars(
        select(PersonHistory).where(PersonHistory.user_id == person.id))}
    assert rows == {"role": (None, "manager"), "county": (None, "城区"), "grid": (None, "东城网格")}
    # the new person signs in with the temporary password and is led to change it
    other = app.test_client()
    response = post_form(other, "/login", {"employee_no": "M7001", "password": temporary})
    assert response.status_code == 302
    assert "/password" in other.get("/").headers.get("Location", "")


def test_adding_refuses_a_taken_employee_number_and_the_roster_rules(client, auth, make_user):
    taken = make_user("manager", employee_no="M7002", active=False)
    auth.login(make_user("admin"))
    county = db.session.get(Unit, taken.county_id)
    response = post_form(client, "/admin/users/new", {"employee_no": "m7002", "name": "重复", "role": "trainer",
                                                      "unit": ""})
    assert response.status_code == 422
    assert "该工号已存在" in response.get_data(as_text=True)
    # a channel manager needs a grid (the roster's rule), and a phone has 11 digits
    response = post_form(client, "/admin/users/new", {"employee_no": "M7003", "name": "无网格", "role": "manager",
                                                      "unit": str(county.id)})
    assert response.status_code == 422
    assert "渠道经理必须填写县区和网格" in response.get_data(as_text=True)
    response = post_form(client, "/admin/users/new", {"employee_no": "M7004", "name": "号码", "role": "trainer",
                                                      "unit": "", "phone": "123"})
    assert response.status_code == 422
    assert "手机号应为11位数字" in response.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.employee_no.in_(["M7003", "M7004"]))).all() == []


def test_edits_are_audited_field_by_field_and_kept_in_history(client, auth, make_user, make_unit):
    person = make_user("manager", county="城区", grid="东城网格", name="张三")
    other = make_unit("城区", "西城网格")
    sup_grid = make_user("supervisor", county="城区", grid="西城网格", name="网格主管甲")
    sup_county = make_user("supervisor", county="城区", grid=None, name="县区主管乙")
    admin = make_user("admin")
    auth.login(admin)
    response = edit(client, person, name="张叁", phone="13900002222", unit=str(other.id))
    assert "已保存" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (person.name, person.phone, person.grid_id) == ("张叁", "13900002222", other.id)
    assert entries("person.name_changed")[0].changes == {"name": ["张三", "张叁"]}
    assert entries("person.phone_changed")[0].changes == {"phone": [None, "13900002222"]}
    assert entries("person.unit_changed")[0].changes == {"grid": ["东城网格", "西城网格"]}
    # role: a manager becomes a supervisor, then back; each in the history
    edit(client, person, role="supervisor")
    edit(client, person, role="manager")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "角色与单位变更记录" in page
    rows = db.session.scalars(select(PersonHistory).where(PersonHistory.user_id == person.id)
                              .order_by(PersonHistory.id)).all()
    assert [(h.field, h.old, h.new) for h in rows] == [
        ("grid", "东城网格", "西城网格"), ("role", "manager", "supervisor"), ("role", "supervisor", "manager")]
    assert [e.changes for e in entries("person.role_changed")] == [
        {"role": ["manager", "supervisor"]}, {"role": ["supervisor", "manager"]}]
    # dual management: the grid's and the county's supervisors are named on the person's page
    assert "网格主管甲" in page
    assert "县区主管乙" in page
    assert sup_grid.id
    assert sup_county.id
    # nothing changed: nothing written
    before = len(db.session.scalars(select(AuditEntry)).all())
    assert "没有需要保存的变更" in edit(client, person).get_data(as_text=True)
    assert len(db.session.scalars(select(AuditEntry)).all()) == before


def test_the_guards_refuse_own_role_and_keep_an_admin(client, auth, make_user):
    admin = make_user("admin", name="管理员甲")
    other = make_user("admin", name="管理员乙")
    auth.login(admin)
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "不能修改自己的角色" in page  # said before pressing
    response = edit(client, admin, role="trainer")
    assert "未保存：不能修改自己的角色" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.role == "admin"
    assert "已保存" in edit(client, admin, name="管理员丙").get_data(as_text=True)  # one's own name may change
    # two active admins: the other may be demoted; then this one is the last, and still cannot demote themselves
    assert "已保存" in edit(client, other, role="trainer").get_data(as_text=True)
    assert "不能修改自己的角色" in edit(client, db.session.get(User, admin.id), role="trainer").get_data(as_text=True)
    assert [e.changes for e in entries("person.role_changed")] == [{"role": ["admin", "trainer"]}]


def test_the_last_active_admin_is_never_demoted(make_user):
    last = make_user("admin")
    someone = make_user("trainer")  # an actor who is not the person (the page's actor always is an admin)
    with pytest.raises(Conflict) as refused:
        person_edits.edit_person(last.id, name=last.name, phone=None, role="trainer", unit_id=None, actor=someone)
    assert refused.value.code == "last_admin"
    db.session.expire_all()
    assert db.session.get(User, last.id).role == "admin"
    # a deactivated admin does not count, and may be given another role
    gone = make_user("admin", active=False)
    assert person_edits.edit_person(gone.id, name=gone.name, phone=None, role="trainer", unit_id=None,
                                    actor=someone) == ["person.role_changed"]


def test_the_guard_rule():
    before = rules.Person("A1", "甲", rules.ADMIN)
    after = rules.Person("A1", "甲", rules.TRAINER)
    assert rules.refuse_edit(before, after, actor="A1", active_admins=3) == rules.REFUSED_OWN_ROLE_EDIT
    assert rules.refuse_edit(before, after, actor="A2", active_admins=1) == rules.REFUSED_LAST_ADMIN
    assert rules.refuse_edit(before, after, actor="A2", active_admins=2) is None
    assert rules.refuse_edit(before, before, actor="A1", active_admins=1) is None
