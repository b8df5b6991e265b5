"""反映问题 and lesson pictures in a real Chromium at 360 px: a shop opens its link (nobody signed in), sees the
lesson's picture, reports "B2B 不会订货" as 系统操作 and sees its ticket listed; its manager had passed the system-ops
test, so the grid supervisor's R3 queue shows the candidate, marked as the shop's own report, and the tickets page
shows who reported it. The shop's page also at 1366 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.core.clock import utcnow
from lms.courses.models import Lesson
from lms.extensions import db
from lms.outreach import links
from lms.outreach.models import ShopLink
from tests.browser.checks import checked
from tests.outreach.report_support import picture_in, report_world
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.images import screenshot_png
from tests.support.visits import pass_system_ops

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_BASE_URL": "", "LMS_MEDIA_DIR": str(tmp_path / "media")}


def test_a_shop_reports_b2b_and_the_supervisor_sees_the_r3_candidate(app, chromium, live_server, make_user,
                                                                    tmp_path):
    from playwright.sync_api import expect

    rw = report_world(make_user)
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "shop-subsidy"))
    picture_in(lesson, rw.world.trainer, tmp_path / "media")
    pass_system_ops(rw.world.manager, finished_at=utcnow() - timedelta(days=2))
    with app.test_request_context():
        address = live_server + f"/s/{links.token_of(db.session.get(ShopLink, rw.link.id))}"

    shop_phone = chromium.new_context(viewport=PHONE, locale="zh-CN")  # the shop's own phone: nobody signed in
    shop = shop_phone.new_page()
    shop.goto(address)
    shop.wait_for_selector("h1:has-text('东城手机店')")
    picture = shop.locator(".shop-lesson img").first
    picture.scroll_into_view_if_needed()
    expect(picture).to_be_visible()
    shop.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert picture.evaluate("img => img.getBoundingClientRect().right") <= 360
    checked(shop, 360, "shop-report-before", folder="outreach")

    form = shop.locator("#report")
    form.get_by_role("radio", name="系统操作").check()
    form.get_by_label("问题描述").fill("B2B 不会订货")
    form.get_by_label("反映人姓名").fill("张三")
    form.get_by_label("手机号码").fill("不知道")
    form.get_by_role("button", name="提交问题").click()
    problem = shop.locator("#report .problems")
    expect(problem).to_contain_text("手机号码格式不正确")
    expect(problem).to_be_in_viewport()  # the page comes back at the form, not at its top
    expect(form.get_by_label("问题描述")).to_have_value("B2B 不会订货")
    checked(shop, 360, "shop-report-refused", folder="outreach")
    form.get_by_label("手机号码").fill("")
    form.get_by_label("照片").set_input_files(
        [{"name": "订货页面.png", "mimeType": "image/png", "buffer": screenshot_png(900, rows=2, with_exif=True)}])
    form.get_by_role("button", name="提交问题").click()
    shop.wait_for_selector("text=已收到您反映的问题")
    listed = shop.locator("#reports .shop-report")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("系统操作")
    expect(listed.first).to_contain_text("待处理")
    expect(listed.first).to_contain_text("B2B 不会订货")
    expect(listed.first).to_contain_text("附照片 1 张")
    checked(shop, 360, "shop-report-listed", folder="outreach")
    shop.set_viewport_size(WIDE)
    checked(shop, 1366, "shop-report-listed", folder="outreach")
    shop_phone.close()

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, rw.grid)
    page.goto("/field/r3")
    card = page.locator(".candidate")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("王经理")
    expect(card).to_contain_text("培训后门店仍反映系统操作问题")
    expect(card.locator(".evidence-source")).to_have_text("门店自报：张三")
    checked(page, 360, "r3-from-shop", folder="outreach")
    page.goto("/field/tickets")
    expect(page.locator(".ticket").first).to_contain_text("门店自报：张三")
    thumbnail = page.locator(".ticket .ticket-photos img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    checked(page, 360, "tickets-from-shop", folder="outreach")
    phone.close()

    desk = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, rw.world.manager)
    page.goto("/field/tickets")
    expect(page.get_by_text("门店自报：张三")).to_be_visible()
    checked(page, 360, "manager-tickets-from-shop", folder="outreach")
    desk.close()
