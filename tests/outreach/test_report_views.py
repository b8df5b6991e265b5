"""The shop page's "反映问题": the form, the shop's own reports with their state and answer (that shop's only), what
to fix re-shown (422), a double tap told it was received, the report's own throttle, a token not honoured a 404;
on the operator's side the tickets page and the R3 queue say the shop reported it, and its photos are shown to who
may see the ticket."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.core.clock import utcnow
from lms.extensions import db
from lms.field import tickets
from lms.field.visit_models import Ticket
from lms.outreach import links, services
from lms.outreach.models import ShopLink
from tests.outreach.report_support import report_world
from tests.support.images import screenshot_png
from tests.support.visits import pass_system_ops
from tests.support.web import csrf_token

FORM = {"category": "system_ops", "description": "B2B 不会订货", "reporter_name": "张三",
        "reporter_phone": "13800138000"}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media"), "LMS_SHOP_REPORT_LIMIT": "20 per minute"}


@pytest.fixture
def rw(app, make_user):
    return report_world(make_user)


def _url(app, link) -> str:
    with app.test_request_context():
        return f"/s/{links.token_of(db.session.get(ShopLink, link.id))}"


def _send(client, url, form=None, *, key=None, photos=(), follow=False):
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="report_key" value="([^"]+)"', page)
    data = {**FORM, **(form or {}), "csrf_token": csrf_token(client, url),
            "report_key": key or (found.group(1) if found else "")}
    if photos:
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post(f"{url}/report", data=data, content_type="multipart/form-data", follow_redirects=follow)


def _count():
    return db.session.scalar(select(func.count(Ticket.id)))


def test_the_shop_reports_a_problem_and_sees_it_listed(app, client, rw):
    url = _url(app, rw.link)
    page = client.get(url).get_data(as_text=True)
    assert "反映问题" in page
    assert "B2B 不会订货" in page  # the system-operation hint
    assert "本店还没有反映过问题。" in page
    sent = _send(client, url)
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("#reports")
    ticket = db.session.scalars(select(Ticket)).one()
    page = client.get(url).get_data(as_text=True)
    assert f"已收到您反映的问题（工单 #{ticket.id}）" in page
    assert f"工单 #{ticket.id} 系统操作" in page
    assert "待处理" in page
    assert "处理期限" in page
    tickets.answer_ticket(ticket.id, actor=rw.grid, answer="已远程指导，订货页面选“终端订货”", close=True,
                          now=utcnow())
    page = client.get(url).get_data(as_text=True)
    assert "已关闭" in page
    assert "已远程指导，订货页面选“终端订货”" in page


def test_a_shop_sees_only_its_own_reports(app, client, rw):
    _send(client, _url(app, rw.link))
    other = services.make_link(rw.world.shops[1].id, rw.world.manager, days=90)
    page = client.get(_url(app, other)).get_data(as_text=True)
    assert "本店还没有反映过问题。" in page
    assert "张三" not in page


def test_what_to_fix_is_shown_and_the_form_kept(app, client, rw):
    url = _url(app, rw.link)
    refused = _send(client, url, {"reporter_name": " ", "reporter_phone": "abc"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "请填写反映人的姓名（最多 50 个字）" in page
    assert "手机号码格式不正确" in page
    assert ">B2B 不会订货</textarea>" in page
    assert 'value="system_ops" required checked' in page
    assert _count() == 0


def test_a_double_tap_is_told_it_was_received(app, client, rw):
    url = _url(app, rw.link)
    _send(client, url, key="tap-1")
    again = _send(client, url, key="tap-1", follow=True)
    assert "这个问题已经收到" in again.get_data(as_text=True)
    assert _count() == 1


def test_photos_are_shown_to_who_may_see_the_ticket(app, client, auth, make_user, rw):
    url = _url(app, rw.link)
    _send(client, url, photos=[(screenshot_png(500, rows=1), "订货.png")])
    ticket = db.session.scalars(select(Ticket)).one()
    assert "附照片 1 张" in client.get(url).get_data(as_text=True)
    photo_url = f"/field/tickets/{ticket.id}/photos/{ticket.photos[0]}"
    auth.login(rw.grid)
    page = auth.client.get("/field/tickets").get_data(as_text=True)
    assert "门店自报：张三（13800138000）" in page
    assert "答复会显示在门店的学习页面上" in page
    assert photo_url in page
    shown = auth.client.get(photo_url)
    assert (shown.status_code, shown.mimetype) == (200, "image/png")
    assert "no-store" in shown.headers["Cache-Control"]
    auth.logout()
    auth.login(rw.world.manager)
    assert auth.client.get(photo_url).status_code == 200
    assert "门店自报：张三" in auth.client.get("/field/tickets").get_data(as_text=True)
    auth.logout()
    auth.login(rw.world.other_manager)
    assert auth.client.get(photo_url).status_code == 404
    auth.logout()
    auth.login(make_user("supervisor", county="城区", grid="西城网格"))
    assert auth.client.get(photo_url).status_code == 404
    auth.logout()
    assert client.get(photo_url).status_code in (302, 401)


def test_the_r3_queue_shows_the_shop_reported_it(app, client, auth, rw):
    pass_system_ops(rw.world.manager, finished_at=utcnow() - timedelta(days=1))
    _send(client, _url(app, rw.link))
    auth.login(rw.grid)
    page = auth.client.get("/field/r3").get_data(as_text=True)
    assert "培训后门店仍反映系统操作问题" in page
    assert "B2B 不会订货（" in page
    assert "门店自报：张三" in page


@pytest.mark.parametrize("how", ["revoked", "garbage"])
def test_a_token_not_honoured_cannot_report(app, client, rw, how):
    url = _url(app, rw.link)
    csrf = csrf_token(client, url)
    if how == "revoked":
        services.revoke_link(rw.world.shops[0].id, rw.world.manager)
    target = url if how == "revoked" else "/s/zz-missing"
    response = client.post(f"{target}/report", data={**FORM, "csrf_token": csrf})
    assert response.status_code == 404
    assert "链接无效" in response.get_data(as_text=True)
    assert _count() == 0


def test_without_the_csrf_token_nothing_is_stored(app, client, rw):
    response = client.post(f"{_url(app, rw.link)}/report", data=FORM)
    assert response.status_code == 400
    assert _count() == 0


class TestThrottle:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LMS_SHOP_REPORT_LIMIT": "2 per minute"}

    def test_reports_have_their_own_budget(self, app, client, rw):
        url = _url(app, rw.link)
        statuses = [_send(client, url, {"description": f"问题{n}"}).status_code for n in range(3)]
        assert statuses == [302, 302, 429]
        assert client.get(url).status_code == 200  # the page itself is still open
        assert _count() == 2


def test_the_report_section_reads_in_english(app, client, rw):
    url = _url(app, rw.link)
    _send(client, url)
    client.set_cookie("lms_lang", "en")
    page = client.get(url).get_data(as_text=True)
    section = page[page.index('id="report"'):page.index("</main>") if "</main>" in page else None]
    assert "Report a problem" in section
    assert "can't order on B2B" in section
    leftover = re.findall(r"[\u4e00-\u9fff]+", section.replace("B2B 不会订货", "").replace("张三", ""))
    assert leftover == []
