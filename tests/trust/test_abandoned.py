"""Abandoned attempts: 200 people start a test and walk away; the server finishes every one from its saved answers,
once, even with two sweepers (two cron hosts) running at the same moment.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attempts import services
from lms.attempts.models import Attempt, AttemptAnswer, AttemptEvent
from lms.core.clock import utcnow
from lms.extensions import db
from tests.trust.conftest import correct_letter

PEOPLE = 200
QUESTIONS = 5
LIMIT = 600


def answered(person: int) -> dict[str, str]:
    """Person i answered the first i % 6 questions, right on odd question numbers and wrong on even ones."""
    return {f"q{q}": correct_letter(q) if q % 2 else correct_letter(q + 1) for q in range(1, person % 6 + 1)}


def expected_score(person: int) -> float:
    right = sum(1 for number in range(1, person % 6 + 1) if number % 2)
    return round(right / QUESTIONS * 100, 1)


def test_two_hundred_abandoned_attempts_are_finished_from_their_saved_answers(
        app, make_practice, make_user, runner, record_figures):
    make_practice("abandoned", questions=QUESTIONS, time_limit_seconds=LIMIT)
    started_at = (utcnow() - timedelta(hours=2)).replace(microsecond=0)  # they started two hours ago and left
    attempt_ids, saves = [], 0
    for person in range(PEOPLE):
        user = make_user("manager")
        attempt, created = services.start_attempt(user, "abandoned", now=started_at)
        assert created
        attempt_ids.append(attempt.id)
        for seq, (qid, letter) in enumerate(answered(person).items(), start=1):
            services.save_answer(user.id, attempt.id, qid, {"choices": [letter], "seq": seq},
                                 now=started_at + timedelta(seconds=30 * seq))
            saves += 1

    grace = timedelta(seconds=app.config["LMS_GRACE_SECONDS"])
    edge = started_at + timedelta(seconds=LIMIT) + grace
    assert services.finish_expired_attempts(edge) == 0, "at deadline + grace exactly, still their time"

    # Two sweepers at once: the cron command here, the same use case in another thread (a second host).
    other: list[int] = []

    def second_host() -> None:
        with app.app_context():
            other.append(services.finish_expired_attempts(utcnow()))

    thread = threading.Thread(target=second_host)
    thread.start()
    result = runner.invoke(args=["attempts", "sweep"])
    thread.join(timeout=120)
    assert result.exit_code == 0, result.output
    by_command = int(re.search(r"(\d+) expired attempt", result.output).group(1))
    assert by_command + other[0] == PEOPLE
    assert runner.invoke(args=["attempts", "sweep"]).output.startswith("0 expired"), "nothing left for a rerun"

    db.session.expire_all()
    attempts = {a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids)))}
    graded = dict(db.session.execute(select(AttemptEvent.attempt_id, func.count()).where(
        AttemptEvent.kind.in_(("submitted", "expired"))).group_by(AttemptEvent.attempt_id)).all())
    stored = {(row.attempt_id, row.question_id): row.choices for row in db.session.scalars(select(AttemptAnswer))}
    lost = 0
    for person, attempt_id in enumerate(attempt_ids):
        attempt = attempts[attempt_id]
        assert (attempt.status, attempt.finish_reason) == ("expired", "deadline")
        assert attempt.finished_at > edge
        assert attempt.in_progress_key is None, "finished attempts free the person to start again"
        assert attempt.score == expected_score(person)
        lost += sum(stored.get((attempt_id, qid)) != [letter] for qid, letter in answered(person).items())
    duplicates = sum(count - 1 for count in graded.values() if count > 1)
    figures = record_figures("abandoned", {
        "attempts": PEOPLE, "saves": saves, "finished_by_server": by_command + other[0],
        "still_in_progress": sum(a.status == "in_progress" for a in attempts.values()),
        "lost": lost, "duplicates": duplicates})
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert figures["still_in_progress"] == 0
    assert len(graded) == PEOPLE


@pytest.mark.parametrize("seconds_past", [0, 1])
def test_the_sweep_leaves_an_attempt_alone_until_deadline_plus_grace_has_passed(
        app, make_practice, make_managers, seconds_past):
    make_practice("abandoned", questions=QUESTIONS, time_limit_seconds=LIMIT)
    [(user, _token)] = make_managers(1)
    started_at = utcnow().replace(microsecond=0)
    attempt, _created = services.start_attempt(user, "abandoned", now=started_at)
    edge = attempt.deadline_at + timedelta(seconds=app.config["LMS_GRACE_SECONDS"])
    finished = services.finish_expired_attempts(edge + timedelta(seconds=seconds_past))
    assert finished == seconds_past
