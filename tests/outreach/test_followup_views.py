"""The manager's follow-up on /outreach: the shops to remind with a message each (its own link) and a combined one
(no links), reminders recorded and shown; a shop's page with its staff contacts (the manager edits, supervisors
read, nobody else); the shop's own page offers its staff names, never their phones."""

from __future__ import annotations

import re

import pytest

from lms.core.clock import to_local, utcnow
from lms.extensions import db
from lms.outreach import contacts, links, services
from lms.outreach.models import ShopLink
from tests.outreach.support import shop_world
from tests.support.web import post_form


@pytest.fixture
def world(app, make_user):
    return shop_world(make_user)


def _address(app, link: ShopLink) -> str:
    with app.test_request_context():
        return links.address_of(db.session.get(ShopLink, link.id))


def _textareas(page: str) -> dict[str, str]:
    return dict(re.findall(r'<textarea id="([^"]+)"[^>]*>([^<]*)</textarea>', page))


def test_the_manager_page_offers_reminders_and_posters(app, auth, world):
    services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert "提醒未学习的门店（2）" in page
    assert "下载全部柜台海报（PDF，1 页）" in page
    assert f"/outreach/shops/{world.shops[0].id}/poster.pdf" in page
    assert f"/outreach/shops/{world.shops[1].id}/poster.pdf" not in page  # no link in force: no poster
    assert page.count("本月未提醒") == 2
    assert page.count("联系人（0）") == 2


def test_the_reminder_and_poster_counts_cover_every_shop_not_only_the_page_shown(app, auth, world):
    from tests.support.visits import add_shop

    for number in range(23):
        shop = add_shop(world.manager, code=f"P{number:03d}", name=f"批量店{number}")
        services.make_link(shop.id, world.manager, days=90)
    auth.login(world.manager)
    first = auth.client.get("/outreach").get_data(as_text=True)
    second = auth.client.get("/outreach?page=2").get_data(as_text=True)
    assert first.count('class="card outreach-shop"') == 20  # 25 shops, 20 a page
    for page in (first, second):
        assert "提醒未学习的门店（25）" in page  # none has opened its link
        assert "下载全部柜台海报（PDF，23 页）" in page  # the 23 with a link in force, wherever they are listed
    assert first.count("本月未提醒") == 20  # each shown card has its own follow-up line


def test_the_reminders_page_has_a_message_per_shop_with_its_link_and_a_combined_one_without(app, auth, world):
    east_link = services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    page = auth.client.get("/outreach/reminders").get_data(as_text=True)
    areas = _textareas(page)
    east = areas[f"remind-message-{world.shops[0].id}"]
    assert "东城手机店" in east
    assert _address(app, east_link) in east
    assert "还没有打开" in east
    assert f"remind-message-{world.shops[1].id}" not in areas  # no link in force: told to make one first
    assert "还没有有效的链接" in page
    combined = areas["combined-message"]
    assert "1. 东城手机店（未打开）" in combined
    assert "2. 西城营业厅（未打开）" in combined
    assert "/s/" not in combined  # a link is one shop's key: never in a message for several shops
    assert "别家门店" not in page


def test_recording_reminders_shows_on_the_shops_status(app, auth, world):
    services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    done = post_form(auth.client, f"/outreach/shops/{world.shops[0].id}/remind", {}, token_from="/outreach/reminders",
                     follow_redirects=True)
    assert "已记录：提醒了“东城手机店”（本月第 1 次）" in done.get_data(as_text=True)
    done = post_form(auth.client, "/outreach/reminders", {}, token_from="/outreach/reminders", follow_redirects=True)
    assert "已记录：提醒了 2 个渠道" in done.get_data(as_text=True)
    today = to_local(utcnow())
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert f"已提醒 2 次，最近 {today.month}月{today.day}日" in page
    assert f"已提醒 1 次，最近 {today.month}月{today.day}日" in page
    assert "本月未提醒" not in page


