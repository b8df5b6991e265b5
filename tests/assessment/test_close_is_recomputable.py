"""A stateful property: month after month of random outcomes for 50 managers, closed one by one (sometimes twice,
sometimes by several closes at once), with random regrades of closed months in between, the ledger always equals
the one recomputed from scratch from the stored outcomes — the outcomes follow the regraded attempts, the
rankings are the recomputed ones, and repeated or parallel closes never add a row."""

from __future__ import annotations

import itertools
import os
import threading
from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select

from lms.assessment import reconciliation, services
from lms.assessment.models import ClosedPeriod, LedgerEntry, Outcome, Ranking
from lms.attempts.models import Accommodation, Attempt
from lms.core import events
from lms.extensions import db
from tests.support.quizzes import after_close

MANAGERS = 50
MONTHS = 24
# P pass, F fail, A absent, E exempt, V void; a month may have no test at all (None)
OUTCOMES = st.lists(st.sampled_from("PPPFFAEV"), min_size=MANAGERS, max_size=MANAGERS).map("".join)
MONTH = st.one_of(st.none(), OUTCOMES, OUTCOMES, OUTCOMES, OUTCOMES)
SCORES = {"P": [80.0, 85.5, 92.0, 100.0], "F": [0.0, 55.0, 79.9], "E": [None, 90.0], "V": [None, 95.0], "A": [None]}
REGRADED = st.sampled_from([0.0, 60.0, 79.9, 80.0, 88.0, 100.0])
_examples = itertools.count()


def table_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (ClosedPeriod, Outcome, LedgerEntry, Ranking))


