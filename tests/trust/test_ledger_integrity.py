"""Ledger integrity: what payroll receives can only grow, and only by the rules.

Already proved in tests/assessment (not repeated here): UPDATE/DELETE/TRUNCATE refused by the database's triggers,
an entry reversible once even past the application, five parallel closes in threads, and the stateful property
that incremental closes equal a recompute. This module adds, on SQLite and PostgreSQL:

- the upsert path (``INSERT … ON CONFLICT DO UPDATE``) is an UPDATE too, and is refused;
- ``flask close-month`` ten times in sequence, and five separate *processes* at once → no extra rows;
- five reviewers reversing the same entry at the same moment → one reversal;
- a stateful property test of the ledger rules (reversals, repeated deductions, re-closes): rows are never changed
  or removed, every entry is reversed at most once and never a reversal, each person's net equals a model's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from lms.assessment import services
from lms.assessment.models import ClosedPeriod, LedgerEntry, Outcome, Ranking
from lms.core import events
from lms.core.errors import Conflict
from lms.extensions import db
from tests.support.quizzes import after_close

PERIOD = "2026-10"  # long closed by the machine's clock: the command closes it with the real now
REPO = Path(__file__).resolve().parents[2]


def table_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (ClosedPeriod, Outcome, LedgerEntry, Ranking))


def ledger_rows() -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(text(
        "SELECT id, user_id, period, kind, amount_yuan, points, reason, idempotency_key, reverses_id "
        "FROM assessment_ledger ORDER BY id"))]


@pytest.fixture
def month_of_results(managers, monthly_quiz, take):
    """Eight managers, three of them below the line: criticism, yellow cards and rewards on close."""
    people = managers(8)
    take(monthly_quiz(PERIOD), dict(zip(people, [40, 60, 75, 80, 85, 90, 95, 99],
                                                              strict=True)))
    return people


def test_an_upsert_is_an_update_and_is_refused(month_of_results):
    services.close_month(PERIOD, now=after_close(PERIOD))
    key, reason = db.session.execute(text("SELECT idempotency_key, reason FROM assessment_ledger ORDER BY id")).first()
    before = ledger_rows()
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.execute(text(
            "INSERT INTO assessment_ledger (user_id, period, kind, amount_yuan, reason, rule, rule_version, "
            "idempotency_key, created_at) SELECT user_id, period, kind, 0, 'rewritten', rule, rule_version, "
            "idempotency_key, created_at FROM assessment_ledger WHERE idempotency_key = :key "
            "ON CONFLICT (idempotency_key) DO UPDATE SET amount_yuan = 0, reason = 'rewritten'"), {"key": key})
    db.session.rollback()
    assert ledger_rows() == before
    assert reason != "rewritten"


def test_close_month_ten_times_in_sequence_writes_once(month_of_results, runner):
    outputs = []
    for _ in range(10):
        result = runner.invoke(args=["close-month", PERIOD])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        if len(outputs) == 1:
            first = (table_counts(), ledger_rows())
    assert first[0][2] > 0, "the close wrote no entries: nothing would be proved"
    assert (table_counts(), ledger_rows()) == first
    assert all("已结账" in output for output in outputs[1:])


def close_in_processes(app, count: int) -> list[subprocess.CompletedProcess[str]]:
    """``count`` separate ``flask close-month`` processes, started together against this test's database."""
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "LMS_QUIZZES_DIR": app.config["LMS_QUIZZES_DIR"], "LMS_CONTENT_DIR": app.config["LMS_CONTENT_DIR"]}
    flask = str(Path(sys.executable).with_name("flask"))
    processes = [subprocess.Popen([flask, "--app", "lms", "close-month", PERIOD], cwd=REPO, env=env,  # noqa: S603
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(count)]
    finished = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


def test_five_closes_in_separate_processes_write_once(app, month_of_results):
    results = close_in_processes(app, 5)
    assert all(r.returncode == 0 for r in results), [r.stderr[-500:] for r in results]
    closed = [r for r in results if "已结账" not in r.stdout]
    assert len(closed) == 1, [r.stdout for r in results]
    db.session.rollback()
    counts = table_counts()
    assert counts[0] == 1
    assert counts[1] == 8
    assert db.session.scalar(select(ClosedPeriod.entry_count)) == counts[2] > 0
    assert services.written_close_entries() == services.recompute_close_entries()


def test_five_reviewers_reversing_one_entry_at_once_write_one_reversal(app, month_of_results, make_user):
    services.close_month(PERIOD, now=after_close(PERIOD))
    entry_id = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.kind == "criticism"))
    reviewers = [make_user("supervisor", county=None, grid=None) for _ in range(5)]
    barrier = threading.Barrier(len(reviewers))
    outcomes: list[Any] = []

    def reverse(reviewer_id: int) -> None:
        with app.app_context():
            from lms.accounts.models import User

            reviewer = db.session.get(User, reviewer_id)
            barrier.wait()
            try:
                outcomes.append(services.reverse_entry(entry_id, actor=reviewer, reason="申诉成立",
                                                       now=after_close(PERIOD)).id)
            except Conflict as exc:
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reverse, args=(r.id,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    written = [o for o in outcomes if isinstance(o, int)]
    assert len(outcomes) == 5
    assert len(written) == 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(LedgerEntry.reverses_id == entry_id)) == 1


