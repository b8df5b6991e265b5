"""门店学习覆盖 in a real Chromium: a grid supervisor reads December's coverage of their grid on a phone (360 px, a
card per row) and a desk (1366 px) — the shops reached, read and passed, the manager who has not shared, the shops
never opened and the question shops miss most — finds it in the 外勤 menu and downloads the Excel."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.browser.checks import checked
from tests.outreach.coverage_support import NOW, coverage_world
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import Clock

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}


@pytest.fixture
def world(make_user, monkeypatch):
    monkeypatch.setattr("lms.field.board_filters.utcnow", Clock(NOW))
    return coverage_world(make_user)


def test_a_grid_supervisor_reads_the_coverage_on_a_phone_and_a_desk(chromium, live_server, make_user, world):
    supervisor = make_user("supervisor", name="周主管")  # 城区 / 东城网格
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, accept_downloads=True)
    page = phone.new_page()
    sign_in(page, supervisor)
    page.click("label.nav-toggle-label")
    page.locator("details.nav-group summary", has_text="外勤").click()
    page.click("text=门店学习覆盖")
    page.wait_for_url("**/outreach/coverage")
    grids = page.locator("table.coverage-grids tbody tr")
    assert grids.count() == 1
    assert "东城网格" in grids.first.inner_text()
    assert "2 (40%)" in grids.first.inner_text()  # 2 of its 5 shops reached
    managers = page.locator("table.coverage-managers tbody tr")
    assert managers.count() == 2
    assert "李强" in managers.first.inner_text()
    assert "未分享" in managers.first.inner_text()
    never = page.locator("table.coverage-never tbody tr")
    assert [never.nth(i).locator("strong").inner_text() for i in range(never.count())] == [
        "王家村代办点", "李家手机店", "新开村点"]
    assert "有链接，从未打开" in never.nth(1).inner_text()
    assert "购机直降多少元？" in page.locator("table.coverage-questions tbody tr").first.inner_text()
    assert page.locator("text=西城合作厅").count() == 0
    assert page.locator("text=郊县村点").count() == 0
    checked(page, 360, "coverage", folder="outreach")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert [row[0] for row in book["按网格"].iter_rows(min_row=2, values_only=True)] == ["东城网格"]
    phone.close()

    desk = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/outreach/coverage")
    assert page.locator("table.coverage-stars tbody tr").count() == 5
    checked(page, 1366, "coverage", folder="outreach")
    page.goto("/outreach/coverage?period=2026-11")
    assert page.locator("table.coverage-never tbody tr").count() == 4
    checked(page, 1366, "coverage-november", folder="outreach")
    desk.close()
