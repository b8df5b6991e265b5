"""Races: 100 concurrent submits of one attempt grade it once and every caller gets the same result, no 5xx;
autosaves racing the submit are in the grade exactly when they were acknowledged.

Two shapes: 100 threads against one multi-threaded server process (both databases), and two gunicorn instances on
different ports sharing one PostgreSQL database (the scale-out shape; SQLite is one host's database by design).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lms.attempts.models import Attempt, AttemptAnswer, AttemptEvent
from lms.core import events
from lms.extensions import db
from tests.support.databases import postgres_url
from tests.trust.conftest import PageClient, Reply, correct_letter

SUBMITTERS = 100
QUESTIONS = 10


@contextmanager
def threaded_server(app: Flask) -> Iterator[str]:
    """The app behind a real HTTP server that handles each request in its own thread, in this process."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def all_at_once(count: int, work: Callable[[int], Reply]) -> list[Reply | BaseException]:
    """Run ``work(i)`` in ``count`` threads released together by a barrier."""
    barrier = threading.Barrier(count)
    results: list[Reply | BaseException] = [RuntimeError("did not finish")] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as exc:  # reported by the assertions, not lost in the thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def final_answers() -> dict[str, dict[str, Any]]:
    """Seven right, three wrong (q8–q10 answered with the letter after the key): 70.0 on 100."""
    return {f"q{i}": {"choices": [correct_letter(i) if i <= 7 else correct_letter(i + 1)], "seq": i}
            for i in range(1, QUESTIONS + 1)}


def graded_events(attempt_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind.in_(("submitted", "expired")))) or 0


def assert_graded_once(attempt_id: int, replies: list[Reply | BaseException], record: Callable[..., Any], name: str
                       ) -> None:
    statuses = [r.status if isinstance(r, Reply) else repr(r) for r in replies]
    figures = record(name, {
        "attempts": 1, "submits": len(replies), "ok": statuses.count(200),
        "server_errors": sum(isinstance(s, int) and s >= 500 for s in statuses),
        "distinct_results": len({json.dumps(r.body, sort_keys=True) for r in replies if isinstance(r, Reply)}),
        "lost": QUESTIONS - (db.session.scalar(select(func.count(AttemptAnswer.id)).where(
            AttemptAnswer.attempt_id == attempt_id)) or 0),
        "duplicates": graded_events(attempt_id) - 1})
    assert figures["server_errors"] == 0
    assert figures["duplicates"] == 0
    assert figures["lost"] == 0
    assert statuses == [200] * len(replies), sorted(set(map(str, statuses)))
    bodies = [r.body for r in replies if isinstance(r, Reply)]
    assert all(body == bodies[0] for body in bodies), "every caller gets the one result"
    assert bodies[0]["status"] == "submitted"
    assert bodies[0]["score"] == 70.0
    assert graded_events(attempt_id) == 1
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 70.0
    assert attempt.finished_at.isoformat().replace("+00:00", "Z") == bodies[0]["submitted_at"]
    assert attempt.in_progress_key is None
    rows = db.session.scalar(select(func.count(AttemptAnswer.id)).where(AttemptAnswer.attempt_id == attempt_id))
    assert rows == QUESTIONS


def test_hundred_concurrent_submits_from_threads_grade_once(app, make_practice, make_managers, record_figures):
    make_practice("race", questions=QUESTIONS)
    [(_user, token)] = make_managers(1)
    graded: list[Any] = []
    record = graded.append  # one object: `graded.append` is a new bound method on every access
    events.attempt_graded.connect(record, weak=False)
    try:
        with threaded_server(app) as base_url:
            page = PageClient(base_url, token)
            started = page.send("POST", "/quizzes/race/attempts")
            assert started.status == 201
            attempt_id = started.body["id"]
            for qid, body in list(final_answers().items())[:5]:  # half saved before, the rest sent with the submit
                assert page.send("PUT", f"/attempts/{attempt_id}/answers/{qid}", body).status == 200
            replies = all_at_once(SUBMITTERS, lambda _i: PageClient(base_url, token).send(
                "POST", f"/attempts/{attempt_id}/submit", {"answers": final_answers(), "reason": "submit"}))
    finally:
        events.attempt_graded.disconnect(record)
    assert_graded_once(attempt_id, replies, record_figures, "races_threads")
    assert len(graded) == 1, "attempt_graded was sent once: certificates and the ledger see one grading"


