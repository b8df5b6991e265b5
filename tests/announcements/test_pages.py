"""Announcements through the pages: publishing, the manager's inbox and badge, read receipts scoped to the
supervisor's unit, nudges, withdrawal, and the inbox API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.announcements import inbox, queries, services
from lms.announcements.models import Announcement, InboxMessage
from lms.core.errors import ValidationFailed
from lms.extensions import db
from lms.org.models import Unit
from tests.courses.test_xss import VECTORS, dangers
from tests.support.web import api_headers, post_form


@pytest.fixture
def town(make_user):
    """Two counties; 城区 has two grids."""
    people = {
        "east": make_user("manager", county="城区", grid="东城网格", name="东城经理"),
        "west": make_user("manager", county="城区", grid="西城网格", name="西城经理"),
        "north": make_user("manager", county="郊县", grid="北镇网格", name="北镇经理"),
        "county_sup": make_user("supervisor", county="城区", grid=None, name="城区主管"),
        "west_sup": make_user("supervisor", county="城区", grid="西城网格", name="西城组长"),
        "other_sup": make_user("supervisor", county="郊县", grid=None, name="郊县主管"),
        "trainer": make_user("trainer", name="培训师"),
    }
    people["inactive"] = make_user("manager", county="城区", grid="东城网格", active=False)
    return people


def unit_id(name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.name == name))


def publish(auth, author, **fields):
    auth.login(author)
    data = {"title": "11月终端补贴政策调整", "kind": "policy", "body": "**补贴**从11月1日起执行，详见课程。",
            "audience": "all", "action": "publish", **fields}
    response = post_form(auth.client, "/announcements/new", data)
    auth.logout()
    return response


def message_of(user, announcement_id):
    return db.session.scalar(select(InboxMessage).where(InboxMessage.user_id == user.id,
                                                        InboxMessage.announcement_id == announcement_id))


def test_a_county_announcement_reaches_that_county_with_a_badge_and_a_home_panel(auth, town):
    response = publish(auth, town["trainer"], audience=f"county:{unit_id('城区')}", requires_ack="y")
    assert response.status_code == 302
    announcement = db.session.scalar(select(Announcement))
    assert announcement.recipient_count == 4  # three managers' and supervisors of 城区 — not the inactive one

    auth.login(town["east"])
    home = auth.client.get("/").get_data(as_text=True)
    assert re.search(r'href="/inbox"[^>]*>通知 <span class="badge">1</span>', home)
    assert "11月终端补贴政策调整" in home  # the manager's "通知" panel lists it
    page = auth.client.get("/inbox").get_data(as_text=True)
    assert "未读" in page
    assert "待确认" in page
    auth.logout()

    auth.login(town["north"])
    assert "11月终端补贴政策调整" not in auth.client.get("/inbox").get_data(as_text=True)
    assert 'class="badge"' not in auth.client.get("/").get_data(as_text=True)


def test_opening_is_the_read_receipt_and_acknowledging_is_recorded(auth, town):
    publish(auth, town["trainer"], requires_ack="y")
    announcement = db.session.scalar(select(Announcement))
    item = message_of(town["east"], announcement.id)
    auth.login(town["east"])
    page = auth.client.get(f"/inbox/{item.id}").get_data(as_text=True)
    assert "<strong>补贴</strong>" in page
    assert "我已阅读并知晓" in page
    db.session.refresh(item)
    assert item.read_at is not None
    assert item.acknowledged_at is None

    response = post_form(auth.client, f"/inbox/{item.id}/ack", {}, token_from=f"/inbox/{item.id}")
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.acknowledged_at is not None
    assert "您已于" in auth.client.get(f"/inbox/{item.id}").get_data(as_text=True)
    # someone else's message is simply not there
    other = message_of(town["west"], announcement.id)
    assert auth.client.get(f"/inbox/{other.id}").status_code == 404
    assert post_form(auth.client, f"/inbox/{other.id}/ack", {}, token_from="/inbox").status_code == 404


def test_the_supervisors_not_read_list_is_scoped_to_their_unit(auth, town):
    publish(auth, town["trainer"], requires_ack="y")
    announcement = db.session.scalar(select(Announcement))
    inbox.acknowledge(town["east"], message_of(town["east"], announcement.id).id)
    url = f"/announcements/{announcement.id}/receipts?only=outstanding"

    auth.login(town["county_sup"])
    page = auth.client.get(url).get_data(as_text=True)
    assert "西城经理" in page
    assert "西城组长" in page
    assert "东城经理" not in page  # acknowledged
    assert "北镇经理" not in page
    assert "郊县主管" not in page
    assert "本单位共 4 人：已读 1 人，已确认 1 人" in page
    panel = auth.client.get("/").get_data(as_text=True)
    assert "未读提醒" in panel
    assert "3 人未读/未确认" in panel
    auth.logout()

    auth.login(town["west_sup"])
    page = auth.client.get(url).get_data(as_text=True)
    assert "西城经理" in page
    assert "东城经理" not in page
    assert "本单位共 2 人" in page
    auth.logout()

    auth.login(town["other_sup"])
    page = auth.client.get(url).get_data(as_text=True)
    assert "北镇经理" in page
    assert "西城经理" not in page


def test_one_click_nudges_only_those_who_have_not_read_it_once_a_day(auth, town):
    publish(auth, town["trainer"], audience=f"county:{unit_id('城区')}")
    announcement = db.session.scalar(select(Announcement))
    inbox.open_message(town["east"], message_of(town["east"], announcement.id).id)

    auth.login(town["west_sup"])  # the grid leader nudges their own grid only
    response = post_form(auth.client, f"/announcements/{announcement.id}/nudge", {},
                         token_from=f"/announcements/{announcement.id}/receipts")
    assert response.status_code == 302
    nudged = set(db.session.scalars(select(InboxMessage.user_id).where(InboxMessage.kind == "nudge")))
    assert nudged == {town["west"].id}  # the grid leader is a recipient too, but does not nudge themself
    post_form(auth.client, f"/announcements/{announcement.id}/nudge", {},
              token_from=f"/announcements/{announcement.id}/receipts")
    assert db.session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.kind == "nudge")) == 1
    # the nudge's link opens the person's own copy, which records the read
    auth.logout()
    auth.login(town["west"])
    nudge = db.session.scalar(select(InboxMessage).where(InboxMessage.kind == "nudge"))
    response = auth.client.get(nudge.link)
    assert response.status_code == 302
    auth.client.get(response.headers["Location"])
    assert message_of(town["west"], announcement.id).read_at is not None


def test_a_supervisor_cannot_publish_outside_their_unit(auth, town):
    auth.login(town["county_sup"])
    form = auth.client.get("/announcements/new").get_data(as_text=True)
    assert f'value="county:{unit_id("城区")}"' in form
    assert f'value="county:{unit_id("郊县")}"' not in form
    assert 'value="all"' not in form
    refused = post_form(auth.client, "/announcements/new", {
        "title": "t", "kind": "notice", "body": "b", "audience": f"county:{unit_id('郊县')}", "action": "publish"})
    assert refused.status_code == 422
    chosen = post_form(auth.client, "/announcements/new", {
        "title": "t", "kind": "notice", "body": "b", "audience": "people", "action": "publish",
        "employee_numbers": f"{town['west'].employee_no}\n{town['north'].employee_no}"})
    assert chosen.status_code == 422
    assert "指定的人员中有不属于您单位的人员" in chosen.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0
    with pytest.raises(ValidationFailed) as error:
        services.publish_announcement(town["county_sup"], services.AnnouncementDraft(
            title="t", body="b", audience_kind="county", unit_id=unit_id("郊县")))
    assert error.value.problems == ["您只能向本单位发布通知"]

    ok = post_form(auth.client, "/announcements/new", {
        "title": "西城本周重点工作", "kind": "key_work", "body": "卡号发展", "audience": f"grid:{unit_id('西城网格')}",
        "action": "publish"})
    assert ok.status_code == 302
    assert db.session.scalar(select(Announcement.recipient_count)) == 2  # 西城经理 and 西城组长


def test_bad_input_is_named_and_nothing_is_half_written(auth, town):
    auth.login(town["trainer"])
    response = post_form(auth.client, "/announcements/new", {
        "title": "x", "kind": "notice", "body": "b", "audience": "people", "action": "publish",
        "employee_numbers": "NOPE1 NOPE2", "lesson_slugs": "Bad Slug", "quiz_slug": "no-such-quiz"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for problem in ("以下工号不存在或已停用：NOPE1、NOPE2", "课程标识“Bad”无效", "考试“no-such-quiz”不存在"):
        assert problem in page
    assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == 0


def test_managers_cannot_publish_or_see_receipts(auth, town):
    publish(auth, town["trainer"])
    announcement = db.session.scalar(select(Announcement))
    auth.login(town["east"])
    assert auth.client.get("/announcements/new").status_code == 403
    assert auth.client.get(f"/announcements/{announcement.id}/receipts").status_code == 403
    # the shared link sends a recipient to their own copy
    response = auth.client.get(f"/announcements/{announcement.id}")
    assert response.headers["Location"].startswith("/inbox/")


def test_no_script_survives_an_announcement(auth, town):
    body = "\n\n".join(VECTORS)
    announcement = services.publish_announcement(town["trainer"], services.AnnouncementDraft(
        title='<script>alert("t")</script>', body=body, audience_kind="all"))
    auth.login(town["east"])
    item = message_of(town["east"], announcement.id)
    for url in (f"/inbox/{item.id}", "/inbox", "/"):
        assert dangers(auth.client.get(url).get_data(as_text=True)) == [], url
    auth.logout()
    auth.login(town["trainer"])
    assert dangers(auth.client.get(f"/announcements/{announcement.id}/receipts").get_data(as_text=True)) == []


def test_withdrawing_hides_the_text_and_stops_nudges(auth, town):
    publish(auth, town["trainer"])
    announcement = db.session.scalar(select(Announcement))
    auth.login(town["trainer"])
    response = post_form(auth.client, f"/announcements/{announcement.id}/withdraw", {},
                         token_from=f"/announcements/{announcement.id}/receipts")
    assert response.status_code == 302
    nudge = post_form(auth.client, f"/announcements/{announcement.id}/nudge", {},
                      token_from=f"/announcements/{announcement.id}/receipts")
    assert nudge.status_code == 409
    auth.logout()
    auth.login(town["east"])
    page = auth.client.get(f"/inbox/{message_of(town['east'], announcement.id).id}").get_data(as_text=True)
    assert "已撤回" in page
    assert "详见课程" not in page


def test_mark_all_read_leaves_announcements_that_need_acknowledgement(auth, town):
    services.publish_announcement(town["trainer"], services.AnnouncementDraft(title="一般通知", body="b"))
    services.publish_announcement(town["trainer"], services.AnnouncementDraft(title="须确认", body="b",
                                                                               requires_ack=True))
    auth.login(town["east"])
    post_form(auth.client, "/inbox/read-all", {}, token_from="/inbox")
    unread = auth.client.get("/inbox?show=unread").get_data(as_text=True)
    assert "须确认" in unread
    assert "一般通知" not in unread


def test_the_inbox_api(auth, town):
    announcement = services.publish_announcement(town["trainer"], services.AnnouncementDraft(
        title="API 通知", body="**正文**", requires_ack=True))
    auth.login(town["east"])
    listing = auth.client.get("/api/v1/inbox").get_json()
    assert listing["unread"] == 1
    assert listing["messages"][0]["title"] == "API 通知"
    assert listing["messages"][0]["requires_ack"] is True
    item_id = listing["messages"][0]["id"]
    detail = auth.client.get(f"/api/v1/inbox/{item_id}").get_json()
    assert detail["body_html"] == "<p><strong>正文</strong></p>"
    assert detail["read_at"] is not None
    acked = auth.client.post(f"/api/v1/inbox/{item_id}/ack", headers=api_headers(auth.client)).get_json()
    assert acked["acknowledged_at"] is not None
    assert auth.client.get("/api/v1/inbox").get_json()["unread"] == 0
    other = message_of(town["west"], announcement.id)
    assert auth.client.get(f"/api/v1/inbox/{other.id}").status_code == 404
    spec = auth.client.get("/api/v1/openapi.json").get_json()
    assert {"/inbox", "/inbox/{message_id}", "/inbox/{message_id}/ack"} <= set(spec["paths"])


def test_contact_settings_need_an_address_to_turn_e_mail_on(auth, town):
    auth.login(town["east"])
    response = post_form(auth.client, "/inbox/settings", {"email": "", "email_enabled": "y"})
    assert "开启邮件提醒需要填写邮箱地址" in response.get_data(as_text=True)
    response = post_form(auth.client, "/inbox/settings", {"email": "not an address", "email_enabled": "y"})
    assert "格式不正确" in response.get_data(as_text=True)
    assert queries.contact_setting(town["east"]).email is None
