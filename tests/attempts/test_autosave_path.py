"""The autosave hot path: what it reads and writes, and that knowing an attempt's answer sheet changes no answer;
and what grading reads under the attempt's lock.

An autosave of a known attempt runs two statements: who the token belongs to, and the upsert guarded by the
attempt's state (``INSERT … SELECT … FROM attempts WHERE …``, with ``FOR UPDATE`` on PostgreSQL), which also writes
the evidence event (PostgreSQL: a writing CTE; SQLite: triggers on attempt_answers, migration 0010). It never writes
the attempt's row, never reads its paper (decoding it cost more than all the statements) and never loads the
person.
The refusals are the same whether the process has seen the attempt before or not.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.attempts.models import Attempt, AttemptAnswer
from lms.extensions import db
from tests.support.databases import statements_run as statements
from tests.support.quiz_files import PRACTICE
from tests.support.web import api_headers


@pytest.fixture
def token_of(make_user, make_quiz):
    make_quiz("practice-basics", PRACTICE)

    def token_of() -> dict[str, str]:
        user = make_user("manager")
        return {"Authorization": f"Bearer {accounts.create_token(user.employee_no, 'test')}",
                "Content-Type": "application/json"}

    return token_of


def start(client, headers):
    response = client.post("/api/v1/quizzes/practice-basics/attempts", headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def put(client, headers, attempt_id, qid, body):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{qid}", data=json.dumps(body), headers=headers)


@pytest.mark.usefixtures("clock")
def test_a_known_attempts_autosave_runs_two_statements_and_reads_neither_paper_nor_person(client, token_of):
    from lms.attempts.models import AttemptEvent

    headers = token_of()
    attempt_id = start(client, headers)
    with statements() as first:
        assert put(client, headers, attempt_id, "q1", {"choices": ["A"]}).status_code == 200
    with statements() as second:
        assert put(client, headers, attempt_id, "q2", {"choices": ["A", "B"]}).status_code == 200
    assert sum("paper" in s for s in first) == 1  # the first save in this process reads the paper once
    kinds = [" ".join(s.split()[:3:2]) if s.startswith("INSERT") else " ".join(s.split()[:2]) for s in second]
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:  # one statement: the guarded upsert, and the event for the row it wrote
        assert kinds == ["SELECT users.id", "WITH saved"], second
        assert "INSERT INTO attempt_answers" in second[1]
        assert "INSERT INTO attempt_events" in second[1]
    else:  # the event is the database's own work (a trigger), within the upsert
        assert kinds == ["SELECT users.id", "INSERT attempt_answers"], second
    guard = second[1]  # the answer is selected from the attempt's row: written only while it is in progress, in time
    assert "FROM attempts" in guard
    assert "attempts.status" in guard
    assert "attempts.deadline_at >=" in guard
    # PostgreSQL: the attempt's row lock, re-checked once held; SQLite: its first write takes the database's lock
    assert ("FOR UPDATE" in guard) == postgres
    assert not any("paper" in s for s in second)
    assert not any("users.employee_no" in s for s in first + second)  # the person is never loaded
    saved = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
                               .order_by(AttemptAnswer.question_id))
    assert [(a.question_id, a.choices) for a in saved] == [("q1", ["A"]), ("q2", ["A", "B"])]
    evidence = db.session.execute(select(AttemptEvent.kind, AttemptEvent.detail).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "answer_saved").order_by(AttemptEvent.id)).all()
    assert [tuple(e) for e in evidence] == [("answer_saved", {"question": "q1", "seq": 0}),
                                            ("answer_saved", {"question": "q2", "seq": 0})]


@pytest.mark.usefixtures("clock")
def test_on_postgresql_an_autosave_is_statements_that_each_commit_on_their_own(client, token_of):
    """No BEGIN or COMMIT round trip: the caller check and the guarded upsert each leave the connection outside a
    transaction (psycopg's own view of the server's state, read after every statement)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver begins a transaction at the first write and the service commits it")
    from psycopg.pq import TransactionStatus

    headers = token_of()
    attempt_id = start(client, headers)
    assert put(client, headers, attempt_id, "q1", {"choices": ["A"]}).status_code == 200
    with statements(after=lambda conn: conn.connection.driver_connection.info.transaction_status) as after:
        assert put(client, headers, attempt_id, "q2", {"choices": ["B"]}).status_code == 200
    assert after == [("SELECT", TransactionStatus.IDLE), ("WITH", TransactionStatus.IDLE)]
    stored = db.session.scalar(select(AttemptAnswer.choices).where(
        AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == "q2"))
    assert stored == ["B"]


