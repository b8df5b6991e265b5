"""A regrade after a key correction, carried into closed periods by the next close: corrected outcomes with their
audit trail, reversals of what is no longer due, new entries for what is now due, re-ranked months, idempotent
and all-or-nothing. (The regrade through the trainer's page is tested in tests/reports/test_regrade_flows_into_
the_ledger.py; here the regrade's effect on attempts is written directly so each rule edge is one small table.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lms.assessment import reconciliation, rules, services
from lms.assessment.models import (
    ClosedPeriod,
    LedgerEntry,
    Outcome,
    OutcomeRevision,
    Ranking,
    Regrade,
    RegradedAttempt,
)
from lms.attempts.models import Attempt
from lms.extensions import db
from tests.support.quizzes import after_close


def regrade(quiz, new_scores, *, actor=None):
    """What ``lms.attempts.regrade.apply_regrade`` stores: new attempt scores and the regrade's record."""
    changes = []
    for person, score in new_scores.items():
        attempt = db.session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == person.id))
        changes.append(SimpleNamespace(attempt_id=attempt.id, user_id=person.id, old_score=attempt.score,
                                       new_score=score, old_passed=attempt.passed, new_passed=score >= 80))
        attempt.score, attempt.passed = score, score >= 80
    record = reconciliation.record_regrade(quiz_id=quiz.id, question_id="q1", correction={"correct": [3]},
                                           changes=changes, actor=actor, now=after_close(quiz.period))
    db.session.commit()
    return record


def close(period, **kwargs):
    return services.close_month(period, now=after_close(period), **kwargs)