def test_autosaves_racing_a_submit_are_graded_if_acknowledged_and_stored_only_then(app, make_practice, make_managers):
    """The promise behind "no answer is ever lost": an answer the server acknowledged (200) is in the grade, and one
    it refused (409, finished) is not stored. Autosaves of every question and the submit are released together."""
    questions = 20
    make_practice("race", questions=questions)
    [(_user, token)] = make_managers(1)
    with threaded_server(app) as base_url:
        started = PageClient(base_url, token).send("POST", "/quizzes/race/attempts")
        attempt_id = started.body["id"]

        def work(index: int) -> Reply:
            page = PageClient(base_url, token)
            if index == questions:
                return page.send("POST", f"/attempts/{attempt_id}/submit", {"reason": "submit"})
            qid = f"q{index + 1}"
            return page.send("PUT", f"/attempts/{attempt_id}/answers/{qid}",
                             {"choices": [correct_letter(index + 1)], "seq": 1})

        replies = all_at_once(questions + 1, work)
    assert all(isinstance(r, Reply) for r in replies), replies
    saves, submitted = replies[:questions], replies[questions]
    assert submitted.status == 200
    assert submitted.body["status"] == "submitted"
    assert {r.status for r in saves} <= {200, 409}, sorted({r.status for r in saves})
    assert all(r.body["error"]["code"] == "finished" for r in saves if r.status == 409)
    acknowledged = {f"q{i + 1}" for i, r in enumerate(saves) if r.status == 200}
    db.session.expire_all()
    stored = set(db.session.scalars(select(AttemptAnswer.question_id).where(AttemptAnswer.attempt_id == attempt_id)))
    assert stored == acknowledged
    attempt = db.session.get(Attempt, attempt_id)
    assert {qid for qid, result in attempt.results.items() if result["correct"]} == acknowledged
    assert attempt.score == submitted.body["score"] == 100.0 * len(acknowledged) / questions
    assert graded_events(attempt_id) == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(postgres_url() is None, reason="two server instances share one database only on PostgreSQL; "
                                                   "make test runs this file against PostgreSQL as well")
def test_two_server_instances_sharing_postgresql_grade_once(make_practice, make_managers, serve, record_figures):
    make_practice("race", questions=QUESTIONS)
    [(_user, token)] = make_managers(1)
    first, second = serve(workers=2), serve(workers=2)
    assert first.port != second.port
    via_first, via_second = PageClient(first.base_url, token), PageClient(second.base_url, token)

    # Two taps on "start", one on each instance: one attempt.
    starts = all_at_once(10, lambda i: (via_first if i % 2 else via_second).send("POST", "/quizzes/race/attempts"))
    assert sorted(r.status for r in starts if isinstance(r, Reply)) == [200] * 9 + [201]
    attempt_id = starts[0].body["id"] if isinstance(starts[0], Reply) else None
    assert {r.body["id"] for r in starts if isinstance(r, Reply)} == {attempt_id}

    # Started through one instance, answered through both, read back through the other.
    for index, (qid, body) in enumerate(final_answers().items()):
        page = via_first if index % 2 else via_second
        assert page.send("PUT", f"/attempts/{attempt_id}/answers/{qid}", body).status == 200
    state = via_first.send("GET", f"/attempts/{attempt_id}")
    assert {qid: a["choices"] for qid, a in state.body["answers"].items()} == {
        qid: a["choices"] for qid, a in final_answers().items()}

    replies = all_at_once(SUBMITTERS, lambda i: PageClient((first if i % 2 else second).base_url, token).send(
        "POST", f"/attempts/{attempt_id}/submit", {"answers": final_answers(), "reason": "submit"}))
    assert_graded_once(attempt_id, replies, record_figures, "races_two_servers")
    after = via_second.send("GET", f"/attempts/{attempt_id}")
    assert after.body["result"]["score"] == 70.0
