"""The shop registry's pages by role: who sees which shops, who may edit what, the import's preview and the menu."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.field import shops
from lms.field.models import Shop
from tests.support.web import post_form


@pytest.fixture
def world(make_user, make_unit):
    make_unit("城区", "西城网格")
    make_unit("临江县", "临江镇营业部")
    people = {
        "admin": make_user("admin"),
        "trainer": make_user("trainer"),
        "county": make_user("supervisor", county="城区", grid=None),
        "grid": make_user("supervisor", county="城区", grid="东城网格"),
        "other_county": make_user("supervisor", county="临江县", grid=None),
        "me": make_user("manager", name="甲经理"),
        "colleague": make_user("manager", name="乙经理"),
        "west": make_user("manager", grid="西城网格", name="丙经理"),
    }
    east = people["me"].grid_id

    def add(code, manager, grid_id=east, **extra):
        fields = shops.ShopFields(name=extra.pop("name", f"渠道{code}"), kind=extra.pop("kind", "terminal"),
                                  star=extra.pop("star", 3), grid_id=grid_id, manager_id=people[manager].id, **extra)
        return shops.create_shop(code, fields, actor=people["admin"])

    people["mine"] = add("QD1", "me", name="甲的卖场", latitude=30.27, longitude=120.15, address="东城路1号")
    people["theirs"] = add("QD2", "colleague", name="乙的卖场", kind="village")
    people["far"] = add("QD3", "west", grid_id=people["west"].grid_id, name="丙的卖场")
    return people


def text(response):
    return response.get_data(as_text=True)


def test_a_manager_sees_my_shops_with_only_their_own(client, auth, world):
    auth.login(world["me"])
    page = text(client.get("/field/shops"))
    assert "我的渠道" in page
    assert "甲的卖场" in page
    assert "乙的卖场" not in page
    assert "共 1 个渠道" in page
    assert client.get(f"/field/shops/{world['theirs'].id}").status_code == 404
    mine = text(client.get(f"/field/shops/{world['mine'].id}"))
    assert "纬度 30.270000，经度 120.150000" in mine
    assert "拜访记录" in mine
    assert "编辑渠道" not in mine
    assert client.get(f"/field/shops/{world['mine'].id}/edit").status_code == 403


def test_supervisors_and_admins_see_their_scope_with_counts_and_filters(client, auth, world):
    auth.login(world["county"])
    page = text(client.get("/field/shops"))
    assert "渠道管理" in page
    assert all(name in page for name in ("甲的卖场", "乙的卖场", "丙的卖场"))
    assert "村级渠道 1" in page
    filtered = text(client.get("/field/shops", query_string={"kind": "village"}))
    assert "乙的卖场" in filtered
    assert "甲的卖场" not in filtered
    searched = text(client.get("/field/shops", query_string={"q": "东城路"}))
    assert "甲的卖场" in searched
    assert "乙的卖场" not in searched
    auth.logout()
    auth.login(world["other_county"])
    assert "没有符合条件的渠道" in text(client.get("/field/shops"))
    assert client.get(f"/field/shops/{world['mine'].id}").status_code == 404


def test_trainers_have_no_shop_pages(client, auth, world):
    auth.login(world["trainer"])
    assert client.get("/field/shops").status_code == 403


def test_a_county_supervisor_edits_a_shop_and_its_history_shows(client, auth, world):
    shop = world["mine"]
    auth.login(world["county"])
    form = text(client.get(f"/field/shops/{shop.id}/edit"))
    assert 'name="star"' in form
    response = post_form(client, f"/field/shops/{shop.id}/edit", {
        "code": shop.code, "name": "甲的卖场", "kind": "terminal", "star": "5", "address": "东城路1号",
        "latitude": "30.27", "longitude": "120.15", "grid": str(shop.grid_id), "manager": str(world["colleague"].id),
    }, follow_redirects=True)
    page = text(response)
    assert "已保存" in page
    assert "乙经理" in page
    assert re.search(r"星级</td>\s*<td>3星 → <strong>5星</strong>", page)


def test_a_grid_supervisor_changes_only_the_manager_within_the_grid(client, auth, world):
    shop = world["mine"]
    auth.login(world["grid"])
    form = text(client.get(f"/field/shops/{shop.id}/edit"))
    assert 'name="star"' not in form
    assert "乙经理" in form
    assert "丙经理" not in form  # another grid's manager is not offered
    refused = post_form(client, f"/field/shops/{shop.id}/edit", {"manager": str(world["west"].id)})
    assert refused.status_code == 422
    post_form(client, f"/field/shops/{shop.id}/edit", {"manager": str(world["colleague"].id)})
    assert db.session.get(Shop, shop.id).manager_id == world["colleague"].id
    assert post_form(client, f"/field/shops/{shop.id}/status", {"action": "close"}).status_code == 403
    assert client.get("/field/shops/new").status_code == 403


def test_an_admin_adds_closes_and_reopens_a_shop(client, auth, world):
    auth.login(world["admin"])
    response = post_form(client, "/field/shops/new", {
        "code": "QD9", "name": "新店", "kind": "business", "star": "2", "grid": "", "manager": ""},
        follow_redirects=True)
    assert "已新增渠道 QD9" in text(response)
    shop = db.session.scalar(select(Shop).where(Shop.code == "QD9"))
    duplicate = post_form(client, "/field/shops/new", {"code": "QD9", "name": "又一家", "kind": "business",
                                                       "star": "2", "grid": "", "manager": ""})
    assert duplicate.status_code == 422
    assert "该渠道编码已存在" in text(duplicate)
    closed = text(post_form(client, f"/field/shops/{shop.id}/status", {"action": "close"}, follow_redirects=True))
    assert "渠道已关闭" in closed
    assert "此渠道已关闭" in closed
    post_form(client, f"/field/shops/{shop.id}/status", {"action": "reopen"})
    assert db.session.get(Shop, shop.id).active


def test_the_import_names_a_bad_row_then_previews_and_confirms(client, auth, world):
    auth.login(world["admin"])
    template = client.get("/field/shops/template.csv")
    assert text(template).lstrip("\ufeff").startswith("渠道编码,渠道名称,类型,星级")
    bad = "渠道编码,渠道名称,类型,星级\nQD7,新店,终端,4\nQD8,坏店,超市,4\n".encode()
    response = post_form(client, "/field/shops/import", {"file": (__import__("io").BytesIO(bad), "shops.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert "第3行：类型“超市”无效" in text(response)
    good = "渠道编码,渠道名称,类型,星级\nQD7,新店,终端,4\nQD1,甲的卖场,终端,4\n".encode()
    response = post_form(client, "/field/shops/import", {"file": (__import__("io").BytesIO(good), "shops.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = text(client.get(preview_url))
    assert "新增 1 个" in preview
    assert "变更 1 个" in preview
    assert db.session.scalar(select(Shop).where(Shop.code == "QD7")) is None
    done = post_form(client, preview_url, {"digest": re.search(r'name="digest" type="hidden" value="([^"]+)"',
                                                               preview).group(1), "action": "confirm"},
                     follow_redirects=True)
    assert "导入完成：新增 1 个渠道，更新 1 个" in text(done)
    assert db.session.scalar(select(Shop).where(Shop.code == "QD7")).star == 4
    auth.logout()
    auth.login(world["county"])
    assert client.get(preview_url).status_code == 403


def test_the_menu_says_my_shops_to_managers_and_shop_management_to_supervisors(client, auth, world):
    auth.login(world["me"])
    assert "我的渠道" in text(client.get("/"))
    auth.logout()
    auth.login(world["grid"])
    home = text(client.get("/"))
    assert "渠道管理" in home
    assert "我的渠道" not in home


def test_a_shops_page_lists_its_visits_to_those_who_may_see_them(client, auth, world, tmp_path):
    from lms.core.clock import utcnow
    from tests.support.visits import record, visit_form

    shop = world["mine"]
    record(visit_form(shop), world["me"], utcnow(), tmp_path)
    auth.login(world["me"])
    page = text(client.get(f"/field/shops/{shop.id}"))
    assert "甲经理" in page
    assert "/field/visits/" in page
    auth.login(world["county"])
    assert "甲经理" in text(client.get(f"/field/shops/{shop.id}"))
