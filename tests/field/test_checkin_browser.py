"""Checking in on a phone in a real Chromium at 360 px, with the location emulated and a photo file standing in for
the camera: the privacy notice first; a morning check-in near the business hall; a refused photo named; an evening
check-in with no signal waits on the phone, goes when the signal is back, and is marked as sent late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.field.checkin_models import CheckIn
from tests.browser.checks import checked as page_checked
from tests.field.checkin_support import (
    HALL,
    MORNING_AT,
    NEAR,
    app_config,  # noqa: F401 - fixture: a media folder of the test's own
    photo,
)
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
PHONE = {"width": 360, "height": 740}


def checked(page: Any, name: str) -> None:
    page_checked(page, PHONE["width"], name, folder="checkin")


def test_a_manager_checks_in_on_the_phone_and_offline(chromium: Any, live_server: str, make_user: Any,
                                                        make_unit: Any, clock: Any) -> None:
    from playwright.sync_api import expect

    grid = make_unit("城区", "东城网格")
    grid.latitude, grid.longitude = HALL
    db.session.commit()
    manager = make_user("manager", name="张三")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server,
                                   permissions=["geolocation"],
                                   geolocation={"latitude": NEAR[0], "longitude": NEAR[1], "accuracy": 15})
    page = context.new_page()
    sign_in(page, manager)
    page.goto("/field/checkin")
    expect(page.locator("h1")).to_contain_text("个人信息告知")
    checked(page, "1-notice")
    page.get_by_role("button", name="我已阅读并同意").click()
    expect(page.get_by_text("已确认个人信息告知。")).to_be_visible()
    page.wait_for_load_state("load")  # the check-in script listens for the photo before one is chosen

    morning = page.locator('.checkin-slot[data-slot="morning"]')
    expect(morning.locator(".checkin-status")).to_contain_text("未签到")
    page.set_input_files("#photo-morning", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                                    "buffer": photo((800, 600))}])
    expect(morning.locator(".checkin-preview")).to_be_visible()
    checked(page, "2-photo")
    morning.get_by_role("button", name="签到").click()
    expect(morning.locator(".checkin-status")).to_contain_text("已签到 08:05")
    expect(morning.locator(".checkin-form")).to_have_count(0)

    activity = page.locator('.checkin-slot[data-slot="activity"]')
    activity.locator('[name="activity_address"]').fill("东城广场")
    page.set_input_files("#photo-activity", files=[{"name": "notes.txt", "mimeType": "text/plain",
                                                     "buffer": b"meeting notes"}])
    expect(activity.locator(".checkin-preview")).to_be_hidden()
    activity.get_by_role("button", name="签到").click()
    expect(activity.locator(".checkin-error")).to_contain_text("照片“notes.txt”不是图片")
    checked(page, "3-refused")

    clock.now = MORNING_AT + timedelta(hours=9)  # 17:05
    context.set_offline(True)
    evening = page.locator('.checkin-slot[data-slot="evening"]')
    page.set_input_files("#photo-evening", files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg",
                                                    "buffer": photo((640, 480))}])
    evening.get_by_role("button", name="签到").click()
    expect(page.locator("#checkin-queue")).to_contain_text("没有信号")
    expect(page.locator("#checkin-queue")).to_contain_text("1 条待发送")
    assert db.session.scalars(select(CheckIn).where(CheckIn.slot == "evening")).first() is None
    checked(page, "4-queued")
    context.set_offline(False)
    expect(evening.locator(".checkin-status")).to_contain_text("已签到 17:05", timeout=15000)
    expect(evening.locator(".checkin-status")).to_contain_text("离线补传")
    expect(page.locator("#checkin-queue")).to_be_hidden()
    checked(page, "5-sent")

    db.session.commit()  # a fresh read of what the server stored
    stored = {c.slot: c for c in db.session.scalars(select(CheckIn).where(CheckIn.user_id == manager.id))}
    assert set(stored) == {"morning", "evening"}
    assert not stored["morning"].late_received
    assert not stored["morning"].far
    assert stored["morning"].latitude == pytest.approx(NEAR[0])
    assert stored["evening"].late_received
    assert stored["evening"].device_at is not None
    assert stored["morning"].photo_content_type == "image/jpeg"
    context.close()
