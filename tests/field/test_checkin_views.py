"""The check-in pages as people use them: the privacy notice first; a manager's check-in from the phone (the
page's key, the photo, the position); resends, queued check-ins and refused photos; who may see a check-in's photo
and coordinates; the supervisors' board; the business hall's place set on the unit page."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.field.checkin_models import CheckIn, PrivacyAcknowledgement
from lms.org.models import Unit
from tests.field.checkin_support import (
    FAR,
    HALL,
    MORNING_AT,
    NEAR,
    acknowledge,
    app_config,  # noqa: F401 - fixture: a media folder of the test's own
    page_keys,
    photo,
    send,
)
from tests.support.people import LONG_AGO
from tests.support.web import post_form


@pytest.fixture
def hall(make_unit: Any) -> Unit:
    grid = make_unit("城区", "东城网格")
    grid.latitude, grid.longitude = HALL
    db.session.commit()
    return grid


@pytest.fixture
def manager(make_user: Any, hall: Unit, client: Any, auth: Any) -> Any:
    person = make_user("manager", name="张三")
    auth.login(person)
    return person


def test_the_notice_comes_first_and_is_stored(client: Any, manager: Any, clock: Any) -> None:
    page = client.get("/field/checkin").get_data(as_text=True)
    assert "签到前的个人信息告知" in page
    assert "保存 180 天" in page
    assert "data-key" not in page
    refused = send(client, "morning", key="whatever")
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "notice_required"
    acknowledge(client)
    ack = db.session.scalars(select(PrivacyAcknowledgement)).one()
    assert ack.user_id == manager.id
    assert ack.version
    assert set(page_keys(client)) == {"morning", "activity", "evening"}


def test_a_morning_check_in_near_the_hall_is_on_time_and_a_resend_is_the_same(client: Any, manager: Any,
                                                                             clock: Any) -> None:
    acknowledge(client)
    key = page_keys(client)["morning"]
    first = send(client, "morning", key=key)
    assert first.status_code == 201, first.json
    stored = db.session.scalars(select(CheckIn)).one()
    assert (stored.late, stored.far, stored.no_location, stored.late_received) == (False, False, False, False)
    assert 80 < (stored.distance_m or 0) < 100
    assert stored.place_label == "东城网格营业厅"
    assert stored.photo_name
    assert stored.photo_content_type == "image/jpeg"
    again = send(client, "morning", key=key)  # the answer was lost: the phone sends it again
    assert again.status_code == 200
    assert again.json["created"] is False
    other = send(client, "morning")  # a second morning check-in on the same day
    assert other.status_code == 409
    assert "已经签过了" in other.json["error"]["message"]
    assert db.session.scalar(select(db.func.count(CheckIn.id))) == 1
    assert "已签到 08:05" in client.get("/field/checkin").get_data(as_text=True)


def test_late_far_and_no_location_are_flagged(client: Any, manager: Any, clock: Any) -> None:
    acknowledge(client)
    clock.now = MORNING_AT + timedelta(minutes=30)  # 08:35
    assert send(client, "morning", position=FAR).status_code == 201
    clock.now = MORNING_AT + timedelta(hours=8, minutes=30)  # 16:35: leaving early, the location refused
    assert send(client, "evening", position=None).status_code == 201
    morning, evening = db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert morning.late
    assert morning.far
    assert not morning.no_location
    assert (morning.distance_m or 0) > 1000
    assert evening.early
    assert evening.no_location
    assert evening.latitude is None
    assert not evening.far


def test_a_queued_check_in_keeps_the_phone_time_and_is_late_received(client: Any, manager: Any, clock: Any) -> None:
    acknowledge(client)
    clock.now = MORNING_AT + timedelta(hours=2)  # sent at 10:05, when the signal came back
    response = send(client, "morning", device_at="2026-12-02T00:02:00.000Z", queued="1")
    assert response.status_code == 201
    assert response.json["checkin"]["late_received"] is True
    stored = db.session.scalars(select(CheckIn)).one()
    assert stored.late_received
    assert not stored.late
    assert stored.device_at is not None
    assert stored.at - stored.device_at == timedelta(hours=2, minutes=3)


@pytest.mark.parametrize(("picture", "filename"), [(b"meeting notes", "notes.txt"), (b"not a jpeg", "photo.jpg")])
def test_a_refused_photo_is_named(client: Any, manager: Any, clock: Any, picture: bytes, filename: str) -> None:
    acknowledge(client)
    response = send(client, "morning", picture=picture, filename=filename)
    assert response.status_code == 422
    assert f"照片“{filename}”" in response.json["error"]["message"]
    assert db.session.scalar(select(db.func.count(CheckIn.id))) == 0


def test_an_activity_check_in_is_judged_against_the_place_given(client: Any, manager: Any, clock: Any) -> None:
    acknowledge(client)
    clock.now = MORNING_AT + timedelta(minutes=25)  # 08:30
    missing = send(client, "activity")
    assert missing.status_code == 422
    assert missing.json["error"]["message"] == "活动签到请填写活动地点"
    done = send(client, "activity", position=FAR, activity_address="东城广场", activity_latitude=str(FAR[0]),
                activity_longitude=str(FAR[1]))
    assert done.status_code == 201
    stored = db.session.scalars(select(CheckIn)).one()
    assert stored.place_label == "东城广场"
    assert not stored.far
    assert (stored.distance_m or 0) < 1


def _checked_in(client: Any, auth: Any, manager: Any) -> CheckIn:
    acknowledge(client)
    assert send(client, "morning").status_code == 201
    auth.logout()
    return db.session.scalars(select(CheckIn).where(CheckIn.user_id == manager.id)).one()


def test_photos_and_coordinates_are_for_the_person_and_their_supervisors(client: Any, auth: Any, manager: Any,
                                                                         make_user: Any, clock: Any) -> None:
    checkin = _checked_in(client, auth, manager)
    photo_url = f"/field/checkins/{checkin.id}/photo"
    person_url = f"/field/checkins/people/{manager.id}"
    allowed = [manager, make_user("supervisor", grid="东城网格"), make_user("supervisor", grid=None),
               make_user("supervisor", county=None, grid=None)]
    refused = [make_user("manager", grid="西城网格"), make_user("supervisor", grid="西城网格"),
               make_user("supervisor", county="郊县", grid=None), make_user("trainer"), make_user("admin")]
    for person in allowed:
        auth.login(person)
        shown = client.get(photo_url)
        assert (shown.status_code, shown.mimetype) == (200, "image/jpeg"), person.role
        assert shown.headers["Cache-Control"] == "private, no-store"
        page = client.get(person_url).get_data(as_text=True)
        assert f"{NEAR[0]:.5f}" in page
        assert photo_url in page
        auth.logout()
    for person in refused:
        auth.login(person)
        assert client.get(photo_url).status_code == 404, (person.role, person.grid_id)
        assert client.get(person_url).status_code == 404
        auth.logout()


def test_the_board_shows_today_and_the_month_for_the_supervisors_scope(client: Any, auth: Any, manager: Any,
                                                                       make_user: Any, clock: Any) -> None:
    _checked_in(client, auth, manager)
    absent = make_user("manager", name="李四")
    make_user("manager", name="王五", grid="西城网格")
    manager.joined_at = absent.joined_at = LONG_AGO  # nothing is due before a person joined
    db.session.commit()
    clock.now = MORNING_AT + timedelta(hours=1)
    auth.login(make_user("supervisor", grid="东城网格"))
    page = client.get("/field/checkins").get_data(as_text=True)
    assert "张三" in page
    assert absent.name in page
    assert "王五" not in page
    assert page.count("缺签") >= 2  # 李四's morning (and the column's explanation)
    month = page[page.index("本月签到率"):]
    # Tue 1 and Wed 2 December so far: 4 required check-ins, 1 compliant
    assert "25.0%" in month
    assert "0.0%" in month


def test_the_hall_place_is_set_on_the_unit_page_and_audited(client: Any, auth: Any, make_user: Any,
                                                          make_unit: Any) -> None:
    grid = make_unit("城区", "东城网格")
    auth.login(make_user("admin"))
    url = f"/admin/org/{grid.id}"
    post_form(client, f"{url}/place", {"place-latitude": "30.5", "place-longitude": "104.1"}, token_from=url)
    db.session.refresh(grid)
    assert (grid.latitude, grid.longitude) == (30.5, 104.1)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.place_set")).one()
    assert entry.changes == {"latitude": [None, 30.5], "longitude": [None, 104.1]}
    response = post_form(client, f"{url}/place", {"place-latitude": "91", "place-longitude": "104.1"},
                         token_from=url, follow_redirects=True)
    assert "纬度应在 -90 到 90 之间" in response.get_data(as_text=True)
    response = post_form(client, f"{url}/place", {"place-latitude": "30", "place-longitude": ""},
                         token_from=url, follow_redirects=True)
    assert "请同时填写纬度和经度" in response.get_data(as_text=True)
    assert 'value="30.5"' in client.get(url).get_data(as_text=True)


def test_photo_bytes_are_reencoded_without_metadata(client: Any, manager: Any, clock: Any, app: Any) -> None:
    acknowledge(client)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.open(io.BytesIO(photo())).save(buffer, "JPEG", exif=exif)
    assert send(client, "morning", picture=buffer.getvalue()).status_code == 201
    stored = db.session.scalars(select(CheckIn)).one()
    shown = client.get(f"/field/checkins/{stored.id}/photo").data
    assert b"PhoneMaker" not in shown
    assert Image.open(io.BytesIO(shown)).getexif().get(0x010F) is None
