"""The manager's page (own shops; supervisors read-only) and the shop's page (its own status only; any token not
honoured is the same 404; no referrer, no cache)."""

from __future__ import annotations

import logging

import pytest

from lms.extensions import db
from lms.outreach import links, log_redaction, services
from lms.outreach.models import ShopLink
from tests.outreach.support import RIGHT, shop_world
from tests.support.web import csrf_token, post_form


@pytest.fixture
def world(app, make_user):
    return shop_world(make_user)


def _token(app, link: ShopLink) -> str:
    with app.test_request_context():
        return links.token_of(db.session.get(ShopLink, link.id))


def _shop_url(app, world, index: int = 0) -> str:
    link = services.make_link(world.shops[index].id, world.manager, days=90)
    return f"/s/{_token(app, link)}"


def test_the_manager_shares_every_shop_in_one_action(app, auth, world):
    auth.login(world.manager)
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert "东城手机店" in page
    assert "西城营业厅" in page
    assert "别家门店" not in page
    assert "十二月购机直降" in page
    assert "酬金规则" not in page
    response = post_form(auth.client, "/outreach/links", {}, token_from="/outreach", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已为 2 个渠道生成链接" in page
    assert page.count('class="outreach-link"') == 2
    assert page.count('class="qr-code"') == 2
    assert "http://localhost/s/" in page
    assert "门店微信群" in page
    assert "为全部渠道生成链接" not in page  # nothing left to make


def test_the_qr_code_is_the_shops_address_and_only_for_its_manager(app, auth, make_user, world):
    import segno

    link = services.make_link(world.shops[0].id, world.manager, days=90)
    address = f"http://localhost/s/{_token(app, link)}"
    auth.login(world.manager)
    response = auth.client.get(f"/outreach/shops/{world.shops[0].id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "东城手机店" in svg  # the title read out for the image
    drawn = segno.make(address, error="m")  # the same symbol as segno draws for the shop's address
    assert drawn.svg_inline(scale=3, border=2, omitsize=True).split("<path", 1)[1] in svg
    assert auth.client.get(f"/outreach/shops/{world.shops[1].id}/qr.svg").status_code == 404  # no link yet
    assert auth.client.get(f"/outreach/shops/{world.other_shop.id}/qr.svg").status_code == 404
    services.revoke_link(world.shops[0].id, world.manager)
    assert auth.client.get(f"/outreach/shops/{world.shops[0].id}/qr.svg").status_code == 404
    auth.login(world.other_manager)
    assert auth.client.get(f"/outreach/shops/{world.shops[0].id}/qr.svg").status_code == 404


def test_make_revoke_and_another_managers_shop(app, auth, world):
    auth.login(world.manager)
    made = post_form(auth.client, f"/outreach/shops/{world.shops[0].id}/link", {}, token_from="/outreach")
    assert made.status_code == 302
    assert db.session.query(ShopLink).filter_by(shop_id=world.shops[0].id).count() == 1
    revoked = post_form(auth.client, f"/outreach/shops/{world.shops[0].id}/revoke", {}, token_from="/outreach",
                        follow_redirects=True)
    assert "链接已作废" in revoked.get_data(as_text=True)
    other = post_form(auth.client, f"/outreach/shops/{world.other_shop.id}/link", {}, token_from="/outreach",
                      follow_redirects=True)
    assert "没有找到这个渠道" in other.get_data(as_text=True)
    assert db.session.query(ShopLink).filter_by(shop_id=world.other_shop.id).count() == 0


def test_a_supervisor_sees_the_grid_read_only(app, auth, make_user, world):
    services.make_link(world.shops[0].id, world.manager, days=90)
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    auth.login(supervisor)
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert "东城手机店" in page
    assert "别家门店" in page
    assert "/outreach/links" not in page
    assert "/link\"" not in page
    assert "作废链接" not in page
    assert "/s/" not in page
    assert post_form(auth.client, "/outreach/links", {}, token_from="/outreach").status_code in (403, 404)


def test_the_shop_page_shows_the_pack_and_only_that_shop(app, client, world):
    url = _shop_url(app, world)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert "东城手机店" in page
    for absent in ("西城营业厅", "别家门店", "王经理", "李经理", "酬金规则", "旧月份的政策", "S001"):
        assert absent not in page, absent
    assert "十二月购机直降" in page
    assert "实名制要点" in page
    assert "购机直降多少元" in page
    assert "correct" not in page  # the key is never on the page


def test_the_shop_reads_checks_and_confirms(app, client, auth, world):
    url = _shop_url(app, world)
    client.get(url)
    failed = post_form(client, f"{url}/check", {}, token_from=url, follow_redirects=True)
    assert "未通过" in failed.get_data(as_text=True)
    questions = {}
    with app.test_request_context():
        from lms.outreach import queries
        questions = queries.check_questions(queries.shop_pack(world.period))
    answers = {q["id"]: RIGHT[q["type"]] for q in questions}
    passed = post_form(client, f"{url}/check", answers, token_from=url, follow_redirects=True)
    assert "测验通过" in passed.get_data(as_text=True)
    refused = post_form(client, f"{url}/confirm", {"staff_name": " "}, token_from=url)
    assert refused.status_code == 422
    assert "请填写确认人的姓名" in refused.get_data(as_text=True)
    confirmed = post_form(client, f"{url}/confirm", {"staff_name": "张三", "staff_phone": "13800000000"},
                          token_from=url, follow_redirects=True)
    assert "已确认学习：张三" in confirmed.get_data(as_text=True)
    auth.login(world.manager)
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert "✓ 张三" in page
    assert "通过（100%）" in page


@pytest.mark.parametrize("how", ["revoked", "expired", "tampered", "garbage", "closed"])
def test_a_token_not_honoured_is_a_404_in_chinese(app, client, world, how):
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    token = _token(app, link)
    if how == "revoked":
        services.revoke_link(world.shops[0].id, world.manager)
    elif how == "expired":
        db.session.get(ShopLink, link.id).expires_at = link.created_at
        db.session.commit()
    elif how == "tampered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif how == "garbage":
        token = "zz-missing"
    elif how == "closed":
        world.shops[0].active = False
        db.session.commit()
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "链接无效" in page
    assert "东城手机店" not in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    token_from_other = _shop_url(app, world, 1)
    csrf = csrf_token(client, token_from_other)
    assert client.post(f"/s/{token}/confirm", data={"staff_name": "x", "csrf_token": csrf}).status_code == 404


def test_a_link_of_one_shop_never_records_for_another(app, client, world):
    url = _shop_url(app, world, 1)
    client.get(url)
    from lms.outreach import queries
    assert queries.reading(world.shops[0].id, world.period) is None
    assert queries.reading(world.shops[1].id, world.period) is not None


def test_access_logs_never_carry_the_token(app, client, world, caplog):
    url = _shop_url(app, world)
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, log_redaction.ShopTokenFilter) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"GET {url} HTTP/1.1", 200)
        logger.info("GET /lang/en?next=%s", url.replace("/", "%2F"))
    token = url.removeprefix("/s/")
    assert token not in caplog.text
    assert "/s/…" in caplog.text
    assert "%2Fs%2F…" in caplog.text
    assert logging.getLogger("gunicorn.access").filters


