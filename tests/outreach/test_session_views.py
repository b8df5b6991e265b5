"""The sessions' pages: the manager schedules (the form keeps what was typed when refused), sees the QR code and
attendance; another manager gets 404, supervisors read only. The check-in page: no password, the session's own
shops, a late or early scan refused with the time, a token not honoured a 404, no referrer, tokens not logged."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import segno
from sqlalchemy import func, select

from lms.core.clock import SHANGHAI, utcnow
from lms.extensions import db
from lms.outreach import links, log_redaction, services, session_rules, session_services
from lms.outreach.session_models import ShopSession, ShopSessionCheckin
from tests.outreach.session_support import SETTINGS, schedule
from tests.outreach.support import shop_world
from tests.support.web import post_form


@pytest.fixture
def world(app, make_user):
    return shop_world(make_user)


def _checkin_url(app, session: ShopSession) -> str:
    with app.test_request_context():
        session = db.session.get(ShopSession, session.id)
        return f"/t/{session_rules.make_token(links.secret_keys(), session.id, session.nonce)}"


def _form(world, starts, **changes):
    """The form for 10:00–11:00 on the local day of ``starts`` (a day ahead: a fixed hour never crosses midnight)."""
    values = {"title": "12月终端政策片区培训", "kind": "area", "place": "东城营业厅二楼",
              "day": starts.astimezone(SHANGHAI).strftime("%Y-%m-%d"), "starts": "10:00", "ends": "11:00",
              "shops": [str(shop.id) for shop in world.shops]}
    values.update(changes)
    return values


def test_a_manager_schedules_a_session_and_sees_its_qr_code(app, auth, world):
    auth.login(world.manager)
    form_page = auth.client.get("/outreach/sessions/new").get_data(as_text=True)
    assert "东城手机店" in form_page
    assert "别家门店" not in form_page
    assert "十二月购机直降" in form_page
    assert "酬金规则" not in form_page
    response = post_form(auth.client, "/outreach/sessions/new", _form(world, utcnow() + timedelta(days=1)),
                         token_from="/outreach/sessions/new")
    assert response.status_code == 302
    session = db.session.scalars(select(ShopSession)).one()
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "培训已安排，已邀请 2 个门店" in page
    assert "签到二维码" in page
    address = re.search(r'id="checkin-link" class="outreach-link" readonly value="([^"]+)"', page).group(1)
    assert address == "http://localhost" + _checkin_url(app, session)
    # The QR code on the page is the checkin address, drawn by segno: the same modules as drawing it here.
    drawn = segno.make(address, error="m").svg_inline(scale=3, border=2, svgclass="qr-code", omitsize=True)
    assert re.search(r' d="([^"]+)"', drawn).group(1) in page
    assert "修改" in page
    assert "取消培训" in page
    listing = auth.client.get("/outreach/sessions").get_data(as_text=True)
    assert "12月终端政策片区培训" in listing
    assert "已签到 0 / 2 个门店" in listing
    assert "门店培训" in auth.client.get("/outreach").get_data(as_text=True)


def test_a_refused_schedule_keeps_what_was_typed(app, auth, world):
    auth.login(world.manager)
    values = _form(world, utcnow() + timedelta(days=1), kind="point", title="点对点：B2B 订货")
    response = post_form(auth.client, "/outreach/sessions/new", values, token_from="/outreach/sessions/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "点对点培训只能邀请一个渠道" in page
    assert 'value="点对点：B2B 订货"' in page
    assert page.count("checked") >= 3  # the kind and both shops stay chosen
    bad = post_form(auth.client, "/outreach/sessions/new", {**values, "day": "明天", "shops": ["x", "99999999999"]},
                    token_from="/outreach/sessions/new")
    assert bad.status_code == 422
    assert "请填写日期和开始、结束时间" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ShopSession)) == 0


def test_edit_and_cancel_from_the_pages(app, auth, world):
    session = schedule(world)
    auth.login(world.manager)
    edit_url = f"/outreach/sessions/{session.id}/edit"
    assert 'value="12月终端政策片区培训"' in auth.client.get(edit_url).get_data(as_text=True)
    edited = post_form(auth.client, edit_url, _form(world, session.starts_at, place="西城营业厅"),
                       token_from=edit_url, follow_redirects=True)
    assert "培训安排已修改" in edited.get_data(as_text=True)
    assert db.session.get(ShopSession, session.id).place == "西城营业厅"
    detail = f"/outreach/sessions/{session.id}"
    refused = post_form(auth.client, f"{detail}/cancel", {"reason": " "}, token_from=detail, follow_redirects=True)
    assert "请填写取消原因" in refused.get_data(as_text=True)
    cancelled = post_form(auth.client, f"{detail}/cancel", {"reason": "门店停电"}, token_from=detail,
                          follow_redirects=True)
    page = cancelled.get_data(as_text=True)
    assert "培训已取消，签到二维码已失效" in page
    assert "已取消：门店停电" in page
    assert 'id="checkin-link"' not in page
    again = auth.client.get(edit_url, follow_redirects=True)
    assert "培训已开始或已取消，不能再修改" in again.get_data(as_text=True)


def test_another_manager_gets_404_and_a_supervisor_reads_only(app, auth, make_user, world):
    session = schedule(world)
    auth.login(world.other_manager)
    for url in (f"/outreach/sessions/{session.id}", f"/outreach/sessions/{session.id}/edit"):
        assert auth.client.get(url).status_code == 404
    assert post_form(auth.client, f"/outreach/sessions/{session.id}/cancel", {"reason": "x"},
                     token_from="/outreach/sessions").status_code == 404
    assert "12月终端政策片区培训" not in auth.client.get("/outreach/sessions").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("supervisor", county="城区", grid="东城网格"))
    page = auth.client.get(f"/outreach/sessions/{session.id}").get_data(as_text=True)
    assert "东城手机店" in page
    assert "负责经理" in page
    for absent in ("checkin-link", "/t/", "取消培训", "修改</a>"):
        assert absent not in page, absent
    assert auth.client.get(f"/outreach/sessions/{session.id}/edit").status_code == 403
    assert "安排门店培训" not in auth.client.get("/outreach/sessions").get_data(as_text=True)


def test_staff_check_in_without_a_password_and_the_manager_sees_it(app, client, auth, world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    url = _checkin_url(app, session)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert "东城手机店" in page
    assert "西城营业厅" in page
    for absent in ("别家门店", "王经理", "S001"):
        assert absent not in page, absent
    done = post_form(client, url, {"shop": str(world.shops[0].id), "staff_name": "张三"}, token_from=url,
                     follow_redirects=True)
    assert "签到成功：东城手机店，张三" in done.get_data(as_text=True)
    refused = post_form(client, url, {"shop": "", "staff_name": "李四"}, token_from=url)
    assert refused.status_code == 422
    assert "请选择门店" in refused.get_data(as_text=True)
    auth.login(world.manager)
    detail = auth.client.get(f"/outreach/sessions/{session.id}").get_data(as_text=True)
    assert "已签到 1 个" in detail
    assert "张三" in detail
    assert "签到 1 场" in auth.client.get("/outreach").get_data(as_text=True)


def test_the_phone_remembers_its_shop_from_the_shop_page(app, client, world):
    link = services.make_link(world.shops[1].id, world.manager, days=90)
    with app.test_request_context():
        shop_url = f"/s/{links.token_of(link)}"
    session = schedule(world, starts_in=timedelta(minutes=10), shop_ids=(world.shops[0].id,))
    url = _checkin_url(app, session)
    assert f'value="{world.shops[1].id}"' not in client.get(url).get_data(as_text=True)
    shop_page = client.get(shop_url)
    cookie = shop_page.headers.get("Set-Cookie", "")
    assert "lms_shop=" in cookie
    assert "Path=/t/" in cookie
    assert "HttpOnly" in cookie
    page = client.get(url).get_data(as_text=True)
    # Not invited, but the manager's own shop this phone opened: offered, chosen, marked as not on the list.
    assert re.search(rf'value="{world.shops[1].id}" checked>\s*<span>西城营业厅 <span class="muted">（不在邀请名单中）',
                     page)
    post_form(client, url, {"shop": str(world.shops[1].id), "staff_name": "王五"}, token_from=url)
    checkin = db.session.scalars(select(ShopSessionCheckin)).one()
    assert (checkin.shop_id, checkin.invited) == (world.shops[1].id, False)


def test_a_forged_memory_is_ignored(app, client, world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    client.set_cookie("lms_shop", "forged.value", path="/t/")
    page = client.get(_checkin_url(app, session)).get_data(as_text=True)
    assert "checked" not in page


@pytest.mark.parametrize(("starts_in", "message"), [
    (timedelta(hours=3), "签到将于"),
    (timedelta(hours=-5), "签到已于"),
])
def test_an_early_or_late_scan_is_told_when(app, client, world, starts_in, message):
    session = schedule(world, starts_in=starts_in)
    url = _checkin_url(app, session)
    page = client.get(url).get_data(as_text=True)
    assert message in page
    assert 'name="staff_name"' not in page
    opens = (session.starts_at - timedelta(minutes=30)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    closes = (session.ends_at + timedelta(hours=2)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert (opens if starts_in > timedelta(0) else closes) in page
    late = post_form(client, url, {"shop": str(world.shops[0].id), "staff_name": "张三"}, token_from=url)
    assert late.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ShopSessionCheckin)) == 0


def test_a_cancelled_session_says_so(app, client, world):
    session = schedule(world, starts_in=timedelta(minutes=40))
    session_services.cancel_session(session.id, world.manager, "改期")
    page = client.get(_checkin_url(app, session)).get_data(as_text=True)
    assert "本场培训已取消" in page
    assert "改期" not in page  # the reason is the manager's, not the shops'


@pytest.mark.parametrize("how", ["garbage", "tampered", "shop-link", "new-nonce"])
def test_a_token_not_honoured_is_a_404(app, client, world, how):
    session = schedule(world, starts_in=timedelta(minutes=10))
    url = _checkin_url(app, session)
    if how == "garbage":
        url = "/t/zz-missing"
    elif how == "tampered":
        url = url[:-3] + ("abc" if not url.endswith("abc") else "xyz")
    elif how == "shop-link":
        link = services.make_link(world.shops[0].id, world.manager, days=90)
        with app.test_request_context():
            url = f"/t/{links.token_of(link)}"
    elif how == "new-nonce":
        db.session.get(ShopSession, session.id).nonce = "changed"
        db.session.commit()
    response = client.get(url)
    assert response.status_code == 404
    assert "签到码无效" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_access_logs_never_carry_the_session_token(app, world, caplog):
    session = schedule(world, starts_in=timedelta(minutes=10))
    url = _checkin_url(app, session)
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, log_redaction.ShopTokenFilter) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"POST {url} HTTP/1.1", 302)
        logger.info("GET /lang/en?next=%s", url.replace("/", "%2F"))
    assert url.removeprefix("/t/") not in caplog.text
    assert "/t/…" in caplog.text
    assert "%2Ft%2F…" in caplog.text


def test_the_manager_takes_back_a_check_in_from_the_page(app, auth, world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    checkin = session_services.check_in(session, shop_id=world.shops[1].id, shop_code=None, name="错选的人",
                                        phone=None, settings=SETTINGS)
    auth.login(world.manager)
    detail = f"/outreach/sessions/{session.id}"
    response = post_form(auth.client, f"{detail}/checkins/{checkin.id}/remove", {}, token_from=detail,
                         follow_redirects=True)
    assert "已撤销“西城营业厅”错选的人 的签到" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ShopSessionCheckin)) == 0
