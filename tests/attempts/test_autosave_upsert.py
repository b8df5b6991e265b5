"""Autosave writes with one upsert statement; the page's sequence numbers decide which change stands.

Rule (unchanged from the row-by-row version): a change numbered ``seq`` > 0 is dropped if the stored answer has a
higher number; ``seq`` 0 (an unnumbered client) always writes; the stored number is the highest seen.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lms.attempts.models import AttemptAnswer, AttemptEvent
from lms.extensions import db
from tests.support.web import api_headers


@pytest.fixture
def attempt(make_quiz, make_user, auth, client):
    from tests.support.quiz_files import PRACTICE

    make_quiz("practice-basics", PRACTICE)
    auth.login(make_user("manager"))
    return client.post("/api/v1/quizzes/practice-basics/attempts", headers=api_headers(client)).get_json()


def expected_after(saves: list[tuple[str, int]]) -> tuple[str, int, list[int]]:
    """(choice, stored seq, the stored seq after each write) by the rule, computed plainly."""
    choice, stored, writes = None, 0, []
    for new_choice, seq in saves:
        if seq and choice is not None and stored > seq:
            continue
        choice, stored = new_choice, max(seq, stored)
        writes.append(stored)
    return choice, stored, writes


@pytest.mark.parametrize("saves", [
    [("A", 0)],
    [("A", 1), ("B", 2)],
    [("B", 7), ("A", 3)],
    [("B", 7), ("A", 7)],
    [("B", 7), ("A", 0)],
    [("A", 0), ("B", 0), ("C", 5), ("A", 4), ("B", 0), ("C", 6)],
    [("C", 3), ("B", 2), ("A", 1)],
])
def test_stored_answer_and_history_follow_the_sequence_rule(client, attempt, saves):
    responses = []
    for choice, seq in saves:
        response = client.put(f"/api/v1/attempts/{attempt['id']}/answers/q1",
                              data=json.dumps({"choices": [choice], "seq": seq}), headers=api_headers(client))
        assert response.status_code == 200, response.get_data(as_text=True)
        responses.append(response.get_json())
    choice, stored, writes = expected_after(saves)
    row = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt["id"]))
    assert (row.choices, row.client_seq) == ([choice], stored)
    assert responses[-1]["seq"] == stored  # the page learns which number stands, even when its change was dropped
    assert responses[-1]["saved_at"] is not None
    assert responses[-1]["remaining_seconds"] > 0
    # One event per stored change, each naming the question and the number the stored answer then carried (written
    # by the upsert's own statement: a CTE on PostgreSQL, triggers on SQLite).
    history = db.session.scalars(select(AttemptEvent.detail).where(
        AttemptEvent.attempt_id == attempt["id"], AttemptEvent.kind == "answer_saved").order_by(AttemptEvent.id))
    assert list(history) == [{"question": "q1", "seq": number} for number in writes]
    assert db.session.scalar(select(func.count(AttemptAnswer.id))) == 1
