"""门店培训 in a real Chromium at 360 px: a manager schedules a session for two shops and shows its QR code; the
address the QR code holds, opened on a shop's own phone (a fresh browser, nobody signed in), checks one shop in with
a name; the manager's session page then shows that shop attended, with the name, and the other not. The pages also
at 1366 px."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.core.clock import SHANGHAI, utcnow
from tests.browser.checks import checked
from tests.outreach.support import shop_world
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_BASE_URL": ""}  # the QR code points at the live server the browser talks to


def _running_now():
    """A start a few minutes ago and an end within the same local day: the check-in is open now."""
    local = utcnow().astimezone(SHANGHAI).replace(second=0, microsecond=0)
    starts = local - timedelta(minutes=10) if (local.hour, local.minute) >= (0, 10) else local.replace(minute=0)
    ends = min(starts + timedelta(hours=1), local.replace(hour=23, minute=59))
    return starts, ends


def test_a_manager_schedules_a_session_and_a_shop_checks_in_by_its_qr_code(chromium, live_server, make_user):
    world = shop_world(make_user)
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, world.manager)
    page.goto("/outreach")
    page.click("text=门店培训（片区培训、点对点）与扫码签到 →")
    page.wait_for_selector("h1:has-text('门店培训')")
    checked(page, 360, "sessions-empty", folder="outreach-sessions")
    page.click("text=安排门店培训")
    starts, ends = _running_now()
    page.fill("#title", "12月终端政策片区培训")
    page.get_by_label("片区培训").check()
    page.fill("#place", "东城营业厅二楼会议室")
    page.fill("#day", starts.strftime("%Y-%m-%d"))
    page.fill("#starts", starts.strftime("%H:%M"))
    page.fill("#ends", ends.strftime("%H:%M"))
    page.get_by_label("东城手机店").check()
    page.get_by_label("西城营业厅").check()
    page.get_by_label("十二月购机直降").check()
    checked(page, 360, "schedule-form", folder="outreach-sessions")
    page.click("button:has-text('安排培训')")
    page.wait_for_selector("text=培训已安排，已邀请 2 个门店。")
    assert page.locator("svg.qr-code").is_visible()
    assert page.locator("text=签到中").count() == 1
    checked(page, 360, "session-qr", folder="outreach-sessions")
    address = page.locator("#checkin-link").input_value()
    assert address.startswith(f"{live_server}/t/")

    shop_phone = chromium.new_context(viewport=PHONE, locale="zh-CN")  # a staff member's own phone: no sign-in
    shop = shop_phone.new_page()
    shop.goto(address)
    shop.wait_for_selector("h1:has-text('12月终端政策片区培训')")
    assert shop.locator("text=别家门店").count() == 0
    assert shop.locator("text=王经理").count() == 0
    assert shop.locator("text=十二月购机直降").count() == 1
    checked(shop, 360, "checkin", folder="outreach-sessions")
    shop.get_by_label("东城手机店").check()
    shop.fill("#staff_name", "张三")
    shop.click("button:has-text('签到')")
    shop.wait_for_selector("text=签到成功：东城手机店，张三")
    checked(shop, 360, "checkin-done", folder="outreach-sessions")
    shop.set_viewport_size(WIDE)
    checked(shop, 1366, "checkin-done", folder="outreach-sessions")
    shop_phone.close()

    page.reload()
    attended = page.locator(f"#session-shop-{world.shops[0].id}")
    attended.locator("text=✓ 已签到").wait_for()
    assert "张三" in attended.inner_text()
    assert "未签到" in page.locator(f"#session-shop-{world.shops[1].id}").inner_text()
    assert "已签到 1 个" in page.locator("#attendance").inner_text()
    checked(page, 360, "session-attended", folder="outreach-sessions")
    page.set_viewport_size(WIDE)
    checked(page, 1366, "session-attended", folder="outreach-sessions")
    page.goto("/outreach/sessions")
    assert "已签到 1 / 2 个门店" in page.inner_text("main")
    checked(page, 1366, "sessions", folder="outreach-sessions")
    page.goto("/outreach")
    assert "签到 1 场" in page.locator(f"#shop-{world.shops[0].id}").inner_text()
    phone.close()
