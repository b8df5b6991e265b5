"""Crashes: the server is killed with SIGKILL (master and workers, like a power cut to the host) again and again
while people autosave and submit, and restarted each time. Afterwards every acknowledged answer is stored, no
attempt was graded twice, and after a sweep none is left in progress.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attempts import services
from lms.attempts.models import Attempt
from lms.extensions import db
from tests.trust.conftest import LETTERS, PageClient, QuizSession, grading_counts, stored_answers

PEOPLE = 4
QUESTIONS = 8
KILLS = 12


@pytest.mark.slow
def test_sigkill_during_autosave_and_submit_loses_nothing(app, make_practice, make_managers, serve, record_figures):
    make_practice("crash", questions=QUESTIONS, time_limit_seconds=1800)
    people = make_managers(PEOPLE)
    server = serve(workers=2)
    stop = threading.Event()
    progress = {"acknowledged": 0, "submits_in_flight": 0}
    lock = threading.Lock()
    audited: dict[int, QuizSession] = {}  # attempt id -> its latest session (a left attempt is resumed later)
    failures: list[BaseException] = []
    clients = [PageClient(server.base_url, token, retry_pause=0.05, give_up_after=60) for _user, token in people]

    def acknowledged() -> None:
        with lock:
            progress["acknowledged"] += 1

    def take_tests(person: int) -> None:
        rng = random.Random(person)  # a reproducible load, not a secret
        try:
            while not stop.is_set():
                session = QuizSession(clients[person], "crash")
                session.start()
                for _ in range(rng.randint(4, 12)):
                    assert session.change(f"q{rng.randint(1, QUESTIONS)}", [rng.choice(LETTERS)]).status == 200
                    acknowledged()
                if rng.random() < 0.75:
                    with lock:
                        progress["submits_in_flight"] += 1
                    try:
                        assert session.submit().status == 200
                    finally:
                        with lock:
                            progress["submits_in_flight"] -= 1
                    acknowledged()
                # else the phone is put away mid-test: the next start resumes this attempt from the server
                audited[session.attempt_id] = session
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
            stop.set()

    threads = [threading.Thread(target=take_tests, args=(person,)) for person in range(PEOPLE)]
    for thread in threads:
        thread.start()
    kills, kills_during_submit, restart_seconds = 0, 0, 0.0
    killer = random.Random(99)
    while kills < KILLS and not stop.is_set():
        # Let a random amount of work through since the last restart, then pull the plug mid-load.
        target = progress["acknowledged"] + killer.randint(2, 10)
        while progress["acknowledged"] < target and not stop.is_set():
            time.sleep(0.005)
        with lock:
            kills_during_submit += progress["submits_in_flight"] > 0
        server.kill()
        kills += 1
        began = time.monotonic()
        server.start()
        restart_seconds += time.monotonic() - began
    target = progress["acknowledged"] + 10  # the last restart serves real work too
    while progress["acknowledged"] < target and not stop.is_set():
        time.sleep(0.005)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    assert not failures, failures

    attempts = list(audited.values())
    attempt_ids = list(audited)
    stored = stored_answers(attempt_ids)
    lost = sum(stored.get((s.attempt_id, qid)) != choices for s in attempts for qid, choices in s.acknowledged.items())
    graded_before_sweep = grading_counts(attempt_ids)
    db.session.expire_all()
    rows = {a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids)))}
    submitted = [s for s in attempts if s.result is not None]
    changed_results = sum(
        (rows[s.attempt_id].score, rows[s.attempt_id].finished_at.isoformat().replace("+00:00", "Z"))
        != (s.result["score"], s.result["submitted_at"]) for s in submitted)

    # The lost phones' attempts: the server finishes them once their time is over.
    latest_deadline = max(a.deadline_at for a in rows.values())
    services.finish_expired_attempts(latest_deadline + timedelta(seconds=app.config["LMS_GRACE_SECONDS"] + 1))
    db.session.expire_all()
    stuck = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.id.in_(attempt_ids), (Attempt.status == "in_progress") | Attempt.in_progress_key.is_not(None)))
    graded = grading_counts(attempt_ids)
    figures = record_figures("crash", {
        "attempts": len(attempts), "submitted": len(submitted),
        "saves": sum(s.saves for s in attempts), "kills": kills, "kills_during_submit": kills_during_submit,
        "mean_restart_seconds": round(restart_seconds / max(kills, 1), 2),
        "retries": sum(c.retries for c in clients), "server_errors": sum(len(c.server_errors) for c in clients),
        "lost": lost, "duplicates": sum(c - 1 for c in graded.values() if c > 1), "stuck": stuck,
        "results_changed_after_acknowledgement": changed_results})
    assert figures["kills"] >= 10
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert figures["stuck"] == 0
    assert figures["server_errors"] == 0
    assert figures["results_changed_after_acknowledgement"] == 0
    assert all(graded_before_sweep.get(s.attempt_id) == 1 for s in submitted)
    assert graded == dict.fromkeys(attempt_ids, 1), "every attempt graded exactly once in the end"
    assert figures["submitted"] >= PEOPLE
