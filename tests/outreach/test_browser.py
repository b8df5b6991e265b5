"""门店学习 in a real Chromium at 360 px: a manager makes links for two shops in one action; one shop's staff open
their link in a fresh browser (no sign-in), read, answer the check and confirm with a name; the manager's page then
shows that shop as read and passed, with the name. Both pages also at 1366 px."""

from __future__ import annotations

import pytest

from tests.browser.checks import checked
from tests.outreach.support import read_check_and_confirm, shop_world
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_BASE_URL": ""}  # the links point at the live server the browser talks to


def test_a_shop_reads_checks_and_confirms_and_the_manager_sees_it(chromium, live_server, make_user):
    from playwright.sync_api import expect

    world = shop_world(make_user)
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, world.manager)
    page.goto("/outreach")
    checked(page, 360, "manager-before", folder="outreach")
    page.click("text=为全部渠道生成链接")
    page.wait_for_selector("text=已为 2 个渠道生成链接。")
    assert page.locator(".outreach-link").count() == 2
    card = page.locator(f"#shop-{world.shops[0].id}")
    card.locator("summary", has_text="二维码").click()
    qr = card.locator("img.qr-code")
    expect(qr).to_be_visible()
    page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=qr.element_handle())
    checked(page, 360, "manager-links", folder="outreach")
    address = card.locator(".outreach-link").input_value()
    assert address.startswith(f"{live_server}/s/")
    assert address in card.locator(".outreach-message").input_value()

    shop_phone = chromium.new_context(viewport=PHONE, locale="zh-CN")  # the shop's own phone: nobody signed in
    shop = shop_phone.new_page()
    shop.goto(address)
    shop.wait_for_selector("h1:has-text('东城手机店')")
    assert shop.locator("text=西城营业厅").count() == 0
    assert shop.locator("text=王经理").count() == 0
    checked(shop, 360, "shop-page", folder="outreach")
    read_check_and_confirm(shop, "张三")
    checked(shop, 360, "shop-done", folder="outreach")
    shop.set_viewport_size(WIDE)
    checked(shop, 1366, "shop-done", folder="outreach")
    shop_phone.close()

    page.goto("/outreach")
    card = page.locator(f"#shop-{world.shops[0].id}")
    card.locator("text=✓ 张三").wait_for()
    assert "通过（100%）" in card.inner_text()
    other = page.locator(f"#shop-{world.shops[1].id}").inner_text()
    assert "未打开" in other
    assert "未确认" in other
    checked(page, 360, "manager-after", folder="outreach")
    page.set_viewport_size(WIDE)
    checked(page, 1366, "manager-after", folder="outreach")
    phone.close()
