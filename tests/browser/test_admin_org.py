"""An administrator runs the organisation in Chromium, on a desktop and on a phone: finds 组织架构 in the menu's
管理 group, adds a grid, moves two managers into it from their person pages, and sees them on the grid's page with
their dual management; every page axe-clean and without sideways scrolling. The English admin menu stays one line
at 1366 px."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from lms.org.models import Unit
from tests.browser.checks import checked as page_checked
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}


def checked(page, width: int, name: str) -> None:
    page_checked(page, width, name, folder="admin-org")


def admin_group(page):
    """The menu's 管理 (Admin) disclosure; the field pages have their own (外勤)."""
    return page.locator("details.nav-group").filter(has=page.locator("summary", has_text=re.compile(r"^(管理|Admin)$")))


def open_menu_item(page, width: int, label: str) -> None:
    if width < 768:
        page.click("label.nav-toggle-label")
    admin_group(page).locator("summary").click()
    admin_group(page).get_by_role("link", name=label).click()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_an_admin_adds_a_grid_and_moves_two_managers_into_it(chromium, live_server, make_user, make_unit, viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    first = make_user("manager", county="城区", grid="东城网格", name="甲经理")
    second = make_user("manager", county="城区", grid="西城网格", name="乙经理")
    make_user("supervisor", county="城区", grid=None, name="县区主管乙")
    make_unit("郊县", "北乡网格")
    admin = make_user("admin")
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, admin)
    page.goto("/")
    open_menu_item(page, width, "组织架构")
    expect(page.locator("h1")).to_have_text("组织架构")
    checked(page, width, "1-tree")

    page.select_option("#grid-county", label="城区")
    page.fill("#grid-name", "南城网格")
    page.get_by_role("button", name="新增网格").click()
    expect(page.locator(".flash-success")).to_contain_text("南城网格")
    checked(page, width, "2-new-grid")
    grid_url = page.url

    for person in (first, second):
        page.goto(f"/admin/users?q={person.employee_no}")
        page.get_by_role("link", name=person.employee_no).click()
        page.select_option("#edit-unit", label="城区 / 南城网格")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".flash-success")).to_have_text("已保存。")
        expect(page.locator("table")).to_contain_text("南城网格")  # the history
    checked(page, width, "3-person-history")

    page.goto(grid_url)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("县区主管乙")  # dual management: the county's supervisor
    expect(page.locator("ul.problems")).to_contain_text("该单位还有在职人员")
    checked(page, width, "4-grid-page")
    page.get_by_role("button", name="停用该单位").click()
    expect(page.locator(".flash-error")).to_contain_text("该单位还有在职人员")
    context.close()

    with db.session.no_autoflush:
        db.session.expire_all()
        grid = db.session.scalars(select(Unit).where(Unit.name == "南城网格")).one()
        assert {u.grid_id for u in db.session.scalars(select(User).where(User.id.in_([first.id, second.id])))} \
            == {grid.id}


@pytest.mark.parametrize("role", ["admin", "supervisor", "trainer", "manager"])
def test_the_english_menu_is_one_line_at_1366(chromium, live_server, make_user, role):
    person = make_user(role)
    context = chromium.new_context(viewport=WIDE, locale="en", base_url=live_server)
    page = context.new_page()
    sign_in(page, person)
    page.goto("/lang/en?next=/")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    link = page.locator("nav.nav > a").first.bounding_box()
    nav = page.locator("nav.nav").bounding_box()
    assert nav["height"] < 2 * link["height"], (role, nav, link)
    if role == "admin":
        admin_group(page).locator("summary").click()
        for label in ("People", "Organisation", "Audit log"):
            assert admin_group(page).get_by_role("link", name=label).is_visible()
        checked(page, 1366, "5-english-menu")
    if role in ("admin", "supervisor"):
        field = page.locator("details.nav-group").filter(has=page.locator("summary", has_text="Field"))
        field.locator("summary").click()
        assert field.get_by_role("link").count() >= 4
        checked(page, 1366, f"5-english-menu-field-{role}")
    context.close()