def standing(person):
    """(period, kind) of the person's entries that no reversal cancels."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    found = sorted(db.session.execute(select(LedgerEntry.period, LedgerEntry.kind).where(
        LedgerEntry.user_id == person.id, LedgerEntry.kind != "reversal",
        LedgerEntry.id.not_in(reversed_ids))).all())
    return [tuple(row) for row in found]


def table_counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Outcome, OutcomeRevision, LedgerEntry, Ranking, Regrade))


@pytest.fixture
def months(managers, monthly_quiz, take):
    """Six people in one county, three months; ``person`` fails the first two (criticism, 200 yuan)."""
    people = managers(6)
    person = people[0]
    quizzes = {}
    for index, period in enumerate(("2026-08", "2026-09", "2026-10")):
        quizzes[period] = monthly_quiz(period)
        scores = {p: 81.0 + 3 * i + index for i, p in enumerate(people[1:])}
        scores[person] = 70.0 if period != "2026-10" else 90.0
        take(quizzes[period], scores)
    return SimpleNamespace(people=people, person=person, quizzes=quizzes)


def test_a_fail_that_became_a_pass_loses_its_criticism_and_the_next_month_becomes_the_first_fail(months):
    close("2026-08")
    close("2026-09")
    person = months.person
    assert ("2026-08", "criticism") in standing(person)
    assert ("2026-09", "cash_penalty") in standing(person)
    marker = regrade(months.quizzes["2026-08"], {person: 85.0})

    report = close("2026-10")

    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == person.id,
                                                          Outcome.period == "2026-08")) == "PASS"
    revision = db.session.scalar(select(OutcomeRevision).where(OutcomeRevision.user_id == person.id))
    assert (revision.period, revision.old_status, revision.new_status, revision.old_score, revision.new_score,
            revision.regrade_id) == ("2026-08", "FAIL", "PASS", 70.0, 85.0, marker.id)
    kinds = [k for p, k in standing(person) if k in ("criticism", "cash_penalty")]
    assert ("2026-08", "criticism") not in standing(person)
    assert ("2026-09", "criticism") in standing(person)  # now the first fail of a run
    assert kinds == ["criticism"]
    reversals = list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reversal",
                                                                  LedgerEntry.user_id == person.id)))
    reversed_kinds = {db.session.get(LedgerEntry, r.reverses_id).kind: r for r in reversals}
    assert {"criticism", "cash_penalty"} <= set(reversed_kinds)
    penalty_reversal = reversed_kinds["cash_penalty"]
    assert penalty_reversal.reason == "更正答案后重新评定"
    assert (penalty_reversal.rule, penalty_reversal.amount_yuan) == ("regrade", -200)
    assert penalty_reversal.evidence["regrade_ids"] == [marker.id]
    assert db.session.get(Regrade, marker.id).reconciled_at is not None
    assert report.corrections.outcomes[0].new_status == "PASS"
    assert "更正答案后重新评定" in report.summary()
    assert services.written_close_entries() == services.recompute_close_entries()


def test_a_pass_that_became_a_fail_gets_the_criticism_and_the_penalty_it_now_earns(months):
    close("2026-08")
    close("2026-09")
    other = months.people[1]  # passed both months
    regrade(months.quizzes["2026-09"], {other: 60.0})
    close("2026-09")  # a closed period closed again carries the regrade at once
    assert ("2026-09", "criticism") in standing(other)
    new = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == other.id,
                                                      LedgerEntry.kind == "criticism"))
    assert new.idempotency_key == f"2026-09:user:{other.id}:criticism"
    assert new.reason.endswith("（更正答案后重新评定）")
    assert services.written_close_entries() == services.recompute_close_entries()


def test_closing_or_reconciling_twice_writes_nothing_new(months):
    close("2026-08")
    close("2026-09")
    regrade(months.quizzes["2026-08"], {months.person: 85.0})
    close("2026-09")
    after_first = table_counts()
    corrections = db.session.scalar(select(func.count()).where(LedgerEntry.rule == "regrade"))
    assert corrections == 2  # the criticism of 2026-08 and the penalty of 2026-09
    assert close("2026-09").summary() == "2026-09 已结账，本次未做任何更改。"
    assert table_counts() == after_first
    close("2026-10")
    after_october = table_counts()
    close("2026-10")
    close("2026-09")
    assert table_counts() == after_october
    assert db.session.scalar(select(func.count()).select_from(OutcomeRevision)) == 1
    assert db.session.scalar(select(func.count()).where(LedgerEntry.rule == "regrade")) == corrections


def test_a_re_issued_entry_gets_a_revision_suffix_and_the_old_key_stays(months):
    close("2026-08")
    person = months.person
    original = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == person.id,
                                                           LedgerEntry.kind == "criticism"))
    regrade(months.quizzes["2026-08"], {person: 85.0})
    close("2026-08")
    regrade(months.quizzes["2026-08"], {person: 65.0})  # a second correction puts the fail back
    close("2026-08")
    criticisms = list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.user_id == person.id, LedgerEntry.kind == "criticism").order_by(LedgerEntry.id)))
    assert [c.idempotency_key for c in criticisms] == [original.idempotency_key, f"{original.idempotency_key}:r2"]
    assert standing(person).count(("2026-08", "criticism")) == 1
    assert db.session.scalar(select(func.count()).select_from(OutcomeRevision)) == 2


def test_the_dry_run_shows_the_corrections_and_writes_nothing(months, runner):
    close("2026-08")
    close("2026-09")
    regrade(months.quizzes["2026-08"], {months.person: 85.0})
    before = table_counts()
    preview = close("2026-10", dry_run=True)
    assert [(c.period, c.old_status, c.new_status) for c in preview.corrections.outcomes] == \
        [("2026-08", "FAIL", "PASS")]
    assert {e.kind for e in preview.corrections.reversals} >= {"criticism", "cash_penalty"}
    # 2026-10's own plan already reads the corrected history
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == months.person.id,
                                                          Outcome.period == "2026-08")) == "FAIL"
    assert table_counts() == before
    result = runner.invoke(args=["close-month", "2026-09", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "更正答案后重新评定" in result.output
    assert "冲销 2026-08" in result.output
    assert table_counts() == before
    assert db.session.scalar(select(Regrade.reconciled_at)) is None


def test_everything_or_nothing_when_the_close_fails(months, monkeypatch):
    close("2026-08")
    close("2026-09")
    regrade(months.quizzes["2026-08"], {months.person: 85.0})
    before = table_counts()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_entry_values", broken)
    with pytest.raises(RuntimeError):
        close("2026-10")
    db.session.rollback()
    assert table_counts() == before
    assert db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == "2026-10")) is None
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == months.person.id,
                                                          Outcome.period == "2026-08")) == "FAIL"
    monkeypatch.undo()
    close("2026-10")
    assert ("2026-08", "criticism") not in standing(months.person)


def test_a_regrade_re_ranks_the_closed_month(months):
    close("2026-08")
    people = months.people
    top = db.session.scalar(select(Ranking).where(Ranking.period == "2026-08", Ranking.position == 1))
    assert top.user_id == people[5].id
    regrade(months.quizzes["2026-08"], {people[1]: 100.0})  # from 81: last of the passes to first
    close("2026-08")
    ranking = {r.user_id: r for r in db.session.scalars(select(Ranking).where(Ranking.period == "2026-08"))}
    assert (ranking[people[1].id].position, ranking[people[1].id].band, ranking[people[1].id].test_score) == \
        (1, "top", 100.0)
    assert ("2026-08", "reward") in standing(people[1])
    assert ("2026-08", "yellow_card") not in standing(people[1])
    assert ("2026-08", "reward") not in standing(people[3])  # pushed out of the top three
    assert services.written_close_entries() == services.recompute_close_entries()


def test_an_entry_reversed_on_appeal_is_not_issued_again(months, make_user):
    close("2026-08")
    person = months.person
    criticism = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == person.id,
                                                            LedgerEntry.kind == "criticism"))
    services.reverse_entry(criticism.id, actor=make_user("admin"), reason="系统故障，申诉成立",
                           now=after_close("2026-08"))
    regrade(months.quizzes["2026-08"], {person: 75.0})  # still a fail: the appeal's decision stands
    close("2026-08")
    assert db.session.scalar(select(func.count()).where(LedgerEntry.user_id == person.id,
                                                        LedgerEntry.kind == "criticism")) == 1
    assert db.session.scalar(select(Outcome.score).where(Outcome.user_id == person.id)) == 75.0


def test_a_regrade_of_a_period_not_closed_yet_waits_for_its_own_close(months):
    close("2026-08")
    regrade(months.quizzes["2026-09"], {months.person: 95.0})
    report = close("2026-09")
    assert report.corrections.outcomes == []
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == months.person.id,
                                                          Outcome.period == "2026-09")) == "PASS"
    assert db.session.scalar(select(Regrade.reconciled_at)) is None
    close("2026-10")  # now its period is closed: carried, and nothing to correct
    assert db.session.scalar(select(Regrade.reconciled_at)) is not None
    assert db.session.scalar(select(func.count()).select_from(OutcomeRevision)) == 0


def test_the_regrade_is_queryable_per_attempt(months):
    marker = regrade(months.quizzes["2026-08"], {months.person: 85.0})
    row = db.session.scalar(select(RegradedAttempt).join(Attempt, Attempt.id == RegradedAttempt.attempt_id).where(
        Attempt.user_id == months.person.id))
    assert (row.regrade_id, row.old_score, row.new_score, row.old_passed, row.new_passed) == \
        (marker.id, 70.0, 85.0, False, True)
    assert reconciliation.record_regrade(quiz_id=months.quizzes["2026-08"].id, question_id="q1", correction={},
                                         changes=[], actor=None, now=after_close("2026-08")) is None


def test_rule_labels_name_the_regrade():
    assert rules.RULE_REGRADE.code == "regrade"
    assert rules.REGRADE_REASON == "更正答案后重新评定"
