"""The field day told once, end to end, in a real Chromium at 360 px with an emulated location (issue "the field day",
its "Must show"): a channel manager checks in at the business hall, visits three shops — one with no signal, sent
later — and reports that a shop "doesn't know how to order on B2B" after the manager's system-ops training, which
makes a deduction candidate; files the daily plan and the progress report. The grid supervisor sees the check-in and
visit compliance and confirms the 2-point deduction. At the month's close the computed process indicators are
written beside the exam and the deduction, and they decide the ranking.

One clock runs the whole server (tests/support/clock.py ``whole_server_clock``): the day is Wednesday
4 November 2026; the close runs after November's window has shut."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from lms.assessment.models import Indicator, LedgerEntry, Ranking
from lms.core.clock import to_local
from lms.extensions import db
from lms.field.checkin_models import CheckIn
from lms.field.daily_models import DailyReport
from lms.field.rules import working_days
from lms.field.visit_models import DeductionCandidate, Ticket, Visit
from tests.browser.checks import checked as page_checked
from tests.field.checkin_support import HALL, NEAR
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import whole_server_clock
from tests.support.quizzes import after_close
from tests.support.visits import add_shop, fill_visit, pass_system_ops

pytestmark = BROWSER_MARKS
PHONE = {"width": 360, "height": 740}
WEDNESDAY_0805 = datetime(2026, 11, 4, 0, 5, tzinfo=UTC)  # 08:05 in Shanghai
VISIT_PAGE = re.compile(r"/field/visits/\d+$")
HERE = {"latitude": NEAR[0], "longitude": NEAR[1], "accuracy": 15}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def checked(page, name: str) -> None:
    page_checked(page, PHONE["width"], name, folder="field-day-story")


def jpeg(colour: tuple[int, int, int]) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


PHOTOS = [jpeg((30, 120, 200)), jpeg((200, 120, 30))]  # the signboard and the poster


@pytest.fixture
def world(make_user, make_unit, monthly_quiz, take) -> SimpleNamespace:
    """A grid with its business hall; 张三 with three shops near it, 李四 (the same month without field work), their
    grid supervisor and an administrator; November's exam taken; 张三's system-ops test passed on Monday (the
    training the R3 loop waits for). Everyone joined before November."""
    grid = make_unit("城区", "东城网格")
    grid.latitude, grid.longitude = HALL
    people = SimpleNamespace(
        zhang=make_user("manager", name="张三", county="城区", grid="东城网格"),
        li=make_user("manager", name="李四", county="城区", grid="东城网格"),
        supervisor=make_user("supervisor", name="刘主管", county="城区", grid="东城网格"),
        admin=make_user("admin"))
    for person in (people.zhang, people.li):
        person.joined_at = datetime(2026, 9, 1, tzinfo=UTC)
    db.session.commit()
    for code, name, north in (("T1", "东城手机店", 0.0002), ("T2", "南街通讯", 0.0010), ("T3", "北关营业部", 0.0030)):
        add_shop(people.zhang, code=code, name=name, latitude=NEAR[0] + north, longitude=NEAR[1])
    take(monthly_quiz("2026-11"), {people.zhang: 91.5, people.li: 90})
    pass_system_ops(people.zhang, finished_at=WEDNESDAY_0805 - timedelta(days=2))
    return people


def test_a_field_day_from_the_morning_check_in_to_the_months_ranking(chromium, live_server, world, monkeypatch):
    from playwright.sync_api import expect

    zhang, li, supervisor, admin = world.zhang, world.li, world.supervisor, world.admin
    clock = whole_server_clock(monkeypatch, WEDNESDAY_0805)

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server,
                                 permissions=["geolocation"], geolocation=HERE)
    page = phone.new_page()
    sign_in(page, zhang)

    # 08:05 the morning check-in at the business hall
    page.goto("/field/checkin")
    page.get_by_role("button", name="我已阅读并同意").click()
    expect(page.get_by_text("已确认个人信息告知。")).to_be_visible()
    page.wait_for_load_state("load")  # the check-in script listens for the photo before one is chosen
    morning = page.locator('.checkin-slot[data-slot="morning"]')
    page.set_input_files("#photo-morning", files=[jpeg((200, 80, 40))])
    morning.get_by_role("button", name="签到").click()
    expect(morning.locator(".checkin-status")).to_contain_text("已签到 08:05")
    checked(page, "1-checked-in")

    # 08:30 the day's plan
    clock.now = WEDNESDAY_0805 + timedelta(minutes=25)
    page.goto("/field/daily")
    page.fill("#yesterday", "整理渠道台账")
    page.fill("#plan", "上午拜访东城手机店、南街通讯、北关营业部")
    page.click("text=提交今日计划")
    page.wait_for_selector("text=今日计划已提交。")

    # 10:00 three visits: the first reports the B2B problem, the third is written where there is no signal
    clock.now = WEDNESDAY_0805 + timedelta(hours=2)
    page.goto("/field/visits/new")
    page.get_by_role("button", name="获取我的位置，最近的门店排在前面").click()
    page.wait_for_url("**lat=**")
    names = [n.split()[0] for n in page.locator(".shop-choices label span").all_inner_texts()]
    assert names == ["东城手机店", "南街通讯", "北关营业部"]  # nearest first
    fill_visit(page, "东城手机店", PHOTOS, b2b="店员不会在B2B平台订货")
    checked(page, "2-visit-form")
    page.get_by_role("button", name="提交拜访").click()
    page.wait_for_url(VISIT_PAGE)
    clock.now += timedelta(minutes=40)
    page.goto("/field/visits/new")
    fill_visit(page, "南街通讯", PHOTOS)
    page.get_by_role("button", name="提交拜访").click()
    page.wait_for_url(VISIT_PAGE)
    clock.now += timedelta(minutes=40)
    page.goto("/field/visits/new")
    phone.set_offline(True)
    fill_visit(page, "北关营业部", PHOTOS)
    page.get_by_role("button", name="提交拜访").click()
    expect(page.locator("#visit-queue-status")).to_have_text("1 条拜访保存在手机上，联网后自动上传")
    checked(page, "3-visit-queued")
    phone.set_offline(False)
    expect(page.locator("#visit-queue-status")).to_be_hidden(timeout=15_000)
    page.goto("/field/visits")
    expect(page.locator(".visit-list li", has_text="北关营业部").get_by_text("离线补传")).to_be_visible()
    checked(page, "4-visits")

    # 16:30 the progress report
    clock.now = WEDNESDAY_0805 + timedelta(hours=8, minutes=25)
    page.goto("/field/daily")
    page.fill("#progress-text", "拜访3家，东城手机店B2B订货问题已上报")
    page.click("text=提交进展汇报")
    page.wait_for_selector("text=进展已汇报。")
    checked(page, "5-daily-filed")
    phone.close()

    db.session.expire_all()
    visits = db.session.scalars(select(Visit).order_by(Visit.id)).all()
    assert [(v.shop.name, v.late_received) for v in visits] == [
        ("东城手机店", False), ("南街通讯", False), ("北关营业部", True)]
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.category, ticket.routed_user_id) == ("system_ops", supervisor.id)
    candidate = db.session.scalars(select(DeductionCandidate)).one()
    assert (candidate.user_id, candidate.ticket_ids) == (zhang.id, [ticket.id])
    assert db.session.scalars(select(CheckIn)).one().user_id == zhang.id
    assert db.session.scalars(select(DailyReport)).one().progress_late is False

    # 17:10 the grid supervisor, on a phone too: who checked in and visited, then the deduction
    clock.now = WEDNESDAY_0805 + timedelta(hours=9, minutes=5)
    desk = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/field/checkins")
    today = page.locator("table.checkin-today")
    expect(today.locator("tr", has_text="张三")).to_contain_text("08:05")
    expect(today.locator("tr", has_text="李四")).to_contain_text("缺签")
    checked(page, "6-checkin-board")
    page.goto("/field/daily/board")
    expect(page.locator(f"#m{zhang.id}")).to_contain_text("已汇报")
    checked(page, "7-daily-board")
    page.goto("/field/r3")
    card = page.locator(".candidate", has_text="张三")
    expect(card.get_by_text("店员不会在B2B平台订货")).to_be_visible()
    checked(page, "8-r3-queue")
    card.get_by_role("button", name="确认扣分").click()
    expect(page.get_by_text("执行力基础管理扣分已记入台账")).to_be_visible()
    page.goto("/field/tickets")  # and answers the shop's ticket within its due date
    page.get_by_label("答复", exact=True).fill("已约店员周五参加B2B订货点对点培训")
    page.get_by_label("答复后关闭工单").check()
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_text("已答复工单 #")).to_be_visible()  # the page after the answer, not the one before
    checked(page, "9-ticket-answered")
    desk.close()
    db.session.expire_all()
    deduction = db.session.scalars(select(LedgerEntry)).one()
    assert (deduction.user_id, deduction.points, deduction.period) == (zhang.id, -2.0, "2026-11")

    # after November: the administrator closes the month in the browser
    clock.now = after_close("2026-11")
    wide = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = wide.new_page()
    sign_in(page, admin)
    page.goto("/assessment/2026-11/preview")
    expect(page.get_by_text("过程·签到率").first).to_be_visible()  # the ranking to be written, indicators named
    checked(page, "10-close-preview")
    page.get_by_role("button", name="确认结账").click()
    expect(page.get_by_text("2026-11 已结账")).to_be_visible()
    page.goto("/assessment/2026-11/ranking")
    rows = page.locator("main tbody tr")
    expect(rows.nth(0)).to_contain_text("张三")
    expect(rows.nth(1)).to_contain_text("李四")
    checked(page, "11-ranking")
    wide.close()

    db.session.expire_all()
    computed = {i.name: i.points for i in db.session.scalars(
        select(Indicator).where(Indicator.period == "2026-11", Indicator.user_id == zhang.id))}
    # the working days due run to the close (November's exam window shut on the 8th): one morning check-in of the
    # two a day, one day's plan and report; 1 visit of the ~13 each terminal shop needs; the ticket answered in time
    due = len(working_days("2026-11", until=to_local(after_close("2026-11")).date()))
    assert computed == {"过程·签到率": round(5 * 1 / (2 * due), 2), "过程·日报提交率": round(5 * 1 / due, 2),
                        "过程·拜访达标率": computed["过程·拜访达标率"], "过程·工单及时办结率": 5.0}, computed
    assert 0 < computed["过程·拜访达标率"] < 1
    assert {i.name: i.points for i in db.session.scalars(
        select(Indicator).where(Indicator.period == "2026-11", Indicator.user_id == li.id))} == {
        "过程·签到率": 0.0, "过程·日报提交率": 0.0}  # no shops, no tickets: nothing to measure, no row
    ranking = {r.user_id: r for r in db.session.scalars(select(Ranking).where(Ranking.period == "2026-11"))}
    # without the indicators 张三 (91.5 − 2) would rank below 李四 (90); with them he ranks first
    assert 91.5 - 2 < 90 < 91.5 - 2 + sum(computed.values())
    assert (ranking[zhang.id].position, ranking[li.id].position) == (1, 2)
