"""The clock is the server's: answers and submits count until deadline + grace inclusive (one second earlier
accepted, one second later refused), and nothing the browser sends about time changes that.

In-process tests move the server's clock through the ``utcnow`` seams; the real-server test leaves the clock alone
and moves the stored deadline instead, with margins far wider than any scheduling jitter.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import update

from lms.attempts.models import Attempt
from lms.core.clock import utcnow
from lms.extensions import db
from tests.support.clock import Clock
from tests.support.web import api_headers
from tests.trust.conftest import PageClient, correct_letter

LIMIT = 60
START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(START)
    for target in ("lms.attempts.api.utcnow", "lms.attempts.views.utcnow", "lms.core.clock.utcnow"):
        monkeypatch.setattr(target, clock)
    return clock


@pytest.fixture
def page(app, client, auth, make_user, make_practice):
    """A signed-in manager's page (session cookie + CSRF header) with a 60-second practice quiz.

    The CSRF header is read once, like the page does when it loads: reading it later would open the home page,
    whose list finishes expired attempts by itself and would hide the path under test.
    """
    make_practice("clock", questions=3, time_limit_seconds=LIMIT)
    auth.login(make_user("manager"))
    client.page_headers = api_headers(client)
    return client


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def start(client) -> dict:
    response = client.post("/api/v1/quizzes/clock/attempts", headers=client.page_headers)
    assert response.status_code == 201
    return response.get_json()


def put(client, attempt_id, qid, body, **headers):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{qid}", data=json.dumps(body),
                      headers={**client.page_headers, **headers})


def submit(client, attempt_id, body=None, **headers):
    return client.post(f"/api/v1/attempts/{attempt_id}/submit", data=json.dumps(body or {}),
                       headers={**client.page_headers, **headers})


def at_grace_edge(app, offset: int) -> datetime:
    return START + timedelta(seconds=LIMIT + app.config["LMS_GRACE_SECONDS"] + offset)


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, True), (1, False)])
def test_a_save_at_the_edge_of_deadline_plus_grace(app, page, clock, offset, accepted):
    attempt = start(page)
    assert put(page, attempt["id"], "q1", {"choices": [correct_letter(1)], "seq": 1}).status_code == 200
    clock.now = at_grace_edge(app, offset)
    response = put(page, attempt["id"], "q2", {"choices": [correct_letter(2)], "seq": 2})
    state = page.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    if accepted:
        assert response.status_code == 200
        assert state["status"] == "in_progress"
        assert set(state["answers"]) == {"q1", "q2"}
    else:
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "deadline_passed"
        assert state["status"] == "expired"
        assert state["result"]["score"] == round(100 / 3, 1), "graded from the answer saved in time"
        assert set(state["answers"]) == {"q1"}


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, True), (1, False)])
def test_a_submit_at_the_edge_of_deadline_plus_grace(app, page, clock, offset, accepted):
    attempt = start(page)
    put(page, attempt["id"], "q1", {"choices": [correct_letter(1)], "seq": 1})
    clock.now = at_grace_edge(app, offset)
    final = {"answers": {f"q{i}": {"choices": [correct_letter(i)], "seq": 5} for i in (1, 2, 3)}}
    response = submit(page, attempt["id"], final)
    finished = db.session.get(Attempt, attempt["id"])
    if accepted:
        assert response.status_code == 200
        assert response.get_json()["score"] == 100.0
        assert (finished.status, finished.finish_reason) == ("submitted", "submit")
    else:
        assert response.status_code == 409
        assert (finished.status, finished.finish_reason) == ("expired", "deadline")
        assert finished.score == round(100 / 3, 1), "the late submit's answers did not count"
    assert finished.finished_at == clock.now


BROWSER_CLAIMS = {
    "Date": "a Date header",
    "X-Client-Time": "a custom time header",
    "If-Unmodified-Since": "a conditional header",
}


@pytest.mark.parametrize("header", sorted(BROWSER_CLAIMS))
def test_a_browser_claiming_an_earlier_time_is_still_late(app, page, clock, header):
    attempt = start(page)
    clock.now = at_grace_edge(app, 1)
    claim = http_date(START + timedelta(seconds=5))
    body = {"answers": {"q1": {"choices": [correct_letter(1)], "seq": 1}}, "reason": "timer",
            "client_time": claim, "submitted_at": (START + timedelta(seconds=5)).isoformat(),
            "remaining_seconds": 55, "deadline": (START + timedelta(days=1)).isoformat()}
    assert submit(page, attempt["id"], body, **{header: claim}).status_code == 409
    assert db.session.get(Attempt, attempt["id"]).status == "expired"
    assert db.session.get(Attempt, attempt["id"]).score == 0.0


@pytest.mark.parametrize("header", sorted(BROWSER_CLAIMS))
def test_a_browser_claiming_a_later_time_is_still_in_time(app, page, clock, header):
    attempt = start(page)
    clock.now = at_grace_edge(app, -1)
    claim = http_date(START + timedelta(days=2))
    assert put(page, attempt["id"], "q1", {"choices": [correct_letter(1)], "seq": 1}, **{header: claim}
               ).status_code == 200
    response = submit(page, attempt["id"], {"client_time": claim, "deadline": START.isoformat()}, **{header: claim})
    assert response.status_code == 200
    assert response.get_json()["status"] == "submitted"


def test_a_late_save_after_the_server_expired_the_attempt_says_time_is_up(app, page, clock):
    attempt = start(page)
    clock.now = at_grace_edge(app, 1)
    assert page.get(f"/api/v1/attempts/{attempt['id']}").get_json()["status"] == "expired"  # finished lazily
    response = put(page, attempt["id"], "q1", {"choices": ["A"], "seq": 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "deadline_passed", "not 'already submitted': they never did"


def test_time_fields_in_an_answer_are_refused_not_believed(page, clock):
    attempt = start(page)
    put(page, attempt["id"], "q1", {"choices": ["A"], "seq": 1})
    sneaky = put(page, attempt["id"], "q1", {"choices": ["B"], "seq": 2, "saved_at": START.isoformat()})
    assert sneaky.status_code == 422
    state = page.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["answers"]["q1"]["choices"] == ["A"]


def test_deadline_and_timer_come_from_the_server_clock(page, clock):
    far_future = http_date(START + timedelta(days=30))
    started = page.post("/api/v1/quizzes/clock/attempts", headers={**page.page_headers, "Date": far_future})
    body = started.get_json()
    assert body["deadline"] == (START + timedelta(seconds=LIMIT)).isoformat().replace("+00:00", "Z")
    clock.now = START + timedelta(seconds=20)
    state = page.get(f"/api/v1/attempts/{body['id']}", headers={"Date": http_date(START - timedelta(days=1))})
    assert state.get_json()["remaining_seconds"] == LIMIT - 20
    assert state.get_json()["server_time"] == clock.now.isoformat().replace("+00:00", "Z")


def test_a_real_server_process_uses_its_own_clock(app, make_practice, make_managers, serve):
    """No seam: the server's real clock against stored deadlines 30 s past and 120 s ahead of deadline + grace."""
    make_practice("clock", questions=3, time_limit_seconds=LIMIT)
    (_late, late_token), (_on_time, on_time_token) = make_managers(2)
    server = serve(workers=1)
    late, on_time = PageClient(server.base_url, late_token), PageClient(server.base_url, on_time_token)
    late_id = late.send("POST", "/quizzes/clock/attempts").body["id"]
    on_time_id = on_time.send("POST", "/quizzes/clock/attempts").body["id"]
    grace = timedelta(seconds=app.config["LMS_GRACE_SECONDS"])
    now = utcnow()
    db.session.execute(update(Attempt).where(Attempt.id == late_id).values(
        deadline_at=now - grace - timedelta(seconds=30)))
    db.session.execute(update(Attempt).where(Attempt.id == on_time_id).values(
        deadline_at=now - grace + timedelta(seconds=120)))
    db.session.commit()

    earlier = {"Date": http_date(now - timedelta(hours=1)), "X-Client-Time": (now - timedelta(hours=1)).isoformat()}
    refused = late.send("PUT", f"/attempts/{late_id}/answers/q1", {"choices": ["A"], "seq": 1}, earlier)
    assert refused.status == 409
    assert late.send("GET", f"/attempts/{late_id}", headers=earlier).body["status"] == "expired"

    later = {"Date": http_date(now + timedelta(days=1)), "X-Client-Time": (now + timedelta(days=1)).isoformat()}
    assert on_time.send("PUT", f"/attempts/{on_time_id}/answers/q1", {"choices": ["A"], "seq": 1}, later
                        ).status == 200
    state = on_time.send("GET", f"/attempts/{on_time_id}", headers=later).body
    assert state["status"] == "in_progress"
    assert 0 < state["remaining_seconds"] <= 120 - app.config["LMS_GRACE_SECONDS"]
