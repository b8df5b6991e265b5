"""An appeal (申诉) in a real Chromium: a manager on a phone (360 px) appeals a criticism with a photo, the county
supervisor at 1366 px finds it on the home page and in the queue and upholds it; the manager then sees the reversal
on their records and the decision in their inbox. Every page: axe-core finds nothing serious, no sideways scroll."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from lms.assessment.models import Appeal, LedgerEntry
from lms.extensions import db
from tests.browser.walk import AXE_SERIOUS, run_axe, screenshot_dir
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.ledger import add_ledger_entry

pytestmark = BROWSER_MARKS
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def shot(page, name: str) -> None:
    """A picture of the step, when LMS_WALK_SCREENSHOTS names a folder (as for ``make screenshots``)."""
    folder = screenshot_dir()
    if folder is not None:
        (folder / "appeals").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "appeals" / f"{name}.png"), full_page=True)


def checked(page, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    serious = [v for v in run_axe(page) if v["impact"] in AXE_SERIOUS]
    assert serious == [], (name, serious)
    shot(page, name)


def photo(path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_manager_appeals_on_a_phone_and_the_county_upholds_it(chromium, live_server, make_user, tmp_path):
    from playwright.sync_api import expect

    manager = make_user("manager", county="城区", grid="东城网格")
    county_sup = make_user("supervisor", county="城区", grid=None)
    criticism = add_ledger_entry(manager, "criticism", reason="11月月考首次不及格（62分）", rule="R2-first-fail")

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/assessment/mine")
    checked(page, "1-mine-phone", PHONE["width"])
    page.get_by_role("link", name=f"对记录 #{criticism.id} 提出申诉").click()
    expect(page.get_by_role("heading", name="提出申诉")).to_be_visible()
    page.get_by_label("申诉理由").fill("考试当天系统故障，第12题无法提交，已截图")
    page.get_by_label("附件（可选：照片、截图或文件）").set_input_files(photo(tmp_path / "截图.jpg"))
    checked(page, "2-appeal-form-phone", PHONE["width"])
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".flash-success")).to_contain_text("申诉已提交")
    expect(page.locator(".appeal-state")).to_have_text("待处理")
    expect(page.get_by_role("img", name="申诉附件：截图.jpg")).to_be_visible()
    checked(page, "3-appeal-opened-phone", PHONE["width"])

    wide = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    desk = wide.new_page()
    sign_in(desk, county_sup)
    expect(desk.get_by_text("1 条申诉等待决定")).to_be_visible()
    checked(desk, "4-supervisor-home", WIDE["width"])
    desk.get_by_role("link", name="去处理").click()
    checked(desk, "5-queue", WIDE["width"])
    appeal = db.session.scalar(select(Appeal).where(Appeal.entry_id == criticism.id))
    desk.get_by_role("link", name=f"处理申诉 #{appeal.id}").click()
    expect(desk.get_by_text("考试当天系统故障")).to_be_visible()
    desk.get_by_label("申诉成立（冲销原记录）").check()
    desk.get_by_label("理由（将通知本人；申诉成立时作为冲销原因）").fill("经核实系统日志，当天确有故障")
    checked(desk, "6-decide", WIDE["width"])
    desk.get_by_role("button", name="提交决定").click()
    expect(desk.locator(".flash-success")).to_contain_text("申诉成立")
    checked(desk, "7-upheld", WIDE["width"])

    db.session.expire_all()
    reversal = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == criticism.id))
    assert reversal is not None
    page.goto("/assessment/mine")
    expect(page.get_by_text(f"已冲销 #{reversal.id}")).to_be_visible()
    expect(page.get_by_role("link", name="申诉：申诉成立")).to_be_visible()
    checked(page, "8-mine-after-phone", PHONE["width"])
    page.goto("/inbox")
    expect(page.get_by_text("申诉成立：通报批评已冲销").first).to_be_visible()
    checked(page, "9-inbox-phone", PHONE["width"])
    phone.close()
    wide.close()
