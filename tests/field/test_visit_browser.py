"""Shop visits in a real Chromium at 360 px with an emulated position and fake camera files: a visit sent online, a
second queued offline (with its photos, in IndexedDB) and sent once the phone is back online, flagged late; a B2B
problem that becomes a ticket and, the manager having passed the system-ops test, a deduction candidate the grid
supervisor confirms — the ledger then shows the 2-point deduction."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from lms.assessment.models import LedgerEntry
from lms.extensions import db
from lms.field.visit_models import DeductionCandidate, Ticket, Visit
from tests.browser.checks import checked
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.visits import add_shop, fill_visit, pass_system_ops

pytestmark = BROWSER_MARKS
PHONE = {"width": 360, "height": 740}
HERE = {"latitude": 30.0, "longitude": 120.0}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def photo(path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_visits_online_and_offline_and_a_b2b_problem_to_a_confirmed_deduction(chromium, live_server, make_user,
                                                                              tmp_path):
    from playwright.sync_api import expect

    manager = make_user("manager", county="城区", grid="东城网格")
    grid_sup = make_user("supervisor", county="城区", grid="东城网格")
    add_shop(manager, code="FAR", name="西湖手机店", latitude=30.05)
    add_shop(manager, code="NEAR", name="东城手机店", latitude=30.0008)
    add_shop(manager, code="NONE", name="无坐标村店", kind="village", latitude=None, longitude=None)
    pass_system_ops(manager, finished_at=datetime.now(UTC) - timedelta(days=2))
    shots = [photo(tmp_path / "door.jpg"), photo(tmp_path / "poster.jpg")]

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server,
                                 permissions=["geolocation"], geolocation=HERE)
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/field/visits/new")
    page.get_by_role("button", name="获取我的位置，最近的门店排在前面").click()
    page.wait_for_url("**lat=30.000000**")
    names = page.locator(".shop-choices label span").all_inner_texts()
    assert [n.split()[0] for n in names] == ["东城手机店", "西湖手机店", "无坐标村店"]
    assert "89 米" in names[0]
    checked(page, 360, "visit-form", folder="visits")

    # online: a B2B problem
    fill_visit(page, "东城手机店", shots, b2b="不会在B2B订货")
    page.get_by_role("button", name="提交拜访").click()
    page.wait_for_url("**/field/visits/*")
    expect(page.get_by_text("不会在B2B订货")).to_be_visible()
    checked(page, 360, "visit-detail", folder="visits")
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.category, ticket.routed_user_id) == ("system_ops", grid_sup.id)
    assert db.session.scalars(select(DeductionCandidate)).one().ticket_ids == [ticket.id]

    # offline: queued with its photos, sent when back online
    page.goto("/field/visits/new")
    phone.set_offline(True)
    fill_visit(page, "西湖手机店", shots)
    page.get_by_role("button", name="提交拜访").click()
    expect(page.locator("#visit-queue-status")).to_have_text("1 条拜访保存在手机上，联网后自动上传")
    assert db.session.query(Visit).count() == 1
    phone.set_offline(False)
    expect(page.locator("#visit-queue-status")).to_be_hidden(timeout=15_000)
    db.session.expire_all()
    late = db.session.scalars(select(Visit).where(Visit.late_received.is_(True))).one()
    assert late.shop.name == "西湖手机店"
    assert len(late.photos) == 2
    page.goto("/field/visits")
    expect(page.locator(".visit-list li", has_text="西湖手机店").get_by_text("离线补传")).to_be_visible()
    checked(page, 360, "visit-list", folder="visits")
    phone.close()

    # the grid supervisor confirms the deduction
    desk = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    sign_in(page, grid_sup)
    page.goto("/field/r3")
    card = page.locator(".candidate", has_text=manager.name)
    expect(card.get_by_text("不会在B2B订货")).to_be_visible()
    expect(card.get_by_label("系统")).to_have_value("b2b")
    checked(page, 360, "r3-queue", folder="visits")
    card.get_by_role("button", name="确认扣分").click()
    expect(page.get_by_text("执行力基础管理扣分已记入台账")).to_be_visible()
    db.session.expire_all()
    entry = db.session.scalars(select(LedgerEntry)).one()
    assert (entry.user_id, entry.points) == (manager.id, -2.0)
    page.goto("/assessment/deductions/new")
    expect(page.locator("table").get_by_text(manager.name).first).to_be_visible()
    expect(page.locator("table")).to_contain_text("-2")
    desk.close()


def test_an_english_reader_sees_the_queue_and_location_words_in_english(chromium, live_server, make_user, tmp_path):
    """The visit page's script takes its words from the page, so a visit queued offline reads in the reader's
    language."""
    from playwright.sync_api import expect

    manager = make_user("manager", county="城区", grid="东城网格")
    add_shop(manager, code="NEAR", name="东城手机店", latitude=30.0008)
    phone = chromium.new_context(viewport=PHONE, locale="en-US", base_url=live_server)  # no location permission
    phone.add_cookies([{"name": "lms_lang", "value": "en", "url": live_server}])
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/field/visits/new")
    page.locator("#visit-locate").click()
    expect(page.locator("#visit-locate-status")).to_have_text("Could not read your location; choose the shop yourself")
    phone.set_offline(True)
    fill_visit(page, "东城手机店", [photo(tmp_path / "door.jpg")], yes_no=("Yes", "No"))
    page.locator("#visit-submit").click()
    expect(page.locator("#visit-queue-status")).to_have_text(
        "Visits saved on this phone: 1. They upload when you are back online.")
    checked(page, 360, "visit-queued-english", folder="visits")
    phone.close()


def test_a_visit_queued_offline_is_sent_from_the_next_page_opened_online(chromium, live_server, make_user, tmp_path):
    """Queued in a village, the visit page closed; back in town the manager opens the home page: the visit goes."""
    from playwright.sync_api import expect

    manager = make_user("manager", county="城区", grid="东城网格")
    add_shop(manager, code="FAR", name="西湖手机店", latitude=30.05)
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/field/visits/new")
    phone.set_offline(True)
    fill_visit(page, "西湖手机店", [photo(tmp_path / "door.jpg")])
    page.locator("#visit-submit").click()
    expect(page.locator("#visit-queue-status")).to_have_text("1 条拜访保存在手机上，联网后自动上传")
    page.close()
    phone.set_offline(False)
    page = phone.new_page()
    page.goto("/")
    expect(page.locator("#field-queue-note")).to_have_text("手机上保存的 1 条外勤记录已上传。")
    db.session.expire_all()
    visit = db.session.scalars(select(Visit)).one()
    assert (visit.shop.name, visit.late_received, len(visit.photos)) == ("西湖手机店", True, 1)
    checked(page, 360, "home-after-queue-sent", folder="visits")
    phone.close()
