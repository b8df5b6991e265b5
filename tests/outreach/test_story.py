"""Issue 25's story in a real Chromium at 360 px: a manager shares this month's pack to five shops in one action and
prints the counter posters; one shop's staff scan the poster's QR code (decoded from the PDF), another opens the
link from the WeChat message; both read, pass the check and confirm; the second reports "B2B 不会订货"; the
manager's 门店学习 shows the two confirmed, the grid supervisor's 门店学习覆盖 shows five reached and two read and
passed, and the shop's own B2B report waits in the R3 queue (the manager had passed the system-ops test)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lms.core.clock import period_of, utcnow
from lms.extensions import db
from lms.field.visit_models import DeductionCandidate, Ticket
from lms.outreach.models import ShopReading
from tests.browser.checks import checked
from tests.outreach.support import check_questions, lesson, read_check_and_confirm
from tests.outreach.test_posters import decoded_qr_codes, page_count
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.visits import add_shop, pass_system_ops

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}
SHOPS = [("S101", "东城手机店", "terminal", 5), ("S102", "西街营业厅", "business", 4),
         ("S103", "南村代办点", "village", 2), ("S104", "北门手机店", "terminal", 3),
         ("S105", "河口合作厅", "business", 1)]


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_BASE_URL": "", "LMS_MEDIA_DIR": str(tmp_path / "media")}


def test_a_month_pack_reaches_five_shops_two_confirm_one_reports_b2b(chromium, live_server, make_user,
                                                                    tmp_path: Path):
    from playwright.sync_api import expect

    trainer = make_user("trainer", name="培训师")
    manager = make_user("manager", name="王经理")
    grid = make_user("supervisor", name="周主管")  # the same grid: 城区 / 东城网格
    lesson(trainer, "shop-subsidy", "十二月购机直降", period=period_of(utcnow()))
    check_questions(trainer, "shop-subsidy")
    shops = [add_shop(manager, code=code, name=name, kind=kind, star=star) for code, name, kind, star in SHOPS]
    pass_system_ops(manager, finished_at=utcnow() - timedelta(days=3))

    # the manager shares the month's pack to all five shops, and prints the counter posters
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, accept_downloads=True)
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/outreach")
    page.click("text=为全部渠道生成链接")
    page.wait_for_selector("text=已为 5 个渠道生成链接。")
    expect(page.locator(".outreach-link")).to_have_count(5)
    checked(page, 360, "story-shared", folder="outreach-story")
    with page.expect_download() as download:
        page.click("text=下载全部柜台海报（PDF，5 页）")
    posters = tmp_path / "posters.pdf"
    download.value.save_as(posters)
    assert page_count(posters) == 5
    scanned = decoded_qr_codes(posters, tmp_path / "pages")
    addresses = {shop.id: page.locator(f"#shop-{shop.id} .outreach-link").input_value() for shop in shops}
    assert sorted(scanned) == sorted(addresses.values())  # each poster's QR code is one shop's own link
    message = page.locator(f"#shop-{shops[1].id} .outreach-message").input_value()
    assert addresses[shops[1].id] in message
    assert "西街营业厅" in message

    # shop 1 scans its poster's QR code; shop 2 opens the link its WeChat group received
    first = chromium.new_context(viewport=PHONE, locale="zh-CN")
    shop = first.new_page()
    shop.goto(next(address for address in scanned if address == addresses[shops[0].id]))
    shop.wait_for_selector("h1:has-text('东城手机店')")
    expect(shop.get_by_text("十二月购机直降")).to_be_visible()
    checked(shop, 360, "story-shop-opened", folder="outreach-story")
    read_check_and_confirm(shop, "张三")
    first.close()

    second = chromium.new_context(viewport=PHONE, locale="zh-CN")
    shop = second.new_page()
    shop.goto(addresses[shops[1].id])
    shop.wait_for_selector("h1:has-text('西街营业厅')")
    assert shop.locator("text=东城手机店").count() == 0  # nothing of another shop
    read_check_and_confirm(shop, "李四")
    form = shop.locator("#report")
    form.get_by_role("radio", name="系统操作").check()
    form.get_by_label("问题描述").fill("B2B 不会订货，培训后还是找不到订货入口")
    form.get_by_label("反映人姓名").fill("李四")
    form.get_by_role("button", name="提交问题").click()
    shop.wait_for_selector("text=已收到您反映的问题")
    expect(shop.locator("#reports .shop-report")).to_have_count(1)
    checked(shop, 360, "story-shop-reported", folder="outreach-story")
    second.close()

    db.session.expire_all()
    readings = {r.shop_id: r for r in db.session.query(ShopReading)}
    assert {shop_id: r.staff_name for shop_id, r in readings.items()} == {shops[0].id: "张三", shops[1].id: "李四"}
    assert all(r.check_passed and r.confirmed_at for r in readings.values())
    ticket = db.session.query(Ticket).one()
    assert (ticket.shop_id, ticket.category, ticket.raised_by_id) == (shops[1].id, "system_ops", None)
    candidate = db.session.query(DeductionCandidate).one()
    assert (candidate.user_id, candidate.ticket_ids) == (manager.id, [ticket.id])

    # the manager's page: two confirmed, by whom
    page.goto("/outreach?stage=confirmed")
    cards = page.locator(".outreach-shop")
    expect(cards).to_have_count(2)
    expect(page.locator(f"#shop-{shops[0].id} .outreach-confirmed")).to_contain_text("张三")
    expect(page.locator(f"#shop-{shops[1].id} .outreach-confirmed")).to_contain_text("李四")
    checked(page, 360, "story-manager-confirmed", folder="outreach-story")
    phone.close()

    # the grid supervisor: coverage of the grid, and the shop's own report in the R3 queue
    desk = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, grid)
    page.goto("/outreach/coverage")
    row = page.locator("table.coverage-grids tbody tr").first
    expect(row).to_contain_text("东城网格")
    text = row.inner_text()
    assert "5 (100%)" in text  # reached
    assert text.count("2 (40%)") == 3  # opened, read, passed
    never = page.locator("table.coverage-never tbody tr")  # the three shops that have a link but never opened it
    expect(never).to_have_count(3)
    expect(never.first).to_contain_text("有链接，从未打开")
    checked(page, 360, "story-coverage", folder="outreach-story")
    page.goto("/field/r3")
    card = page.locator(".candidate")
    expect(card).to_have_count(1)
    expect(card.locator(".evidence-source")).to_have_text("门店自报：李四")
    checked(page, 360, "story-r3", folder="outreach-story")
    page.set_viewport_size(WIDE)
    page.goto("/outreach/coverage")
    checked(page, 1366, "story-coverage", folder="outreach-story")
    desk.close()
