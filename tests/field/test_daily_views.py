"""今日工作 and the grid board through their pages: who may reach them, the forms, the board's states and export."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.field.daily_models import DailyReport, DayAssignment
from tests.support.clock import server_clock
from tests.support.web import csrf_token, post_form

MORNING = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


@pytest.fixture
def clock(monkeypatch):
    return server_clock(monkeypatch, MORNING)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_manager_files_the_day_and_the_supervisor_sees_it_on_the_board(client, auth, make_user, clock):
    person, supervisor = make_user(name="王芳"), make_user("supervisor")
    auth.login(supervisor)
    assert post_form(client, "/field/daily/board/assign", {"manager_id": person.id, "day": "2026-12-01",
                                                           "text": "上午拜访城东三家终端店"},
                     token_from="/field/daily/board").status_code == 302
    auth.logout()

    auth.login(person)
    page = client.get("/field/daily").get_data(as_text=True)
    assert "上午拜访城东三家终端店" in page
    assert 'capture="environment"' in page
    post_form(client, "/field/daily/plan", {"yesterday": "拜访2家", "plan": "拜访3家，地推一场"},
              token_from="/field/daily")
    response = client.post("/field/daily/activities", data={
        "csrf_token": csrf_token(client, "/field/daily"), "place": "城东广场", "handsets_sold": "3",
        "broadband_signups": "1", "new_lines": "2", "photos": (io.BytesIO(png()), "IMG_1.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    clock.advance(hours=9)  # 17:30: late
    post_form(client, "/field/daily/progress", {"progress": "完成地推，签约1户"}, token_from="/field/daily")
    report = db.session.scalar(select(DailyReport))
    assert (report.plan, report.progress_late, report.activities[0].new_lines) == ("拜访3家，地推一场", True, 2)
    photo_url = f"/field/daily/activities/{report.activities[0].id}/photos/{report.activities[0].photos[0]}"
    with client.get(photo_url) as response:
        assert response.headers["Content-Type"] == "image/png"
    auth.logout()

    auth.login(supervisor)
    board = client.get("/field/daily/board?day=2026-12-01").get_data(as_text=True)
    assert "王芳" in board
    assert "迟报" in board
    assert "城东广场" in board
    assert photo_url in board
    with client.get(photo_url) as response:
        assert response.status_code == 200
    download = client.get("/field/daily/board/export.xlsx?day=2026-12-01")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in sheet[2]][:3] == [person.employee_no, "王芳", person.unit_label]
    assert [c.value for c in sheet[2]][6:12] == ["迟报", sheet[2][7].value, "完成地推，签约1户", 1, 3, 1]
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == \
        "export.personal_data"


def test_the_board_shows_missing_after_17_00_and_only_the_viewer_s_scope(client, auth, make_user, clock):
    mine, theirs = make_user(name="李明"), make_user(name="赵强", county="郊县", grid="北网格")
    auth.login(make_user("supervisor"))
    assert "待汇报" in client.get("/field/daily/board").get_data(as_text=True)
    clock.advance(hours=9)
    board = client.get("/field/daily/board").get_data(as_text=True)
    assert mine.name in board
    assert "未汇报" in board
    assert theirs.name not in board
    response = post_form(client, "/field/daily/board/assign", {"manager_id": theirs.id, "day": "2026-12-01",
                                                               "text": "x"}, token_from="/field/daily/board")
    assert response.status_code == 404
    assert db.session.scalar(select(DayAssignment)) is None


def test_another_manager_s_photo_is_not_found(client, auth, make_user, clock):
    owner = make_user()
    auth.login(owner)
    client.post("/field/daily/activities", data={
        "csrf_token": csrf_token(client, "/field/daily"), "place": "村口", "photos": (io.BytesIO(png()), "a.png")},
        content_type="multipart/form-data")
    activity = db.session.scalar(select(DailyReport)).activities[0]
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/field/daily/activities/{activity.id}/photos/{activity.photos[0]}").status_code == 404


def test_the_phone_s_queue_gets_json_and_the_activity_shows_as_sent_late(client, auth, make_user, clock):
    auth.login(make_user())
    token = csrf_token(client, "/field/daily")

    def send(**fields):
        return client.post("/field/daily/activities", headers={"Accept": "application/json"},
                           content_type="multipart/form-data",
                           data={"csrf_token": token, "photos": (io.BytesIO(png()), "a.png"), **fields})

    first = send(place="村口", client_key="abc", device_at="2026-12-01T07:50:00.000Z")
    again = send(place="村口", client_key="abc", device_at="2026-12-01T07:50:00.000Z")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json["id"] == again.json["id"]
    assert (first.json["late_received"], first.json["url"]) == (True, "/field/daily#activities")
    refused = send(place="", client_key="def")
    assert refused.status_code == 422
    assert refused.json["error"]["message"] == "请填写活动地点"
    activity = db.session.scalar(select(DailyReport)).activities[0]
    assert activity.device_at == datetime(2026, 12, 1, 7, 50, tzinfo=UTC)
    page = client.get("/field/daily").get_data(as_text=True)
    assert "离线补传" in page
    assert "12-01 15:50" in page
    assert "地面活动已上报" not in page  # a queued activity is announced by the phone's queue, not a message
    assert 'name="client_key"' in page


def test_a_refused_form_says_why(client, auth, make_user, clock):
    auth.login(make_user())
    response = post_form(client, "/field/daily/plan", {"plan": ""}, token_from="/field/daily", follow_redirects=True)
    assert "请填写今天工作计划" in response.get_data(as_text=True)


def test_county_supervisors_set_their_county_s_points(client, auth, make_user):
    county_sup = make_user("supervisor", grid=None)
    auth.login(county_sup)
    page = client.get("/field/indicator-weights").get_data(as_text=True)
    assert "日报提交率" in page
    assert 'name="county_id" value="0"' not in page
    post_form(client, "/field/indicator-weights", {"county_id": county_sup.county_id, "daily_report_rate": "8"},
              token_from="/field/indicator-weights")
    assert 'value="8.0"' in client.get("/field/indicator-weights").get_data(as_text=True)
    assert post_form(client, "/field/indicator-weights", {"county_id": "0", "daily_report_rate": "8"},
                     token_from="/field/indicator-weights").status_code == 404
    auth.logout()
    auth.login(make_user("supervisor"))
    assert client.get("/field/indicator-weights").status_code == 403
