"""The visit pages through HTTP: the form with the checklist in force, a post that becomes a visit and a ticket
(HTML and the phone's JSON), photos only for the person and their supervisors, tickets, the R3 queue, the checklist."""

import io
import re

import pytest
from sqlalchemy import select

from lms.assessment.models import LedgerEntry
from lms.extensions import db
from lms.field.visit_models import DeductionCandidate, Ticket, Visit
from tests.support.images import screenshot_png
from tests.support.visits import GOOD_ANSWERS, add_shop
from tests.support.web import csrf_token


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def _status(client, url):
    response = client.get(url)
    response.close()  # a photo is sent from its file: close it here, as a browser's connection would
    return response.status_code


def _post(client, shop, *, problems=None, json=False, **extra):
    data = {"csrf_token": csrf_token(client, "/field/visits/new"), "shop_id": str(shop.id), "checklist_version": "1",
            **{f"answer-{k}": v for k, v in GOOD_ANSWERS.items()},
            **{f"problem-{k}": v for k, v in (problems or {}).items()},
            "photos": (io.BytesIO(screenshot_png(400, rows=1)), "shop.png"), **extra}
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/field/visits/new", data=data, content_type="multipart/form-data", headers=headers)


def test_the_form_shows_the_checklist_and_the_nearest_shop_first(make_user, auth):
    manager = make_user("manager")
    add_shop(manager, code="FAR", name="远店", latitude=30.1)
    add_shop(manager, code="NEAR", name="近店", latitude=30.0005)
    auth.login(manager)
    page = auth.client.get("/field/visits/new?lat=30&lng=120").get_data(as_text=True)
    assert page.index("近店") < page.index("远店")
    assert "56 米" in page
    for label in ("门头是否达标", "实名制海报", "实名制桌牌", "过期海报"):
        assert label in page
    assert 'accept="image/*" capture="environment" multiple' in page


def test_a_posted_visit_with_a_b2b_problem_becomes_a_ticket(make_user, auth):
    manager = make_user("manager")
    shop = add_shop(manager)
    auth.login(manager)
    response = _post(auth.client, shop, problems={"system_ops": "不会在B2B订货", "remuneration": "无"})
    assert response.status_code == 302
    [ticket] = db.session.scalars(select(Ticket)).all()
    assert (ticket.category, ticket.routed_to) == ("system_ops", "grid_supervisor")
    listing = auth.client.get("/field/visits").get_data(as_text=True)
    assert shop.name in listing
    assert "1 个问题" in listing


def test_the_phone_s_queue_gets_json_and_a_resend_is_stored_once(make_user, auth):
    manager = make_user("manager")
    shop = add_shop(manager)
    auth.login(manager)
    first = _post(auth.client, shop, json=True, client_key="abc", device_at="2026-12-05T08:00:00+08:00")
    again = _post(auth.client, shop, json=True, client_key="abc", device_at="2026-12-05T08:00:00+08:00")
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert first.json["late_received"] is True
    refused = _post(auth.client, shop, json=True, **{"answer-signboard": "no"})
    assert refused.status_code == 422
    assert refused.json["error"]["problems"] == ["“门头是否达标”未达标，请填写整改日期"]


def test_photos_are_for_the_person_and_their_supervisors_only(make_user, auth, client):
    manager = make_user("manager", grid="东城网格")
    shop = add_shop(manager)
    auth.login(manager)
    _post(auth.client, shop)
    visit = db.session.scalars(select(Visit)).one()
    photo = f"/field/visits/{visit.id}/photos/{visit.photos[0]}"
    assert _status(auth.client, photo) == 200
    others = ((make_user("supervisor", grid="东城网格"), 200), (make_user("manager", grid="东城网格"), 404),
              (make_user("supervisor", grid="西城网格"), 404))
    for person, status in others:
        auth.logout()
        auth.login(person)
        assert _status(auth.client, photo) == status
        assert _status(auth.client, f"/field/visits/{visit.id}") == status


def test_a_supervisor_answers_a_ticket_and_confirms_a_candidate_from_the_queue(make_user, auth):
    from datetime import UTC, datetime, timedelta

    from tests.support.visits import pass_system_ops

    manager = make_user("manager")
    grid = make_user("supervisor")
    shop = add_shop(manager)
    pass_system_ops(manager, finished_at=datetime.now(UTC) - timedelta(days=1))
    auth.login(manager)
    _post(auth.client, shop, problems={"system_ops": "不会在B2B订货"})
    auth.logout()
    auth.login(grid)
    assert "不会在B2B订货" in auth.client.get("/field/tickets").get_data(as_text=True)
    ticket = db.session.scalars(select(Ticket)).one()
    token = csrf_token(auth.client, "/field/tickets")
    auth.client.post(f"/field/tickets/{ticket.id}/answer", data={"csrf_token": token, "answer": "已教会", "close": "1"})
    db.session.refresh(ticket)
    assert ticket.state == "closed"
    queue = auth.client.get("/field/r3").get_data(as_text=True)
    assert re.search(r'<option value="b2b" selected>', queue)
    candidate = db.session.scalars(select(DeductionCandidate)).one()
    auth.client.post(f"/field/r3/{candidate.id}", data={"csrf_token": csrf_token(auth.client, "/field/r3"),
                                                         "decision": "confirm", "system": "b2b"})
    entry = db.session.scalars(select(LedgerEntry)).one()
    assert entry.points == -2.0
    assert entry.user_id == manager.id


def test_a_trainer_saves_a_new_checklist_version(make_user, auth):
    auth.login(make_user("trainer"))
    page = auth.client.get("/field/checklist").get_data(as_text=True)
    assert "第 1 版" in page
    data = {"csrf_token": csrf_token(auth.client, "/field/checklist"),
            "key": ["signboard", "price_tags"], "label": ["门头是否达标", "明码标价"], "bad-0": "no", "bad-1": "no"}
    response = auth.client.post("/field/checklist", data=data, follow_redirects=True)
    assert "拜访检查表已保存为第 2 版。" in response.get_data(as_text=True)