def test_the_list_filters_by_stage_and_name_and_pages_by_twenty(app, auth, world):
    from tests.support.visits import add_shop

    for number in range(25):
        add_shop(world.manager, code=f"P{number:03d}", name=f"批量店{number}")
    services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    page = auth.client.get("/outreach").get_data(as_text=True)
    assert page.count('class="card outreach-shop"') == 20
    assert "全部 27" in page
    assert "未生成链接 26" in page
    assert "未打开 1" in page
    second = auth.client.get("/outreach?page=2").get_data(as_text=True)
    assert second.count('class="card outreach-shop"') == 7
    unopened = auth.client.get("/outreach?stage=unopened").get_data(as_text=True)
    assert unopened.count('class="card outreach-shop"') == 1
    assert "东城手机店" in unopened
    found = auth.client.get("/outreach?q=p01").get_data(as_text=True)  # code, any case
    assert found.count('class="card outreach-shop"') == 10
    assert auth.client.get("/outreach?stage=bogus&page=99").status_code == 200
    assert auth.client.get("/outreach?page=abc").status_code == 400
    made = post_form(auth.client, f"/outreach/shops/{world.shops[1].id}/link", {}, token_from="/outreach")
    assert made.headers["Location"].endswith(f"/outreach?q=S002#shop-{world.shops[1].id}")
