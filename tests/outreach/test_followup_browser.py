"""The manager's follow-up in a real Chromium, at 360 px and 1366 px: links for both shops, the reminders page
(a message per shop, a combined one) with one shop marked reminded, a shop's contacts added (a wrong number
refused first) and removed, the shop's counter poster and all posters downloaded (the PDF's QR code decodes to the
shop's link); the shop's own page then offers the contact's name; the grid supervisor reads the contacts only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.checks import checked
from tests.outreach.support import shop_world
from tests.outreach.test_posters import decoded_qr_codes, page_count
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_BASE_URL": ""}  # the links point at the live server the browser talks to


def _download(page, selector: str, target: Path) -> Path:
    with page.expect_download() as download:
        page.click(selector)
    download.value.save_as(target)
    return target


def test_the_manager_reminds_keeps_contacts_and_prints_posters(chromium, live_server, make_user, tmp_path):
    world = shop_world(make_user)
    east, west = world.shops
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, accept_downloads=True)
    page = context.new_page()
    sign_in(page, world.manager)
    page.goto("/outreach")
    page.click("text=为全部渠道生成链接")
    page.wait_for_selector("text=已为 2 个渠道生成链接。")
    address = page.locator(f"#shop-{east.id} .outreach-link").input_value()
    assert page.locator(f"#shop-{east.id}").get_by_text("本月未提醒").is_visible()
    checked(page, 360, "followup-manager", folder="outreach")

    # reminders: a message per shop with its own link, a combined one without links
    page.click("text=提醒未学习的门店（2）")
    page.wait_for_selector("h1:has-text('提醒未学习的门店')")
    assert address in page.locator(f"#remind-message-{east.id}").input_value()
    combined = page.locator("#combined-message").input_value()
    assert "东城手机店（未打开）" in combined
    assert "/s/" not in combined
    checked(page, 360, "followup-reminders", folder="outreach")
    page.locator(f"#remind-{east.id}").get_by_role("button", name="已提醒").click()
    page.wait_for_selector("text=已记录：提醒了“东城手机店”（本月第 1 次）。")
    assert "已提醒 1 次" in page.locator(f"#remind-{east.id}").inner_text()
    page.set_viewport_size(WIDE)
    checked(page, 1366, "followup-reminders", folder="outreach")
    page.set_viewport_size(PHONE)

    # contacts, on the shop's own page
    page.goto("/outreach")
    assert "已提醒 1 次" in page.locator(f"#shop-{east.id}").inner_text()
    page.locator(f"#shop-{east.id}").get_by_role("link", name="联系人（0）").click()
    page.wait_for_selector("h1:has-text('东城手机店')")
    page.fill("#contact-name", "张三")
    page.fill("#contact-phone", "1380013800")
    page.click("button:has-text('添加')")
    page.wait_for_selector("text=请填写 11 位手机号码")
    checked(page, 360, "followup-contact-refused", folder="outreach")
    page.fill("#contact-phone", "138 0013 8000")
    page.select_option("#contact-role", "shopkeeper")
    page.click("button:has-text('添加')")
    page.wait_for_selector("text=已添加联系人“张三”。")
    page.fill("#contact-name", "李四")
    page.fill("#contact-phone", "13900139000")
    page.click("button:has-text('添加')")
    page.wait_for_selector("text=已添加联系人“李四”。")
    assert page.locator(".outreach-contacts li").count() == 2
    checked(page, 360, "followup-contacts", folder="outreach")
    page.get_by_role("button", name="删除联系人 李四").click()
    page.wait_for_selector("text=已删除联系人。")
    assert page.locator(".outreach-contacts li").count() == 1
    page.set_viewport_size(WIDE)
    checked(page, 1366, "followup-contacts", folder="outreach")
    page.set_viewport_size(PHONE)

    # the posters: one shop's, then all of them
    poster = _download(page, "text=下载柜台海报（PDF）", tmp_path / "east.pdf")
    assert page_count(poster) == 1
    assert decoded_qr_codes(poster, tmp_path / "east-pages") == [address]
    page.goto("/outreach")
    every = _download(page, "text=下载全部柜台海报（PDF，2 页）", tmp_path / "all.pdf")
    assert page_count(every) == 2
    assert address in decoded_qr_codes(every, tmp_path / "all-pages")
    page.set_viewport_size(WIDE)
    checked(page, 1366, "followup-manager", folder="outreach")
    context.close()

    # the shop's own page offers the name, never the number
    shop = chromium.new_context(viewport=PHONE, locale="zh-CN").new_page()
    shop.goto(address)
    shop.wait_for_selector("h1:has-text('东城手机店')")
    assert shop.locator("#staff-names option").evaluate_all("options => options.map(o => o.value)") == ["张三"]
    assert "13800138000" not in shop.content()
    checked(shop, 360, "followup-shop-page", folder="outreach")
    shop.context.close()

    # the grid's supervisor reads the contacts, changes nothing
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, supervisor)
    page.goto(f"/outreach/shops/{east.id}")
    assert "138 0013 8000" in page.inner_text(".outreach-contacts")
    assert page.locator("#contact-name").count() == 0
    assert page.get_by_role("button", name="删除联系人 张三").count() == 0
    checked(page, 360, "followup-supervisor-contacts", folder="outreach")
    assert west.id  # the other shop stays unreminded (its card says so)
    context.close()
