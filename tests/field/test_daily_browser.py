"""今日工作 in a real Chromium at 360 px: the manager files the morning form, a ground activity with a camera photo
and the place from an emulated location, and the progress report; the grid supervisor, at 1366 px, sees the board
and writes the next assignment."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from lms.extensions import db
from lms.field.daily_models import DailyReport, DayAssignment, GroundActivity
from tests.browser.checks import checked
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import server_clock

pytestmark = BROWSER_MARKS
PHONE, WIDE = {"width": 360, "height": 740}, {"width": 1366, "height": 900}
# Waits (up to the timeout) for the first image the selector finds to load and decode: a broken one never does.
LOADED = ("selector => { const img = document.querySelector(selector); "
          "return !!img && img.complete && img.naturalWidth > 0; }")
PLACE = {"latitude": 30.2741, "longitude": 120.1551}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def camera_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_manager_files_the_day_and_the_grid_supervisor_assigns_the_next(chromium, live_server, make_user,
                                                                          monkeypatch):
    clock = server_clock(monkeypatch, datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai
    person, supervisor = make_user(name="王芳"), make_user("supervisor", name="刘主管")

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server,
                                 permissions=["geolocation"], geolocation=PLACE)
    page = phone.new_page()
    sign_in(page, person)
    page.goto("/field/daily")
    checked(page, 360, "daily-empty", folder="field")
    page.fill("#yesterday", "拜访城东2家终端店")
    page.fill("#plan", "上午拜访3家终端店，下午城东广场地推")
    page.click("text=提交今日计划")
    page.wait_for_selector("text=今日计划已提交。")
    page.fill("#place", "城东广场")
    page.click("[data-locate]")
    page.wait_for_selector("text=已记录位置：30.274100, 120.155100")
    page.set_input_files("#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                            "buffer": camera_photo()}])
    page.fill("#handsets_sold", "3")
    page.fill("#broadband_signups", "2")
    page.fill("#new_lines", "5")
    page.click("text=上报活动")
    page.wait_for_selector("text=地面活动已上报。")
    page.wait_for_function(LOADED, arg=".daily-photos img")  # the photo is served and decodes
    clock.advance(hours=8)  # 16:30
    page.fill("#progress-text", "完成地推，售机3台，宽带2户")
    page.click("text=提交进展汇报")
    page.wait_for_selector("text=进展已汇报。")
    checked(page, 360, "daily-filed", folder="field")
    phone.close()
    report = db.session.scalar(select(DailyReport))
    activity = report.activities[0]
    assert (report.progress_late, activity.latitude, activity.longitude) == (False, 30.2741, 120.1551)

    desk = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/field/daily/board")
    row = page.locator(f"#m{person.id}")
    assert "已汇报" in row.inner_text()
    assert "城东广场" in row.inner_text()
    checked(page, 1366, "daily-board", folder="field")
    page.goto("/field/daily/board?day=2026-12-02")
    page.fill(f"#assign-{person.id}", "明天上午拜访北街2家村级渠道")
    page.click(f"#m{person.id} button[type=submit]")
    page.wait_for_selector("text=已为 王芳 布置工作。")
    checked(page, 1366, "daily-board-assigned", folder="field")
    desk.close()
    assignment = db.session.scalar(select(DayAssignment))
    assert (assignment.day.isoformat(), assignment.created_by_id) == ("2026-12-02", supervisor.id)


def test_a_ground_activity_filed_with_no_signal_waits_on_the_phone_and_is_sent_late(chromium, live_server,
                                                                                      make_user):
    from playwright.sync_api import expect

    person, supervisor = make_user(name="王芳"), make_user("supervisor", name="刘主管")
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server,
                                 permissions=["geolocation"], geolocation=PLACE)
    page = phone.new_page()
    sign_in(page, person)
    page.goto("/field/daily")
    phone.set_offline(True)
    page.fill("#place", "北街村口")
    page.click("[data-locate]")
    page.wait_for_selector("text=已记录位置：30.274100, 120.155100")
    page.set_input_files("#photos", files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg",
                                            "buffer": camera_photo()}])
    page.fill("#handsets_sold", "2")
    page.click("text=上报活动")
    expect(page.locator("#activity-queue-status")).to_have_text("1 个地面活动保存在手机上，联网后自动上传")
    expect(page.locator("#activity-queue-items li")).to_contain_text("北街村口")
    expect(page.locator("#activity-queue-items li")).to_contain_text("待上传")
    expect(page.locator("#place")).to_have_value("")  # cleared for the next one, with the position read for it
    assert page.locator("[data-latitude]").input_value() == ""
    checked(page, 360, "daily-activity-queued", folder="field")
    assert db.session.scalar(select(GroundActivity)) is None

    phone.set_offline(False)
    expect(page.locator("#activity-queue-status")).to_be_hidden(timeout=15_000)
    expect(page.locator("#activity-queue-items li")).to_have_count(0)
    page.get_by_role("link", name="刷新查看").click()
    activity = page.locator(".daily-activity", has_text="北街村口")
    expect(activity.get_by_text("离线补传")).to_be_visible()
    expect(activity.get_by_text("手机记录时间")).to_be_visible()
    page.wait_for_function(LOADED, arg=".daily-activity .daily-photos img")
    checked(page, 360, "daily-activity-sent-late", folder="field")
    phone.close()
    db.session.expire_all()
    stored = db.session.scalars(select(GroundActivity)).one()
    assert (stored.late_received, stored.handsets_sold, len(stored.photos)) == (True, 2, 1)
    assert (stored.latitude, stored.longitude) == (30.2741, 120.1551)
    assert stored.device_at is not None
    assert stored.device_at <= stored.created_at

    desk = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/field/daily/board")
    expect(page.locator(f"#m{person.id}").get_by_text("离线补传")).to_be_visible()
    checked(page, 1366, "daily-board-sent-late", folder="field")
    desk.close()