@pytest.mark.parametrize("seen_before", [False, True], ids=["first-save", "known-attempt"])
def test_refusals_do_not_depend_on_the_process_having_seen_the_attempt(client, token_of, clock, seen_before):
    owners = {name: token_of() for name in ("stranger", "unknown", "bad", "submitted", "late")}
    attempts = {name: start(client, headers) for name, headers in owners.items()}  # one test each, as in life
    if seen_before:  # a first save of each: this process now knows every attempt's answer sheet
        for name, attempt_id in attempts.items():
            assert put(client, owners[name], attempt_id, "q3", {"choices": ["T"]}).status_code == 200
    assert put(client, token_of(), attempts["stranger"], "q1", {"choices": ["A"]}).status_code == 404
    assert put(client, owners["unknown"], attempts["unknown"], "q9", {"choices": ["A"]}).status_code == 404
    bad = put(client, owners["bad"], attempts["bad"], "q1", {"choices": ["Z"]})
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (422, "invalid_answer")
    client.post(f"/api/v1/attempts/{attempts['submitted']}/submit", headers=owners["submitted"])
    finished = put(client, owners["submitted"], attempts["submitted"], "q1", {"choices": ["A"]})
    assert (finished.status_code, finished.get_json()["error"]["code"]) == (409, "finished")
    clock.advance(seconds=10 * 60 + 61)  # time limit + grace + 1 s
    late = put(client, owners["late"], attempts["late"], "q1", {"choices": ["A"]})
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "deadline_passed")
    expired = db.session.get(Attempt, attempts["late"])
    db.session.refresh(expired)
    assert (expired.status, expired.finish_reason) == ("expired", "deadline")


@pytest.mark.usefixtures("clock")
def test_with_room_for_one_sheet_alternating_attempts_still_save_every_answer(app, client, token_of):
    app.config["LMS_ANSWER_SHEET_CACHE"] = 1
    people = [token_of(), token_of()]
    attempt_ids = [start(client, headers) for headers in people]
    reads = 0
    for qid, choice in (("q1", "A"), ("q3", "T"), ("q1", "B")):
        for headers, attempt_id in zip(people, attempt_ids, strict=True):
            with statements() as seen:
                assert put(client, headers, attempt_id, qid, {"choices": [choice]}).status_code == 200
            reads += sum("paper" in s for s in seen)
    assert reads == 6  # each save finds the other attempt's sheet in the one place: the paper is read again
    for attempt_id in attempt_ids:
        saved = dict(db.session.execute(select(AttemptAnswer.question_id, AttemptAnswer.choices)
                                        .where(AttemptAnswer.attempt_id == attempt_id)).all())
        assert saved == {"q1": ["B"], "q3": ["T"]}


@pytest.mark.usefixtures("clock")
def test_the_quiz_page_autosaves_with_its_cookie_as_before(client, make_quiz, make_user, auth):
    make_quiz("practice-basics", PRACTICE)
    auth.login(make_user("manager"))
    headers = api_headers(client)
    attempt_id = start(client, headers)
    for choice in ("A", "C"):
        response = put(client, headers, attempt_id, "q1", {"choices": [choice]})
        assert response.status_code == 200, response.get_data(as_text=True)
    state = client.get(f"/api/v1/attempts/{attempt_id}").get_json()
    assert state["answers"]["q1"]["choices"] == ["C"]


@pytest.mark.usefixtures("clock")
def test_submitting_reads_the_attempts_row_once_under_its_lock(client, token_of):
    """Grading reads the attempt (its paper is ~16 KB of JSON) once after taking the lock, and that read is the
    newest row: the lock comes first, the grade's UPDATE last."""
    headers = token_of()
    attempt_id = start(client, headers)
    assert put(client, headers, attempt_id, "q1", {"choices": ["A"]}).status_code == 200
    with statements() as seen:
        response = client.post(f"/api/v1/attempts/{attempt_id}/submit", data="{}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    # the lock: PostgreSQL's row lock, SQLite's write lock (BEGIN IMMEDIATE, then the same state check)
    lock = next(i for i, s in enumerate(seen) if s == "BEGIN IMMEDIATE" or "FOR UPDATE" in s)
    graded = next(i for i, s in enumerate(seen) if s.startswith("UPDATE attempts"))
    under_lock = [s for s in seen[lock + 1:graded] if s.startswith("SELECT") and "attempts.paper" in s]
    assert len(under_lock) == 1, under_lock