def test_incremental_closes_equal_a_recompute_from_scratch(app, make_user, monthly_quiz, take):
    class Months(RuleBasedStateMachine):
        """The plan (24 months of outcomes) is drawn up front; rules interleave closes (single, repeated,
        parallel) and deductions; teardown closes whatever months are left and checks once more."""

        @initialize(plan=st.lists(MONTH, min_size=MONTHS, max_size=MONTHS))
        def people(self, plan: list[str | None]) -> None:
            number = next(_examples)
            self.year = 2040 + 3 * number  # each example gets months of its own
            self.plan = plan
            self.people = [make_user("manager", county=f"县{number}", grid=f"网格{number % 3}")
                           for _ in range(MANAGERS)]
            for person in self.people:
                person.joined_at = after_close("2030-01")
            db.session.commit()
            self.month = 0
            self.closed: list[str] = []
            self.quizzes: dict[str, object] = {}
            self.trainer = make_user("trainer")

        def next_period(self) -> str:
            return f"{self.year + self.month // 12}-{self.month % 12 + 1:02d}"

        @precondition(lambda self: self.month < MONTHS)
        @rule(closes=st.sampled_from([1, 1, 2, 4]))
        def next_month(self, closes: int) -> None:
            period, outcomes = self.next_period(), self.plan[self.month]
            self.month += 1
            if outcomes is None:  # no test this month: it neither breaks nor extends a run
                return
            quiz = monthly_quiz(period)
            self.quizzes[period] = quiz
            scores = {p: SCORES[o][(i + self.month) % len(SCORES[o])]
                      for i, (p, o) in enumerate(zip(self.people, outcomes, strict=True))}
            take(quiz, {p: s for p, s in scores.items() if s is not None})
            for person, outcome in zip(self.people, outcomes, strict=True):
                if outcome in "EV":
                    db.session.add(Accommodation(user_id=person.id, quiz_id=quiz.id, reason="property",
                                                 kind="exempt" if outcome == "E" else "void",
                                                 created_by_id=self.trainer.id))
            db.session.commit()
            self.close(period, closes)

        @precondition(lambda self: self.month < MONTHS)
        @rule(who=st.integers(0, MANAGERS - 1))
        def a_system_operation_deduction(self, who: int) -> None:
            services.record_system_ops_deduction(
                employee_no=self.people[who].employee_no, system="b2b", what_happened="不会换货", reported_by="门店",
                actor=self.trainer, now=after_close("2030-01"), period=self.next_period())

        @precondition(lambda self: bool(self.closed))
        @rule(data=st.data())
        def a_regrade_of_a_closed_month(self, data: st.DataObject) -> None:
            """A key correction: new scores for some people's attempts of a closed month (what the regrade service
            stores); the next close, or closing a closed month again, carries it into outcomes and the ledger."""
            period = data.draw(st.sampled_from(self.closed))
            who = data.draw(st.lists(st.integers(0, MANAGERS - 1), min_size=1, max_size=6, unique=True))
            attempts = {a.user_id: a for a in db.session.scalars(select(Attempt).where(
                Attempt.quiz_id == self.quizzes[period].id))}
            changes = []
            for index in who:
                attempt = attempts.get(self.people[index].id)
                new = data.draw(REGRADED)
                if attempt is None or attempt.score == new:
                    continue
                changes.append(SimpleNamespace(attempt_id=attempt.id, user_id=attempt.user_id,
                                               old_score=attempt.score, new_score=new, old_passed=attempt.passed,
                                               new_passed=new >= 80))
                attempt.score, attempt.passed = new, new >= 80
            reconciliation.record_regrade(quiz_id=self.quizzes[period].id, question_id="q1", correction={},
                                          changes=changes, actor=self.trainer, now=after_close(period))
            db.session.commit()

        @precondition(lambda self: bool(self.closed))
        @rule()
        def close_the_last_period_again(self) -> None:
            # The first one carries pending regrades (if any); after that, closing again changes nothing.
            assert services.close_month(self.closed[-1], now=after_close(self.closed[-1])).already_closed
            self.check_ledger()
            before = table_counts()
            assert services.close_month(self.closed[-1], now=after_close(self.closed[-1])).already_closed
            assert table_counts() == before

        def teardown(self) -> None:
            while getattr(self, "month", MONTHS) < MONTHS:
                self.next_month(1)
            if hasattr(self, "plan"):
                assert len(self.closed) == sum(month is not None for month in self.plan)

        def close(self, period: str, closes: int) -> None:
            if closes == 1:
                assert not services.close_month(period, now=after_close(period)).already_closed
            else:
                outcomes: list[object] = []
                barrier = threading.Barrier(closes)

                def run() -> None:
                    with app.app_context():
                        barrier.wait()
                        try:
                            outcomes.append(services.close_month(period, now=after_close(period)).already_closed)
                        except Exception as exc:  # asserted below
                            outcomes.append(exc)
                        finally:
                            db.session.remove()

                threads = [threading.Thread(target=run) for _ in range(closes)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert sorted(map(repr, outcomes)) == sorted(["False"] + ["True"] * (closes - 1)), outcomes
                db.session.rollback()
            self.closed.append(period)
            self.check_ledger()

        def check_ledger(self) -> None:
            written = services.written_close_entries()
            assert written == services.recompute_close_entries()
            close_kinds = LedgerEntry.kind.in_(
                ("criticism", "cash_penalty", "yellow_card", "reward", "improvement_plan", "post_adjustment"))
            by_regrade = select(LedgerEntry.reverses_id).where(LedgerEntry.rule == "regrade")
            rows = db.session.scalar(select(func.count()).where(close_kinds))
            assert db.session.scalar(select(func.count()).where(close_kinds, LedgerEntry.id.not_in(by_regrade))) \
                == len(written)  # one standing row per consequence
            reissued = db.session.scalar(select(func.count()).where(
                close_kinds, LedgerEntry.reason.like("%（更正答案后重新评定）")))
            assert rows == db.session.scalar(select(func.sum(ClosedPeriod.entry_count))) + reissued
            # every outcome follows its (possibly regraded) attempt, and every ranking is the recomputed one
            assert db.session.scalar(select(func.count()).select_from(Outcome).join(
                Attempt, Attempt.id == Outcome.attempt_id).where(Outcome.score != Attempt.score)) == 0
            plans, _groups = reconciliation.corrected_history(services.current_policy())
            assert {(plan.period, r.user_id, r.position, r.band) for plan in plans for r in plan.ranking} == set(
                db.session.execute(select(Ranking.period, Ranking.user_id, Ranking.position, Ranking.band)))
            mine = [p.id for p in self.people]
            assert db.session.scalar(select(func.count()).where(Outcome.user_id.in_(mine))) == \
                MANAGERS * len(self.closed)

    examples = int(os.environ.get("LMS_HYPOTHESIS_CLOSE_EXAMPLES", "3"))
    # What other domains do with each new entry (announcements send a message per entry) is theirs to test;
    # muted here so thousands of closes measure the ledger, not outbound messages.
    with events.ledger_entry_written.muted(), events.ledger_entries_written.muted():
        run_state_machine_as_test(Months, settings=settings(
            max_examples=examples, stateful_step_count=MONTHS + 8, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]))
