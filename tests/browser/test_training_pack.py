"""The month's training pack in Chromium: a trainer at 1366 px builds December's pack (three lessons in their
order, December's monthly test), previews and publishes it once; the managers get one message; a manager at 360 px
sees the pack on the home page in that order; the progress page's month picker switches between November and
December. Screenshots go to LMS_WALK_SCREENSHOTS/packs/ when that is set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.announcements.models import Announcement, InboxMessage
from lms.courses import services
from lms.courses.rules import LessonMeta
from lms.extensions import db
from tests.browser.checks import shot as folder_shot
from tests.browser.walk import AXE_SERIOUS, run_axe
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import server_clock
from tests.support.packs import published_pack

pytestmark = BROWSER_MARKS



@pytest.fixture
def clock(monkeypatch):
    clock = server_clock(monkeypatch, datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    for target in ("lms.courses.views.utcnow", "lms.courses.pack_views.utcnow", "lms.courses.pack_services.utcnow"):
        monkeypatch.setattr(target, clock)
    return clock


def live_lesson(slug, title, author, *, category="policy-handset", period="2026-12"):
    meta = LessonMeta(title=title, category=category, tags=(), period=period, order=100, summary="", quiz=None,
                      effective=None)
    return services.create_web_lesson(slug=slug, meta=meta, body=f"## {title}\n\n正文。\n", author=author,
                                      publish=True)


@pytest.fixture
def world(app, make_user, monthly_quiz, clock):
    trainer = make_user("trainer", name="培训师")
    live_lesson("dec-handset", "12月终端政策（合约机直降）", trainer)
    live_lesson("dec-pay", "12月酬金计提规则", trainer, category="remuneration")
    live_lesson("b2b-order", "B2B 终端订货操作", trainer, category="system-b2b-ordering", period=None)
    live_lesson("dec-broadband", "12月宽带政策", trainer, category="policy-broadband")
    live_lesson("nov-handset", "11月终端政策", trainer, period="2026-11")
    published_pack("2026-11", ["nov-handset"])
    quiz = monthly_quiz("2026-12", title="12月渠道政策月考")
    managers = [make_user("manager", name="东城经理"), make_user("manager", grid="西城网格", name="西城经理")]
    services.mark_studied("dec-pay", managers[0])
    supervisor = make_user("supervisor", county="城区", grid=None, name="城区主管")
    return {"trainer": trainer, "managers": managers, "supervisor": supervisor, "quiz": quiz}


def shot(page, name):
    folder_shot(page, "packs", name)


def check_page(page):
    """No sideways scrolling and nothing serious for axe-core."""
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"
    serious = [v for v in run_axe(page) if v["impact"] in AXE_SERIOUS]
    assert serious == [], serious


def new_page(chromium, live_server, width):
    context = chromium.new_context(viewport={"width": width, "height": 900 if width > 600 else 740},
                                   locale="zh-CN", base_url=live_server)
    return context, context.new_page()


def test_trainer_publishes_the_december_pack_once_and_a_manager_sees_it_in_order(world, chromium, live_server):
    from playwright.sync_api import expect

    context, page = new_page(chromium, live_server, 1366)
    try:
        sign_in(page, world["trainer"])
        page.goto("/courses")
        page.get_by_role("link", name="月度培训包").click()
        expect(page.get_by_role("heading", name="月度培训包")).to_be_visible()
        expect(page.locator("input[name=period]")).to_have_value("2026-12")
        check_page(page)
        page.get_by_role("button", name="创建").click()

        expect(page.get_by_role("heading", name="编辑培训包 · 2026年12月")).to_be_visible()
        for title in ("12月终端政策（合约机直降）", "12月酬金计提规则", "B2B 终端订货操作"):
            page.get_by_label(title).check()
        page.get_by_label("本月考试").select_option(label="12月渠道政策月考（2026-12）")
        page.get_by_label("标题").fill("12月培训包：政策、酬金、系统")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("培训包已保存")
        order = page.locator(".pack-order li")
        expect(order).to_have_count(3)
        # B2B ordering first: the trainer moves it up twice, without any script.
        page.locator(".pack-order li", has_text="B2B").get_by_role("button", name="↑ 上移").click()
        page.locator(".pack-order li", has_text="B2B").get_by_role("button", name="↑ 上移").click()
        expect(order.first).to_contain_text("B2B 终端订货操作")
        expect(order.nth(1)).to_contain_text("12月终端政策")
        expect(order.nth(2)).to_contain_text("12月酬金计提规则")
        check_page(page)
        shot(page, "trainer-1366-edit")

        page.get_by_role("link", name="预览").first.click()
        expect(page.get_by_role("heading", name="发布时发送的通知")).to_be_visible()
        notice = page.locator(".lesson-body")
        expect(notice.get_by_role("link", name="B2B 终端订货操作")).to_have_attribute("href", "/lessons/b2b-order")
        expect(notice.get_by_role("link", name="12月渠道政策月考")).to_be_visible()
        check_page(page)
        shot(page, "trainer-1366-preview")
        page.get_by_role("button", name="发布培训包并通知").click()
        expect(page.locator(".flash")).to_contain_text("培训包已发布")
        expect(page.get_by_role("button", name="发布培训包并通知")).to_have_count(0)  # once
        shot(page, "trainer-1366-published")
    finally:
        context.close()

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1
    for manager in world["managers"]:
        assert db.session.scalar(select(func.count()).select_from(InboxMessage)
                                 .where(InboxMessage.user_id == manager.id)) == 1

    context, page = new_page(chromium, live_server, 360)
    try:
        sign_in(page, world["managers"][0])
        panel = page.locator("section.card", has_text="本月培训包 · 2026年12月")
        expect(panel).to_be_visible()
        items = panel.locator(".pack-lessons li")
        expect(items).to_have_count(3)
        expect(items.nth(0)).to_contain_text("B2B 终端订货操作")
        expect(items.nth(1)).to_contain_text("12月终端政策（合约机直降）")
        expect(items.nth(2)).to_contain_text("12月酬金计提规则")
        expect(items.nth(2)).to_contain_text("已学习")
        expect(panel).to_contain_text("已学 1 / 3")
        expect(panel.get_by_role("link", name="12月渠道政策月考")).to_be_visible()
        expect(panel).not_to_contain_text("11月终端政策")
        check_page(page)
        shot(page, "manager-360-home")
        page.goto("/inbox")
        expect(page.locator("main")).to_contain_text("12月培训包：政策、酬金、系统已发布")
        check_page(page)
        shot(page, "manager-360-inbox")
    finally:
        context.close()


def test_the_progress_page_switches_between_november_and_december(world, chromium, live_server):
    from playwright.sync_api import expect

    published_pack("2026-12", ["dec-handset", "dec-pay", "b2b-order"])
    for width in (1366, 360):
        context, page = new_page(chromium, live_server, width)
        try:
            sign_in(page, world["supervisor"])
            page.goto("/courses/progress")
            expect(page.get_by_role("heading", level=1)).to_contain_text("2026年12月培训包")
            expect(page.locator("main")).to_contain_text("3 节课程")
            page.get_by_label("月份").select_option(label="2026年11月")
            page.get_by_role("button", name="查看").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("2026年11月培训包")
            expect(page.locator("main")).to_contain_text("1 节课程")
            check_page(page)
            shot(page, f"progress-{width}-november")
            page.get_by_label("月份").select_option(label="2026年12月")
            page.get_by_role("button", name="查看").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("2026年12月培训包")
        finally:
            context.close()
