"""The roster's preview in a real Chromium, at a phone's width and a desktop's: upload → preview → confirm, and the
guards on roles as the administrator meets them."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

DESKTOP = {"width": 1366, "height": 900}


def shoot(page, name):
    """Screenshots for a person to look at, when LMS_ROSTER_SHOTS names a folder."""
    folder = os.environ.get("LMS_ROSTER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def upload(page, content, *, name="roster.csv", full=False):
    page.goto("/admin/users")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv",
                                                      "buffer": content.encode("utf-8")}])
    if full:
        page.check("input[name=deactivate_missing]")
    page.click("button:has-text('上传并预览')")
    page.wait_for_url("**/admin/users/import/**")


def person(employee_no):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.employee_no == employee_no))


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_upload_shows_adds_and_changes_and_confirm_writes_them(page, make_user):
    admin = make_user("admin")
    make_user("manager", employee_no="M1001", name="王伟")
    make_user("manager", employee_no="M0999", name="离职者")
    sign_in(page, admin)
    content = ("工号,姓名,角色,县区,网格,手机\n"
               "M1001,王伟,manager,郊县,南山网格,13800000009\n"
               "M1002,李娜,manager,城区,西城网格,13800000002\n")
    upload(page, content, full=True)
    main = page.locator("main")
    assert "新增 1 人" in main.inner_text()
    assert "变更 1 人" in main.inner_text()
    assert "停用 1 人" in main.inner_text()
    changes = page.locator("table.roster-changes").inner_text()
    assert "城区 / 东城网格" in changes
    assert "郊县 / 南山网格" in changes
    assert no_sideways_scroll(page)
    # On a phone each row is a card whose cells carry their column's heading.
    assert page.locator("table.roster-changes td[data-label]").count() >= 4
    shoot(page, "preview-360")
    page.set_viewport_size(DESKTOP)
    assert no_sideways_scroll(page)
    shoot(page, "preview-1366")
    assert person("M1002") is None  # nothing is written before the confirmation
    page.click("button:has-text('确认导入')")
    page.wait_for_url("**/admin/users")
    assert "导入完成：新增 1 人，更新 1 人，停用 1 人" in page.locator("main").inner_text()
    assert person("M1001").grid.name == "南山网格"
    assert person("M1002").name == "李娜"
    assert not person("M0999").active


def test_a_demotion_of_oneself_is_refused_in_the_preview(page, make_user):
    admin = make_user("admin", employee_no="A0001", name="管理员")
    sign_in(page, admin)
    upload(page, "工号,姓名,角色,县区,网格\nA0001,改名,manager,城区,东城网格\n")
    refused = page.locator("section[aria-labelledby=roster-refused]")
    assert "不能通过名单修改自己的角色" in refused.inner_text()
    assert "A0001" in refused.inner_text()
    assert page.locator("button:has-text('确认导入')").count() == 0  # nothing else to write
    shoot(page, "refused-self-360")
    page.click("button:has-text('取消')")
    page.wait_for_url("**/admin/users")
    assert person("A0001").role == "admin"
    assert person("A0001").name == "管理员"


def test_the_last_admin_is_protected_and_admin_access_needs_its_own_tick(page, make_user):
    admin = make_user("admin")
    make_user("manager", employee_no="M1001", name="王伟")
    sign_in(page, admin)
    # The only admin has no button to deactivate themselves.
    page.goto(f"/admin/users/{admin.id}")
    assert page.locator("button[value=deactivate]").count() == 0
    assert "不能停用自己" in page.locator("main").inner_text()
    # Making someone an admin is listed apart and needs the tick; without it that row is refused.
    upload(page, "工号,姓名,角色\nM1001,王伟,admin\nT1,赵敏,trainer\n")
    warning = page.locator(".flash-warning", has_text="管理员权限")
    assert "M1001 王伟" in warning.inner_text()
    shoot(page, "admin-tick-360")
    page.set_viewport_size(DESKTOP)
    shoot(page, "admin-tick-1366")
    page.click("button:has-text('确认导入')")
    page.wait_for_url("**/admin/users")
    assert "涉及管理员权限，需另行勾选确认" in page.locator("main").inner_text()
    assert person("M1001").role == "manager"
    assert person("T1").role == "trainer"
    upload(page, "工号,姓名,角色\nM1001,王伟,admin\n")
    page.check("input[name=confirm_admin]")
    page.click("button:has-text('确认导入')")
    page.wait_for_url("**/admin/users")
    assert person("M1001").role == "admin"
