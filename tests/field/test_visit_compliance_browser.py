"""拜访达标 in a real Chromium: a county supervisor reads each manager's week and month and the overdue shops on a
phone (360 px, a card per row) and a desk (1366 px), narrows it to one grid and downloads the Excel; the check-in
board with its month export link at both widths."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from lms.extensions import db
from tests.browser.checks import checked
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import Clock
from tests.support.visits import add_shop, record, visit_form

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}
NOW = datetime(2026, 12, 9, 2, tzinfo=UTC)  # Wednesday 10:00 in Shanghai


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


@pytest.fixture
def world(make_user, tmp_path, monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setattr("lms.field.visit_compliance_views.utcnow", clock)
    monkeypatch.setattr("lms.field.board_filters.utcnow", clock)  # the month shown by default
    monkeypatch.setattr("lms.field.checkin_views.utcnow", clock)
    people = [make_user(name=name) for name in ("王芳", "李强", "陈静")] + [make_user(name="赵磊", grid="西城网格")]
    shops = [("终端旗舰店", "terminal", 5), ("城东营业厅合作店", "business", 3), ("张家村代办点", "village", 1)]
    # days ago each shop was visited: some kept up, some overdue, one never visited
    visited = [[(0, 2, 4, 6), (1, 5), (3,)], [(1, 8), (2, 6), ()], [(0, 1), (9,), (20, 40)], [(), (15,), (8,)]]
    for number, person in enumerate(people):
        for index, (name, kind, star) in enumerate(shops):
            shop = add_shop(person, code=f"S{number}{index}", name=f"{person.name}·{name}", kind=kind, star=star)
            shop.created_at = NOW - timedelta(days=90)
            db.session.commit()
            for days_ago in visited[number][index]:
                record(visit_form(shop), person, NOW - timedelta(days=days_ago), tmp_path)
    return people


def test_a_county_supervisor_reads_visit_compliance_on_a_phone_and_a_desk(chromium, live_server, make_user, world):
    supervisor = make_user("supervisor", grid=None, name="刘主管")
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, accept_downloads=True)
    page = phone.new_page()
    sign_in(page, supervisor)
    page.goto("/field/visits/compliance")
    managers = page.locator("table.visit-compliance tbody tr")
    assert managers.count() == 4
    assert "王芳" in managers.first.inner_text()
    overdue = page.locator("table.visit-overdue tbody tr")
    assert overdue.count() == 6
    assert "从未拜访" in overdue.first.inner_text()  # a shop added 90 days ago and never visited
    checked(page, 360, "visit-compliance", folder="field")
    page.select_option("#grid", label="城区 / 西城网格")
    page.click("button:has-text('查看')")
    page.wait_for_url("**grid=*")
    assert page.locator("table.visit-compliance tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["赵磊"]
    page.goto("/field/checkins")
    checked(page, 360, "checkin-board", folder="field")
    phone.close()

    desk = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/field/visits/compliance")
    assert page.locator("table.visit-compliance tbody tr").count() == 4
    checked(page, 1366, "visit-compliance", folder="field")
    page.goto("/field/checkins")
    assert page.get_by_role("link", name="导出 Excel").count() == 1
    checked(page, 1366, "checkin-board", folder="field")
    desk.close()
