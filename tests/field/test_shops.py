"""The shop registry's service and queries: writes leave history and audit entries in the same transaction, and
each person sees the shops of their scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, Forbidden, ValidationFailed
from lms.extensions import db
from lms.field import shop_queries, shops
from lms.field.models import Shop, ShopHistory


@pytest.fixture
def world(make_user, make_unit):
    east = make_unit("城区", "东城网格")
    west = make_unit("城区", "西城网格")
    river = make_unit("临江县", "临江镇营业部")
    people = {
        "admin": make_user("admin"),
        "county": make_user("supervisor", county="城区", grid=None),
        "east_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "river_sup": make_user("supervisor", county="临江县", grid=None),
        "m_east": make_user("manager", county="城区", grid="东城网格"),
        "m_east2": make_user("manager", county="城区", grid="东城网格"),
        "m_west": make_user("manager", county="城区", grid="西城网格"),
        "m_river": make_user("manager", county="临江县", grid="临江镇营业部"),
    }
    return {"east": east, "west": west, "river": river, **people}


def add(world, code, grid, manager, *, kind="terminal", star=3, lat=None, lng=None):
    fields = shops.ShopFields(name=f"渠道{code}", kind=kind, star=star, latitude=lat, longitude=lng,
                              grid_id=world[grid].id, manager_id=world[manager].id)
    return shops.create_shop(code, fields, actor=world["admin"])


def history(shop):
    return [(h.field, h.old, h.new) for h in db.session.scalars(
        select(ShopHistory).where(ShopHistory.shop_id == shop.id).order_by(ShopHistory.id))]


def actions(subject):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.subject == subject)
                                                 .order_by(AuditEntry.id))]


def test_a_new_shop_records_its_first_star_kind_grid_manager_and_status(world):
    shop = add(world, "QD1", "east", "m_east", star=4)
    assert ("star", None, "4") in history(shop)
    assert ("grid", None, "城区 / 东城网格") in history(shop)
    assert ("manager", None, f"{world['m_east'].employee_no} {world['m_east'].name}") in history(shop)
    assert ("active", None, "1") in history(shop)
    assert actions("QD1") == ["shop.created"]


def test_a_star_and_manager_change_leave_history_and_one_audit_entry(world):
    shop = add(world, "QD1", "east", "m_east", star=3)
    before = len(history(shop))
    fields = shops.ShopFields(name="新名字", kind="terminal", star=5, grid_id=world["east"].id,
                              manager_id=world["m_east2"].id)
    assert shops.edit_shop(shop.id, fields, actor=world["county"])
    assert history(shop)[before:] == [
        ("star", "3", "5"),
        ("manager", f"{world['m_east'].employee_no} {world['m_east'].name}",
         f"{world['m_east2'].employee_no} {world['m_east2'].name}")]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "shop.edited")).one()
    assert entry.changes["star"] == ["3", "5"]
    assert entry.changes["name"] == ["渠道QD1", "新名字"]


def test_saving_the_same_values_writes_nothing(world):
    shop = add(world, "QD1", "east", "m_east")
    before = len(history(shop))
    same = shops.ShopFields(name="渠道QD1", kind="terminal", star=3, grid_id=world["east"].id,
                            manager_id=world["m_east"].id)
    assert shops.edit_shop(shop.id, same, actor=world["admin"]) is False
    assert len(history(shop)) == before
    assert actions("QD1") == ["shop.created"]


def test_closing_and_reopening_is_history_and_audit(world):
    shop = add(world, "QD1", "east", "m_east")
    assert shops.set_shop_active(shop.id, False, actor=world["county"], reason="停业")
    assert shops.set_shop_active(shop.id, False, actor=world["county"]) is False
    assert shops.set_shop_active(shop.id, True, actor=world["admin"])
    assert history(shop)[-2:] == [("active", "1", "0"), ("active", "0", "1")]
    assert actions("QD1") == ["shop.created", "shop.closed", "shop.reopened"]


def test_a_duplicate_code_or_bad_values_are_refused_and_nothing_is_written(world):
    add(world, "QD1", "east", "m_east")
    with pytest.raises(Conflict):
        add(world, "QD1", "west", "m_west")
    bad = shops.ShopFields(name="", kind="shop", star=7, latitude=95.0, longitude=None,
                           manager_id=world["county"].id)
    with pytest.raises(ValidationFailed) as refused:
        shops.create_shop("QD2", bad, actor=world["admin"])
    assert len(refused.value.problems) == 5
    assert db.session.scalar(select(Shop).where(Shop.code == "QD2")) is None


def test_a_county_supervisor_edits_only_their_county_and_a_grid_supervisor_only_the_manager(world):
    east = add(world, "QD1", "east", "m_east")
    river = add(world, "QD2", "river", "m_river")
    fields = shops.ShopFields(name="x", kind="village", star=1, grid_id=world["river"].id,
                              manager_id=world["m_river"].id)
    with pytest.raises(Forbidden):
        shops.edit_shop(river.id, fields, actor=world["county"])
    with pytest.raises(Forbidden):  # nor move a shop of their own county into another county's grid
        shops.edit_shop(east.id, fields, actor=world["county"])
    with pytest.raises(Forbidden):
        shops.edit_shop(east.id, fields, actor=world["east_sup"])
    with pytest.raises(Forbidden):  # a manager of another grid
        shops.change_manager(east.id, world["m_west"].id, actor=world["east_sup"])
    assert shops.change_manager(east.id, world["m_east2"].id, actor=world["east_sup"])
    assert history(east)[-1][0] == "manager"
    with pytest.raises(Forbidden):
        shops.change_manager(river.id, world["m_east"].id, actor=world["east_sup"])
    with pytest.raises(Forbidden):
        shops.create_shop("QD9", fields, actor=world["east_sup"])


def test_each_person_sees_the_shops_of_their_scope(world):
    add(world, "QD1", "east", "m_east")
    add(world, "QD2", "east", "m_east2")
    add(world, "QD3", "west", "m_west")
    add(world, "QD4", "river", "m_river")

    def codes(who, **filters):
        return [s.code for s in shop_queries.shops_for(world[who], shop_queries.ShopFilters(**filters))]

    assert codes("admin") == ["QD1", "QD2", "QD3", "QD4"]
    assert codes("county") == ["QD1", "QD2", "QD3"]
    assert codes("east_sup") == ["QD1", "QD2"]
    assert codes("river_sup") == ["QD4"]
    assert codes("m_east") == ["QD1"]
    assert codes("county", manager_id=world["m_west"].id) == ["QD3"]
    assert codes("admin", text="QD4") == ["QD4"]
    shop = db.session.scalar(select(Shop).where(Shop.code == "QD3"))
    assert shop_queries.can_view_shop(world["county"], shop)
    assert not shop_queries.can_view_shop(world["east_sup"], shop)
    assert not shop_queries.can_view_shop(world["m_east"], shop)


def test_filters_and_counts_by_kind_and_star(world):
    add(world, "QD1", "east", "m_east", kind="terminal", star=4)
    add(world, "QD2", "east", "m_east", kind="village", star=4)
    add(world, "QD3", "east", "m_east", kind="village", star=2)
    counts = shop_queries.shop_counts(world["m_east"])
    assert (counts.total, counts.by_kind["village"], counts.by_star[4]) == (3, 2, 2)
    only = shop_queries.ShopFilters(kind="village", star=4)
    assert [s.code for s in shop_queries.shops_for(world["m_east"], only)] == ["QD2"]
    assert shop_queries.shop_counts(world["m_east"], only).total == 1


def test_closed_shops_leave_the_lists(world):
    shop = add(world, "QD1", "east", "m_east")
    shops.set_shop_active(shop.id, False, actor=world["admin"])
    assert shop_queries.shops_for(world["m_east"]) == []
    assert [s.code for s in shop_queries.shops_for(world["admin"], shop_queries.ShopFilters(include_closed=True))] \
        == ["QD1"]


def test_nearest_shops_come_by_distance_and_those_without_coordinates_last(world):
    add(world, "FAR", "east", "m_east", lat=30.30, lng=120.15)
    add(world, "NONE", "east", "m_east")
    add(world, "NEAR", "east", "m_east", lat=30.2705, lng=120.1505)
    add(world, "MID", "east", "m_east", lat=30.28, lng=120.15)
    add(world, "OTHER", "west", "m_west", lat=30.27, lng=120.15)
    near = shop_queries.nearest_shops(world["m_east"], 30.27, 120.15, limit=10)
    assert [n.shop.code for n in near] == ["NEAR", "MID", "FAR", "NONE"]
    assert near[0].distance_m == pytest.approx(73.5, abs=1)
    assert near[-1].distance_m is None
    assert [n.shop.code for n in shop_queries.nearest_shops(world["m_east"], 30.27, 120.15, limit=2)] == ["NEAR", "MID"]
    unknown = shop_queries.nearest_shops(world["m_east"], None, None)
    assert [n.shop.code for n in unknown] == ["FAR", "MID", "NEAR", "NONE"]
