"""Weak network: a proxy that adds latency and drops requests and responses sits in front of a real server.

A scripted 30-minute test (30 questions, answers changed several times, a reload half-way, the submit), compressed
in time, is taken by a few people at once through the proxy. Every answer the server acknowledged must be the one
stored at the end, each attempt graded once; replaying one save ten times leaves one answer.
"""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from lms.attempts.models import AttemptAnswer
from lms.extensions import db
from tests.support.servers import WeakNetworkProxy
from tests.trust.conftest import LETTERS, PageClient, QuizSession, grading_counts, stored_answers

QUESTIONS = 30
PEOPLE = 4
DROP = 0.15  # of requests cut before the server, and again of responses cut after it acted


def thirty_minutes(person: int) -> list[tuple[int, str, list[str]]]:
    """The person's timeline: (minute, question, choices). One new question a minute, a second thought on an
    earlier one most minutes, a last review changing a few answers at minute 29."""
    rng = random.Random(person)  # a reproducible script
    actions = []
    for minute in range(QUESTIONS):
        actions.append((minute, f"q{minute + 1}", [rng.choice(LETTERS)]))
        for _ in range(rng.choice((0, 1, 2, 2))):
            actions.append((minute, f"q{rng.randint(1, minute + 1)}", [rng.choice(LETTERS)]))
    actions += [(29, f"q{rng.randint(1, QUESTIONS)}", [rng.choice(LETTERS)]) for _ in range(8)]
    return actions


@pytest.mark.slow
def test_a_thirty_minute_test_on_a_bad_network_loses_nothing(make_practice, make_managers, serve, record_figures):
    make_practice("weak", questions=QUESTIONS, time_limit_seconds=1800)
    people = make_managers(PEOPLE)
    server = serve(workers=2)
    with WeakNetworkProxy(server.port, latency=0.02, jitter=0.02, drop_request=DROP, drop_response=DROP,
                          seed=11) as proxy:
        sessions = [QuizSession(PageClient(proxy.base_url, token), "weak") for _user, token in people]
        failures: list[BaseException] = []
        reloads_matched: list[bool] = []

        def take(person: int) -> None:
            session, reloaded = sessions[person], False
            try:
                session.start()
                for minute, qid, choices in thirty_minutes(person):
                    if minute == 15 and not reloaded:
                        reloaded = True
                        state = session.reload()  # the phone reloads the page half-way through
                        reloads_matched.append({q: a["choices"] for q, a in state["answers"].items()}
                                               == session.acknowledged)
                        session.resume(state)
                    assert session.change(qid, choices).status == 200
                assert session.submit().status == 200
            except BaseException as exc:  # reported below, not lost in the thread
                failures.append(exc)

        threads = [threading.Thread(target=take, args=(person,)) for person in range(PEOPLE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not failures, failures

    attempt_ids = [s.attempt_id for s in sessions]
    stored = stored_answers(attempt_ids)
    graded = grading_counts(attempt_ids)
    lost = sum(stored.get((s.attempt_id, qid)) != choices for s in sessions for qid, choices in s.acknowledged.items())
    rows = db.session.scalar(select(func.count(AttemptAnswer.id)).where(AttemptAnswer.attempt_id.in_(attempt_ids)))
    figures = record_figures("weak_network", {
        "attempts": PEOPLE, "saves": sum(s.saves for s in sessions),
        "retries": sum(s.client.retries for s in sessions),
        "dropped_requests": proxy.stats.dropped_requests, "dropped_responses": proxy.stats.dropped_responses,
        "server_errors": sum(len(s.client.server_errors) for s in sessions),
        "lost": lost, "duplicates": (rows - PEOPLE * QUESTIONS) + sum(c - 1 for c in graded.values())})
    assert figures["dropped_responses"] > 20, "the hard case (acted on, answer lost) must really happen"
    assert figures["dropped_requests"] > 20
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert figures["server_errors"] == 0
    assert graded == dict.fromkeys(attempt_ids, 1)
    assert reloads_matched == [True] * PEOPLE, "after a reload the page shows exactly what was acknowledged"
    for session in sessions:
        right = sum(session.acknowledged[f"q{i}"] == [LETTERS[i % 4]] for i in range(1, QUESTIONS + 1))
        assert session.result["score"] == round(right / QUESTIONS * 100, 1), "graded on the acknowledged answers"


@pytest.mark.slow
def test_replaying_one_save_ten_times_leaves_one_answer(make_practice, make_managers, serve):
    make_practice("weak", questions=3, time_limit_seconds=1800)
    [(_user, token)] = make_managers(1)
    server = serve(workers=2)
    with WeakNetworkProxy(server.port, latency=0.01, jitter=0.01, drop_request=DROP, drop_response=DROP,
                          seed=5) as proxy:
        page = PageClient(proxy.base_url, token)
        attempt_id = page.acknowledged("POST", "/quizzes/weak/attempts").body["id"]
        replies = [page.acknowledged("PUT", f"/attempts/{attempt_id}/answers/q1", {"choices": ["B"], "seq": 7})
                   for _ in range(10)]
        late = page.acknowledged("PUT", f"/attempts/{attempt_id}/answers/q1", {"choices": ["C"], "seq": 6})
        submits = [page.acknowledged("POST", f"/attempts/{attempt_id}/submit", {}) for _ in range(10)]
    assert [r.status for r in replies] == [200] * 10
    assert late.status == 200, "an older change arriving late is accepted and ignored, not an error"
    rows = list(db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)))
    assert [(r.question_id, r.choices, r.client_seq) for r in rows] == [("q1", ["B"], 7)]
    assert all(s.status == 200 and s.body == submits[0].body for s in submits)
    assert grading_counts([attempt_id]) == {attempt_id: 1}
    assert proxy.stats.dropped_requests + proxy.stats.dropped_responses > 0
