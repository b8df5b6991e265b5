"""The shop registry in Chromium: an administrator imports a shop file with one bad row, the page names the row, the
fixed file is previewed and confirmed; a channel manager then finds their own shops (only theirs) on a phone and
opens one. At 1366 and 360 px, every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.field.models import Shop
from tests.browser.checks import checked as page_checked
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}
HEADER = "渠道编码,渠道名称,类型,星级,地址,纬度,经度,县区,网格,负责人工号"
ROWS = ["QD1001,东城手机大卖场,终端,4,东城路1号,30.2741,120.1551,城区,东城网格,M0001",
        "QD1002,东城数码通讯店,终端,2,东城路8号,30.2702,120.1602,城区,东城网格,M0001",
        "QD1003,西湖村服务站,村级,1,西湖村,,,城区,东城网格,M0001",
        "QD1004,南湖合作营业厅,业务,5,南湖路3号,30.2655,120.1490,城区,东城网格,M0002"]


def checked(page, width: int, name: str) -> None:
    page_checked(page, width, name, folder="shops")


def shop_file(rows: list[str]) -> dict:
    return {"name": "渠道清单.csv", "mimeType": "text/csv",
            "buffer": ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode()}


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_an_admin_imports_shops_fixing_a_bad_row_and_a_manager_sees_their_own(chromium, live_server, make_user,
                                                                              viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    manager = make_user("manager", employee_no="M0001", name="王芳")
    make_user("manager", employee_no="M0002", name="李强")
    admin = make_user("admin")
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, admin)
    page.goto("/field/shops")
    checked(page, width, "1-empty-list")
    page.get_by_role("link", name="导入渠道").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    assert download.value.suggested_filename == "shops-template.csv"

    bad = [*ROWS[:2], "QD1003,西湖村服务站,村镇,1,西湖村,,,城区,东城网格,M0001", *ROWS[3:]]
    page.set_input_files("input[type=file]", files=[shop_file(bad)])
    page.get_by_role("button", name="上传并预览").click()
    problems = page.locator("ul.problems li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("第4行：类型“村镇”无效")
    assert db.session.scalar(select(func.count(Shop.id))) == 0
    checked(page, width, "2-bad-row")

    page.set_input_files("input[type=file]", files=[shop_file(ROWS)])
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("h1")).to_contain_text("核对渠道")
    expect(page.locator(".import-counts")).to_contain_text("新增 4 个")
    checked(page, width, "3-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".flash-success")).to_contain_text("新增 4 个渠道")
    expect(page.locator("table.shops tbody tr")).to_have_count(4)
    checked(page, width, "4-list")
    context.close()

    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, manager)
    if width < 600:
        page.locator("label[for=nav-toggle]").click()  # the phone's menu opens with its ☰
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的渠道").click()
    expect(page.locator("h1")).to_have_text("我的渠道")
    rows = page.locator("table.shops tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.shops")).not_to_contain_text("南湖合作营业厅")
    checked(page, width, "5-my-shops")
    page.get_by_role("link", name="东城手机大卖场").click()
    expect(page.locator(".shop-facts")).to_contain_text("纬度 30.274100，经度 120.155100")
    expect(page.locator("#shop-visits")).to_have_text("拜访记录")
    expect(page.get_by_role("link", name="编辑渠道")).to_have_count(0)
    checked(page, width, "6-shop")
    context.close()
