"""The quiz player's JSON API, driven like the page drives it (session cookie + X-CSRFToken) or by a token."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.attempts.models import Attempt, AttemptEvent
from lms.core import events
from lms.extensions import db
from tests.support.quiz_files import MONTHLY, PRACTICE
from tests.support.web import api_headers


@pytest.fixture
def practice(make_quiz):
    return make_quiz("practice-basics", PRACTICE)


@pytest.fixture
def manager(make_user, auth):
    user = make_user("manager")
    auth.login(user)
    return user


def start(client, slug="practice-basics"):
    return client.post(f"/api/v1/quizzes/{slug}/attempts", headers=api_headers(client))


def put(client, attempt_id, qid, body, headers=None):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{qid}", data=json.dumps(body),
                      headers=headers or api_headers(client))


def test_paper_never_contains_the_key(client, practice, manager, clock):
    response = start(client)
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "deadline", "time_limit_seconds", "questions"} <= set(body)
    assert body["time_limit_seconds"] == 600
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("correct", "accepted", "explanation", "B2B", "weights", "见《11月终端政策》"):
        assert secret not in text
    first = body["questions"][0]
    assert set(first) >= {"id", "type", "stem_html", "points", "options"}
    assert first["options"][0] == {"id": "A", "html": "当月有效"}
    assert body["review"] is None
    assert body["result"] is None


def test_starting_again_resumes_the_same_attempt_with_saved_answers(client, practice, manager, clock):
    first = start(client).get_json()
    assert put(client, first["id"], "q1", {"choices": ["A"]}).status_code == 200
    clock.advance(minutes=3)
    again = start(client)
    assert again.status_code == 200
    state = again.get_json()
    assert state["id"] == first["id"]
    assert state["answers"]["q1"]["choices"] == ["A"]
    assert state["remaining_seconds"] == 600 - 180


def test_full_marks_and_the_result_with_review_for_practice(client, practice, manager, clock):
    attempt = start(client).get_json()
    for qid, body in {"q1": {"choices": ["A"]}, "q2": {"choices": ["A", "B", "D"]}, "q3": {"choices": ["T"]},
                      "q4": {"text": "ｂ２ｂ "}}.items():
        assert put(client, attempt["id"], qid, body).status_code == 200
    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client)).get_json()
    assert result["score"] == 100.0
    assert result["passed"] is True
    assert result["max_score"] == 100.0
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["status"] == "submitted"
    assert state["review"]["q4"]["accepted"] == ["B2B", "企业间电子商务"]
    assert state["result"]["wrong"] == []


def test_monthly_review_waits_for_the_window_to_close(client, make_quiz, manager, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    clock.now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    attempt = start(client, "monthly-2026-11").get_json()
    put(client, attempt["id"], "q1", {"choices": ["B"]})
    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client)).get_json()
    assert result["score"] == 0.0
    assert result["passed"] is False
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["review"] is None
    assert sorted(state["result"]["wrong"]) == ["q1", "q2"]  # which were wrong: shown at once
    clock.now = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)  # 08:00 on the 9th in Shanghai
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["review"]["q1"]["correct"] == ["A"]


def test_monthly_test_is_one_official_attempt(client, make_quiz, manager, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    clock.now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    attempt = start(client, "monthly-2026-11").get_json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    again = start(client, "monthly-2026-11")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "used_up"
    assert db.session.get(Attempt, attempt["id"]).official is True


@pytest.mark.parametrize(("now", "code"), [
    (datetime(2026, 10, 31, 15, 59, tzinfo=UTC), "not_open"),  # 23:59 on Oct 31 in Shanghai
    (datetime(2026, 11, 8, 16, 0, tzinfo=UTC), "closed"),  # 00:00 on Nov 9 in Shanghai
])
@pytest.mark.usefixtures("manager")
def test_outside_the_window_nobody_starts(client, make_quiz, clock, now, code):
    make_quiz("monthly-2026-11", MONTHLY)
    clock.now = now
    response = start(client, "monthly-2026-11")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == code


def test_a_trainer_is_not_assigned_an_official_test(client, make_quiz, make_user, auth, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    auth.login(make_user("trainer"))
    clock.now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    assert start(client, "monthly-2026-11").status_code == 403


@pytest.mark.parametrize(("seconds_after_deadline", "status"), [(59, 200), (60, 200), (61, 409)])
@pytest.mark.usefixtures("practice", "manager")
def test_answers_are_accepted_until_deadline_plus_grace(client, clock, seconds_after_deadline, status):
    attempt = start(client).get_json()
    clock.advance(seconds=600 + seconds_after_deadline)
    response = put(client, attempt["id"], "q1", {"choices": ["A"]})
    assert response.status_code == status
    if status == 409:
        finished = db.session.get(Attempt, attempt["id"])
        assert finished.status == "expired"
        assert finished.finish_reason == "deadline"


def test_after_the_deadline_the_server_grades_the_saved_answers(client, practice, manager, clock):
    attempt = start(client).get_json()
    put(client, attempt["id"], "q1", {"choices": ["A"]})
    put(client, attempt["id"], "q3", {"choices": ["T"]})
    clock.advance(seconds=661)
    submit = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    assert submit.status_code == 409
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["status"] == "expired"
    assert state["result"]["score"] == 50.0


def test_reading_an_expired_attempt_finishes_it_lazily(client, practice, manager, clock):
    attempt = start(client).get_json()
    put(client, attempt["id"], "q1", {"choices": ["A"]})
    clock.advance(hours=2)
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["status"] == "expired"
    assert state["result"]["score"] == 25.0
    assert state["remaining_seconds"] == 0


def test_repeated_submit_returns_the_same_result_and_grades_once(client, practice, manager, clock):
    graded = []
    record = graded.append  # one object: `graded.append` is a new bound method on every access
    events.attempt_graded.connect(record, weak=False)
    try:
        attempt = start(client).get_json()
        put(client, attempt["id"], "q1", {"choices": ["A"]})
        first = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client)).get_json()
        clock.advance(seconds=5)
        second = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client)).get_json()
    finally:
        events.attempt_graded.disconnect(record)
    assert first == second
    assert len(graded) == 1


def test_saving_after_submit_is_refused(client, practice, manager, clock):
    attempt = start(client).get_json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    assert put(client, attempt["id"], "q1", {"choices": ["A"]}).status_code == 409


def test_an_older_replayed_change_never_overwrites_a_newer_one(client, practice, manager, clock):
    attempt = start(client).get_json()
    assert put(client, attempt["id"], "q1", {"choices": ["B"], "seq": 7}).status_code == 200
    assert put(client, attempt["id"], "q1", {"choices": ["A"], "seq": 3}).status_code == 200
    state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert state["answers"]["q1"]["choices"] == ["B"]
    history = db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt["id"], AttemptEvent.kind == "answer_saved"))
    assert history == 1


def test_submit_carries_the_final_answers(client, practice, manager, clock):
    attempt = start(client).get_json()
    body = {"answers": {"q1": {"choices": ["A"]}, "q3": {"choices": ["T"]}, "q4": {"text": "b2b"}}}
    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", data=json.dumps(body),
                         headers=api_headers(client)).get_json()
    assert result["score"] == 75.0


@pytest.mark.parametrize("body", [
    {"choices": ["Z"]},
    {"choices": "A"},
    {"choices": ["A", "B"]},
    {"choices": [1]},
    {"text": 5},
    {"seq": -1, "choices": ["A"]},
    ["A"],
])
def test_bad_answers_are_4xx_never_500(client, practice, manager, clock, body):
    attempt = start(client).get_json()
    response = put(client, attempt["id"], "q1", body)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_unknown_question_and_malformed_json(client, practice, manager, clock):
    attempt = start(client).get_json()
    assert put(client, attempt["id"], "nope", {"choices": ["A"]}).status_code == 404
    response = client.put(f"/api/v1/attempts/{attempt['id']}/answers/q1", data="{not json",
                          headers=api_headers(client))
    assert 400 <= response.status_code < 500


def test_another_persons_attempt_is_not_found(client, practice, make_user, auth, clock):
    owner = make_user("manager")
    auth.login(owner)
    attempt = start(client).get_json()
    auth.logout()
    auth.login(make_user("manager"))
    assert client.get(f"/api/v1/attempts/{attempt['id']}").status_code == 404
    assert put(client, attempt["id"], "q1", {"choices": ["A"]}).status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client)).status_code == 404


def test_writes_without_csrf_are_refused(client, practice, manager, clock):
    response = client.post("/api/v1/quizzes/practice-basics/attempts")
    # Refused for the token, not for any other reason a 400 could have; and nothing started.
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_tab_switches_are_logged_with_server_time_and_the_limit_submits(client, make_quiz, manager, clock):
    make_quiz("strict", PRACTICE.replace("time_limit_minutes: 10", "time_limit_minutes: 10\ntab_switch_limit: 1"))
    attempt = start(client, "strict").get_json()
    url = f"/api/v1/attempts/{attempt['id']}/events"
    first = client.post(url, data=json.dumps({"kind": "tab_hidden"}), headers=api_headers(client))
    assert first.status_code == 201
    assert first.get_json()["status"] == "in_progress"
    second = client.post(url, data=json.dumps({"kind": "fullscreen_exit"}), headers=api_headers(client))
    assert second.get_json() == {"status": "submitted", "finish_reason": "tab_limit"}
    logged = db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt["id"],
                                                           AttemptEvent.kind == "tab_hidden")).one()
    assert logged.at == clock.now
    assert client.post(url, data=json.dumps({"kind": "hack"}), headers=api_headers(client)).status_code == 422


def test_state_extras_are_merged(client, practice, manager, clock):
    from lms.attempts import api

    def extra(attempt):
        return {"certificate": {"code": f"C{attempt.id}", "pdf_url": "/x.pdf"}}

    api.STATE_EXTRAS.append(extra)
    try:
        attempt = start(client).get_json()
        state = client.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    finally:
        api.STATE_EXTRAS.remove(extra)
    assert state["certificate"] == {"code": f"C{attempt['id']}", "pdf_url": "/x.pdf"}


def test_openapi_documents_the_player(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(paths["/quizzes/{slug}/attempts"])
    assert "put" in paths["/attempts/{attempt_id}/answers/{question_id}"]
    assert "post" in paths["/attempts/{attempt_id}/submit"]
    assert "get" in paths["/attempts/{attempt_id}"]


def _threaded(app, count, work):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        client = FlaskClient(app, app.response_class, use_cookies=False)
        barrier.wait()
        results[index] = work(client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_submits_grade_once(app, practice, make_user):
    user = make_user("manager")
    token = accounts.create_token(user.employee_no, "test")
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    graded = []
    record = graded.append  # one object: `graded.append` is a new bound method on every access
    events.attempt_graded.connect(record, weak=False)
    try:
        client = app.test_client()
        attempt = client.post("/api/v1/quizzes/practice-basics/attempts", headers=bearer).get_json()
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/q1", data=json.dumps({"choices": ["A"]}),
                   headers=bearer)
        results = _threaded(app, 6, lambda c: c.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=bearer))
    finally:
        events.attempt_graded.disconnect(record)
    assert [r.status_code for r in results] == [200] * 6
    bodies = [r.get_json() for r in results]
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["score"] == 25.0
    assert len(graded) == 1
    db.session.expire_all()
    submitted = db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt["id"], AttemptEvent.kind == "submitted"))
    assert submitted == 1


def test_concurrent_starts_make_one_attempt(app, practice, make_user):
    user = make_user("manager")
    token = accounts.create_token(user.employee_no, "test")
    bearer = {"Authorization": f"Bearer {token}"}
    results = _threaded(app, 5, lambda c: c.post("/api/v1/quizzes/practice-basics/attempts", headers=bearer))
    assert sorted(r.status_code for r in results).count(201) == 1
    assert len({r.get_json()["id"] for r in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.user_id == user.id)) == 1
