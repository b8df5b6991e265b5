"""The organisation pages, driven as an administrator would: the tree, a new grid, two managers moved into it from
their person pages, a rename, a grid moved to another county, a refused deactivation with its reasons."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import PersonHistory, User
from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.org.models import Unit
from tests.support.web import post_form


def entries(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def unit_named(name):
    return db.session.scalars(select(Unit).where(Unit.name == name)).one()


def test_the_tree_shows_counties_grids_and_people_counts(client, auth, make_user):
    make_user("manager", county="城区", grid="东城网格")
    make_user("manager", county="城区", grid="西城网格")
    make_user("manager", county="郊县", grid="北乡网格")
    auth.login(make_user("admin"))
    page = client.get("/admin/org").get_data(as_text=True)
    for name in ("城区", "东城网格", "西城网格", "郊县", "北乡网格"):
        assert name in page
    county = unit_named("城区")
    assert f'unit_id={county.id}' in page or f"/admin/org/{county.id}" in page
    assert client.get("/admin/org").status_code == 200


def test_admin_adds_a_grid_moves_two_managers_into_it_and_renames_it(client, auth, make_user):
    first = make_user("manager", county="城区", grid="东城网格", name="甲经理")
    second = make_user("manager", county="城区", grid="西城网格", name="乙经理")
    admin = make_user("admin")
    auth.login(admin)
    county = unit_named("城区")
    response = post_form(client, "/admin/org", {"kind": "grid", "grid-county": str(county.id),
                                                "grid-name": "南城网格"})
    assert response.status_code == 302
    grid = unit_named("南城网格")
    assert (grid.kind, grid.parent_id, grid.active) == ("grid", county.id, True)
    for person in (first, second):
        page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
        assert f'value="{grid.id}"' in page  # the new grid is offered
        response = post_form(client, f"/admin/users/{person.id}/edit", {
            "edit-name": person.name, "edit-phone": "", "edit-role": "manager", "edit-unit": str(grid.id)},
            token_from="/")
        assert response.status_code == 302
    db.session.expire_all()
    assert (first.grid_id, second.grid_id) == (grid.id, grid.id)
    page = client.get(f"/admin/org/{grid.id}").get_data(as_text=True)
    assert "甲经理" in page
    assert "乙经理" in page
    # each move is in the person's history and the audit log
    moved = db.session.scalars(select(PersonHistory).where(PersonHistory.user_id == first.id,
                                                           PersonHistory.field == "grid")).all()
    assert [(h.old, h.new, h.changed_by_id) for h in moved] == [("东城网格", "南城网格", admin.id)]
    assert len(entries("person.unit_changed")) == 2
    assert entries("unit.created")[0].changes == {"level": "grid", "unit_name": [None, "南城网格"], "county": "城区"}

    response = post_form(client, f"/admin/org/{grid.id}/rename", {"rename-name": "南城新网格"}, token_from="/",
                         follow_redirects=True)
    assert "已改名" in response.get_data(as_text=True)
    (renamed,) = entries("unit.renamed")
    assert renamed.changes == {"unit_name": ["南城网格", "南城新网格"]}
    # history keeps the name the grid had when the person moved
    history_page = client.get(f"/admin/users/{first.id}").get_data(as_text=True)
    assert "南城网格" in history_page
    assert "南城新网格" in history_page
    # the audit log shows the acts by their labels
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "单位改名" in log
    assert "新增单位" in log
    assert "单位变更" in log


def test_a_unit_with_people_is_not_deactivated_and_says_why(client, auth, make_user):
    person = make_user("manager", county="城区", grid="东城网格")
    auth.login(make_user("admin"))
    grid = unit_named("东城网格")
    page = client.get(f"/admin/org/{grid.id}").get_data(as_text=True)
    assert "该单位还有在职人员" in page  # told before pressing
    response = post_form(client, f"/admin/org/{grid.id}/active", {"active": "0"}, token_from="/",
                         follow_redirects=True)
    assert "未停用：该单位还有在职人员" in response.get_data(as_text=True)
    db.session.expire_all()
    assert grid.active
    county = unit_named("城区")
    response = post_form(client, f"/admin/org/{county.id}/active", {"active": "0"}, token_from="/",
                         follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "该单位还有在职人员" in text
    assert "该县区下还有在用的网格" in text
    assert entries("unit.deactivated") == []
    # once the person has left, the grid can be deactivated; it stays, hidden from the pickers
    post_form(client, f"/admin/users/{person.id}", {"action": "deactivate"})
    response = post_form(client, f"/admin/org/{grid.id}/active", {"active": "0"}, token_from="/",
                         follow_redirects=True)
    assert "已停用" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, grid.id).active is False
    new_page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'value="{grid.id}"' not in new_page
    (off,) = entries("unit.deactivated")
    assert off.changes == {"level": "grid", "in_use": [True, False]}


def test_a_grid_moves_to_another_county_with_its_people(client, auth, make_user, make_unit):
    person = make_user("manager", county="城区", grid="东城网格")
    other = make_unit("郊县")
    admin = make_user("admin")
    auth.login(admin)
    grid = unit_named("东城网格")
    response = post_form(client, f"/admin/org/{grid.id}/move", {"move-county": str(other.id)}, token_from="/",
                         follow_redirects=True)
    assert "已将网格调到“郊县”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (grid.parent_id, db.session.get(User, person.id).county_id) == (other.id, other.id)
    (moved,) = entries("unit.moved")
    assert moved.changes == {"county": ["城区", "郊县"], "people": 1}
    (row,) = db.session.scalars(select(PersonHistory).where(PersonHistory.user_id == person.id)).all()
    assert (row.field, row.old, row.new) == ("county", "城区", "郊县")


def test_names_are_checked_and_a_county_is_added(client, auth, make_user):
    make_user("manager", county="城区", grid="东城网格")
    auth.login(make_user("admin"))
    county = unit_named("城区")
    response = post_form(client, "/admin/org", {"kind": "grid", "grid-county": str(county.id),
                                                "grid-name": "东城网格"}, follow_redirects=True)
    assert "同一上级下已有同名单位" in response.get_data(as_text=True)
    response = post_form(client, "/admin/org", {"kind": "county", "county-name": "新区"})
    assert response.status_code == 302
    assert unit_named("新区").kind == "county"


def test_the_pages_are_the_admins_alone(client, auth, make_user):
    make_user("manager")
    auth.login(make_user("supervisor", county="城区", grid=None))
    assert client.get("/admin/org").status_code == 403