def test_a_shop_done_is_not_on_the_reminders_page(app, auth, client, world):
    from lms.outreach import queries
    from tests.outreach.support import RIGHT

    link = services.make_link(world.shops[0].id, world.manager, days=90)
    with app.test_request_context():
        questions = queries.check_questions(queries.shop_pack(world.period))
    services.confirm_read(link, world.period, name="张三", phone=None)
    services.record_check(link, world.period, questions, {q["id"]: RIGHT[q["type"]] for q in questions})
    auth.login(world.manager)
    page = auth.client.get("/outreach/reminders").get_data(as_text=True)
    assert "西城营业厅" in page
    assert "东城手机店" not in page
    refused = post_form(auth.client, f"/outreach/shops/{world.shops[0].id}/remind", {},
                        token_from="/outreach/reminders", follow_redirects=True)
    assert "本月已完成学习，不需要提醒" in refused.get_data(as_text=True)
    other = post_form(auth.client, f"/outreach/shops/{world.other_shop.id}/remind", {},
                      token_from="/outreach/reminders")
    assert other.status_code == 404


def test_the_manager_adds_and_removes_a_contact_on_the_shops_page(app, auth, world):
    url = f"/outreach/shops/{world.shops[0].id}"
    auth.login(world.manager)
    page = auth.client.get(url).get_data(as_text=True)
    assert "还没有联系人" in page
    refused = post_form(auth.client, f"{url}/contacts", {"name": "张三", "phone": "12345", "role": "clerk"},
                        token_from=url)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "请填写 11 位手机号码" in body
    assert 'value="张三"' in body  # what was typed is kept
    added = post_form(auth.client, f"{url}/contacts", {"name": "张三", "phone": "138 0013 8000", "role": "shopkeeper"},
                      token_from=url, follow_redirects=True)
    body = added.get_data(as_text=True)
    assert "已添加联系人“张三”" in body
    assert "138 0013 8000" in body
    assert 'href="tel:13800138000"' in body
    assert "店长" in body
    contact_id = contacts.contacts_of([world.shops[0].id])[world.shops[0].id][0].id
    removed = post_form(auth.client, f"{url}/contacts/{contact_id}/remove", {}, token_from=url, follow_redirects=True)
    assert "已删除联系人" in removed.get_data(as_text=True)
    assert contacts.contacts_of([world.shops[0].id])[world.shops[0].id] == []


def test_contacts_are_the_managers_and_their_supervisors_only(app, auth, world, make_user):
    contacts.add_contact(world.shops[0].id, world.manager, name="张三", phone="13800138000", role="clerk")
    url = f"/outreach/shops/{world.shops[0].id}"
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    auth.login(supervisor)
    page = auth.client.get(url).get_data(as_text=True)
    assert "张三" in page
    assert "138 0013 8000" in page
    assert "添加联系人" not in page
    assert "删除" not in page
    assert post_form(auth.client, f"{url}/contacts", {"name": "李四", "phone": "13900139000", "role": "clerk"},
                     token_from=url).status_code == 403
    overview = auth.client.get("/outreach").get_data(as_text=True)
    assert "联系人（1）" in overview
    assert "poster.pdf" not in overview
    assert "提醒未学习的门店" not in overview
    assert auth.client.get("/outreach/reminders").status_code == 403
    for outsider in (make_user("supervisor", county="城区", grid="西城网格"), world.other_manager):
        auth.logout()
        auth.login(outsider)
        assert auth.client.get(url).status_code == 404
    for role in ("admin", "trainer"):
        auth.logout()
        auth.login(make_user(role))
        assert auth.client.get(url).status_code == 403
        assert "联系人（" not in auth.client.get("/outreach").get_data(as_text=True)


def test_the_shop_page_offers_its_own_staff_names_never_phones(app, client, world):
    contacts.add_contact(world.shops[0].id, world.manager, name="张三", phone="13800138000", role="clerk")
    contacts.add_contact(world.other_shop.id, world.other_manager, name="王五", phone="13700137000", role="clerk")
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    with app.test_request_context():
        token = links.token_of(db.session.get(ShopLink, link.id))
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert 'list="staff-names"' in page
    assert '<option value="张三">' in page
    assert "13800138000" not in page
    assert "王五" not in page
    bare = services.make_link(world.shops[1].id, world.manager, days=90)
    with app.test_request_context():
        token = links.token_of(db.session.get(ShopLink, bare.id))
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "staff-names" not in page
