"""The R3 queue (拜访扣分确认) in a real Chromium on a 360 px phone and a 1366 px desk: each pending candidate shows
confirming (the system, then the button) and dismissing (the reason, then the button) as two separate blocks (one
under the other on the phone, side by side on the desk); the
supervisor dismisses one with a reason and confirms the other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.field import r3
from lms.field.visit_models import DeductionCandidate
from tests.browser.checks import checked
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.visits import add_shop, pass_system_ops, record, visit_form

pytestmark = BROWSER_MARKS
NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def test_the_queue_reads_well_on_a_phone_and_decides(chromium, live_server, make_user, tmp_path):
    from playwright.sync_api import expect

    manager = make_user("manager", county="城区", grid="东城网格", name="李明")
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    shop = add_shop(manager, name="东城手机店")
    b2b = {"system_ops": "不会在B2B订货"}
    record(visit_form(shop, problems=b2b), manager, NOW, tmp_path)
    pass_system_ops(manager, finished_at=NOW + timedelta(days=1))
    record(visit_form(shop, problems=b2b), manager, NOW + timedelta(days=2), tmp_path)
    record(visit_form(shop, problems={"remuneration": "酬金三个月未结算"}), manager, NOW - timedelta(days=10),
           tmp_path)
    r3.sweep(now=NOW + timedelta(days=1))  # the remuneration ticket is overdue, the B2B ones are not yet
    assert db.session.query(DeductionCandidate).count() == 2

    for width, height in ((360, 740), (1366, 900)):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                       base_url=live_server)
        page = context.new_page()
        sign_in(page, supervisor)
        page.goto("/field/r3")
        cards = page.locator(".candidate")
        expect(cards).to_have_count(2)
        confirm = cards.first.locator(".decide-confirm")
        dismiss = cards.first.locator(".decide-dismiss")
        expect(confirm.get_by_role("button", name="确认扣分")).to_be_visible()
        expect(dismiss.get_by_label("驳回理由")).to_be_visible()
        # two blocks that do not overlap: on the phone one under the other, on the desk side by side
        confirm_box, dismiss_box = confirm.bounding_box(), dismiss.bounding_box()
        if width == 360:
            assert dismiss_box["y"] >= confirm_box["y"] + confirm_box["height"]
        else:
            assert dismiss_box["x"] >= confirm_box["x"] + confirm_box["width"]
        checked(page, width, "r3-queue", folder="field-r3")
        context.close()

    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, supervisor)
    page.goto("/field/r3")
    overdue = page.locator(".candidate", has_text="工单逾期未处理")
    overdue.get_by_label("驳回理由").fill("酬金已于当月结清，系统延迟")
    overdue.get_by_role("button", name="驳回").click()
    expect(page.get_by_text("已驳回。")).to_be_visible()
    page.locator(".candidate", has_text="培训后").get_by_role("button", name="确认扣分").click()
    expect(page.get_by_text("执行力基础管理扣分已记入台账")).to_be_visible()
    checked(page, 360, "r3-queue-decided", folder="field-r3")
    context.close()
    db.session.expire_all()
    states = sorted(db.session.scalars(select(DeductionCandidate.state)))
    assert states == ["confirmed", "dismissed"]
