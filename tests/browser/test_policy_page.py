"""An administrator changes the assessment policy in Chromium, on a desktop and on a phone: finds 考核规则 in the
menu's 管理 group, raises the consecutive-fail penalty to 300 yuan from the next open period, reads the comparison
and the dry run over October (closed with 200), saves the version; every step axe-clean and without sideways
scrolling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assessment.models import PolicyVersion
from lms.extensions import db
from tests.assessment.test_policy_versions import history  # noqa: F401 - the closed months, a fixture
from tests.browser.test_admin_org import PHONE, WIDE, checked, open_menu_item
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
@pytest.mark.usefixtures("history")
def test_an_admin_raises_the_penalty_from_next_month_after_a_dry_run(chromium, live_server, make_user, viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, make_user("admin"))
    page.goto("/")
    open_menu_item(page, width, "考核规则")
    expect(page.locator("h1")).to_have_text("考核规则")
    expect(page.locator("#effective_from")).to_have_value("2026-11")
    checked(page, width, "policy-1-in-force")

    page.fill("#consecutive_fail_penalty_yuan", "300")
    page.fill("#reason", "市公司11月起提高连续不及格处罚")
    page.get_by_role("button", name="对照并试算").click()
    dry_run = page.locator("#policy-dry-run")
    expect(dry_run).to_contain_text("处罚合计 200 元")
    expect(dry_run).to_contain_text("处罚合计 300 元")
    checked(page, width, "policy-2-dry-run")

    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_text("考核规则第 1 版已保存，自 2026-11 起生效。")).to_be_visible()
    checked(page, width, "policy-3-saved")
    db.session.rollback()
    assert db.session.scalar(select(PolicyVersion.values)).get("consecutive_fail_penalty_yuan") == 300
    context.close()