# --- a stateful property test of the ledger rules --------------------------------------------------------------------


def test_the_ledger_only_grows_and_by_the_rules(app, managers, monthly_quiz, take, make_user):
    """Random sequences of reversals (of anything, twice, of reversals), deductions (some sent twice with the same
    form key) and repeated closes, checked against a plain model after every step. Each example works on people
    of its own, so examples do not see each other's rows (the database is shared by all examples)."""
    supervisor = make_user("supervisor", county=None, grid=None)
    take(monthly_quiz(PERIOD), {p: 50 + 10 * i for i, p in enumerate(managers(4))})
    services.close_month(PERIOD, now=after_close(PERIOD))
    now = after_close("2026-12")
    seed = [("cash_penalty", 200, None), ("criticism", None, None), ("yellow_card", None, None),
            ("deduction", None, -2.0)]

    class Ledger(RuleBasedStateMachine):
        entries = Bundle("entries")

        @initialize(target=entries)
        def people_with_entries(self):
            self.people = managers(3, county="临江县", grid="临江镇营业部")
            for index, (kind, amount, points) in enumerate(seed * 2):
                db.session.add(LedgerEntry(
                    user_id=self.people[index % 3].id, period=PERIOD, kind=kind, amount_yuan=amount, points=points,
                    reason="起始记录", rule="seed", rule_version=1,
                    idempotency_key=f"seed:{self.people[0].id}:{index}"))
            db.session.commit()
            self.snapshot = ledger_rows()
            mine = {p.id for p in self.people}
            self.model = {row[0]: row for row in self.snapshot if row[1] in mine}
            self.reversed: set[int] = set()
            self.keys_used: dict[str, int] = {}
            return multiple(*sorted(self.model))

        @rule(target=entries, entry=entries)
        def reverse(self, entry):
            kind = self.model[entry][3]
            try:
                reversal = services.reverse_entry(entry, actor=supervisor, reason="申诉成立", now=now)
            except Conflict:
                db.session.rollback()
                assert entry in self.reversed or kind == "reversal"
                return entry
            assert entry not in self.reversed
            assert kind != "reversal"
            self.reversed.add(entry)
            self.model[reversal.id] = next(r for r in ledger_rows() if r[0] == reversal.id)
            return reversal.id

        @rule(target=entries, who=st.integers(0, 2), key=st.sampled_from(["a", "b", None]))
        def deduct(self, who, key):
            form_key = f"{self.people[who].id}-{key}" if key else None
            entry = services.record_system_ops_deduction(
                employee_no=self.people[who].employee_no, system="b2b", what_happened="不会换货",
                reported_by="门店", actor=supervisor, now=now, period="2026-12", request_key=form_key)
            if form_key in self.keys_used:
                assert entry.id == self.keys_used[form_key], "the same form sent twice wrote twice"
            elif form_key:
                self.keys_used[form_key] = entry.id
            self.model.setdefault(entry.id, next(r for r in ledger_rows() if r[0] == entry.id))
            return entry.id

        @rule()
        def close_again(self):
            assert services.close_month(PERIOD, now=now).already_closed

        @invariant()
        def rows_are_never_changed_or_removed(self):
            rows = ledger_rows()
            assert rows[: len(self.snapshot)] == self.snapshot
            mine = {p.id for p in self.people}
            assert {row[0] for row in rows if row[1] in mine} == set(self.model)
            self.snapshot = rows

        @invariant()
        def reversed_at_most_once_and_never_a_reversal(self):
            targets = [row[8] for row in ledger_rows() if row[8] in self.model]
            assert len(targets) == len(set(targets))
            assert set(targets) == self.reversed
            assert all(self.model[t][3] != "reversal" for t in targets)

        @invariant()
        def each_persons_net_is_what_the_model_says(self):
            net: dict[int, float] = dict.fromkeys((p.id for p in self.people), 0.0)
            for row in self.model.values():
                if row[3] != "reversal" and row[0] not in self.reversed:
                    net[row[1]] += (row[4] or 0) + (row[5] or 0)
            written = dict(db.session.execute(
                select(LedgerEntry.user_id, func.sum(func.coalesce(LedgerEntry.amount_yuan, 0)
                                                     + func.coalesce(LedgerEntry.points, 0)))
                .where(LedgerEntry.user_id.in_(list(net))).group_by(LedgerEntry.user_id)).all())
            assert {u: round(written.get(u) or 0, 6) for u in net} == {u: round(v, 6) for u, v in net.items()}

    with events.ledger_entry_written.muted():
        run_state_machine_as_test(Ledger, settings=settings(
            max_examples=int(os.environ.get("LMS_HYPOTHESIS_LEDGER_EXAMPLES", "10")), stateful_step_count=15,
            deadline=None, suppress_health_check=list(HealthCheck)))
