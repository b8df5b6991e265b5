"""Carrying a regrade into closed periods (issue 7): a key correction changes attempt scores after their period
closed; the next monthly close corrects those outcomes and writes the difference into the ledger.

- ``record_regrade`` is called inside the regrade's own transaction (``lms.attempts.regrade.apply_regrade``): one
  ``Regrade`` row and one ``RegradedAttempt`` per changed score, so "was this attempt regraded?" is a lookup.
- ``reconcile_regrades`` runs inside ``close_month`` (and its dry run), under the close's lock and in its
  transaction: for each pending regrade whose period is closed it recomputes the outcome of every person whose
  attempt changed through the close's own decision (``outcomes``: best official attempt, accommodations, the
  version's pass line), corrects the outcome row in place with an ``OutcomeRevision`` as the audit trail, re-ranks
  the groups of the corrected periods, runs the pure rules over the whole corrected history (``rules.plan_history``)
  and writes the difference (``rules.reconcile_ledger``): a ``reversal`` for every entry no longer due, a new entry
  for every entry now due. It never commits: the close does, so the correction is all-or-nothing with it.

Only what the corrected outcomes can have changed is compared (``rules.ReconcileScope``): the corrected people's
R2 runs from the corrected period on, the re-ranked groups' yellow cards and rewards, and R8 for people whose
yellow cards changed. Everything else in the ledger is left exactly as the closes wrote it, even if a setting
changed since. Each closed period is planned with the policy it was closed with (``ClosedPeriod.policy``, through
``lms.assessment.policy_versions.period_policies``), so a regrade never re-plans the past with today's settings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.assessment import outcomes, rules
from lms.assessment.models import (
    ClosedPeriod,
    LedgerEntry,
    Outcome,
    OutcomeRevision,
    Ranking,
    Regrade,
    RegradedAttempt,
)
from lms.assessment.queries import appealed_cards, period_deductions, period_indicators
from lms.core import events
from lms.extensions import db
from lms.quizzes.models import DRAFT, MONTHLY, Quiz

log = logging.getLogger(__name__)


# --- recording a regrade ------------------------------------------------------------------------------------------


class ChangedScore(Protocol):
    """What a regrade changed on one attempt (``lms.attempts.key_corrections.ScoreChange`` has this shape)."""

    attempt_id: int
    user_id: int
    old_score: float | None
    new_score: float | None
    old_passed: bool | None
    new_passed: bool | None


def record_regrade(*, quiz_id: int, question_id: str, correction: Mapping[str, Any],
                   changes: Iterable[ChangedScore], actor: User | None, now: datetime) -> Regrade | None:
    """Remember a regrade and the attempts it changed, in the caller's transaction (the caller commits with the new
    scores, so a regrade is never stored without its record). Nothing changed → nothing to remember."""
    changed = list(changes)
    if not changed:
        return None
    regrade = Regrade(quiz_id=quiz_id, question_id=question_id, correction=dict(correction), regraded_at=now,
                      regraded_by_id=actor.id if actor else None)
    regrade.attempts = [RegradedAttempt(attempt_id=c.attempt_id, user_id=c.user_id, old_score=c.old_score,
                                        new_score=c.new_score, old_passed=c.old_passed, new_passed=c.new_passed)
                        for c in changed]
    db.session.add(regrade)
    return regrade


def has_pending_regrades() -> bool:
    return db.session.scalar(select(Regrade.id).where(Regrade.reconciled_at.is_(None)).limit(1)) is not None


# --- what a reconciliation did ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCorrection:
    period: str
    user_id: int
    employee_no: str
    old_status: str
    new_status: str
    old_score: float | None
    new_score: float | None
    regrade_id: int


@dataclass
class Reconciliation:
    """What carrying the pending regrades into the closed periods wrote (or, in a dry run, would write)."""

    regrade_ids: list[int] = field(default_factory=list)
    outcomes: list[OutcomeCorrection] = field(default_factory=list)
    reranked_periods: list[str] = field(default_factory=list)
    reversals: list[rules.IssuedEntry] = field(default_factory=list)
    issued: list[tuple[rules.PlannedEntry, str]] = field(default_factory=list)
    employee_numbers: dict[int, str] = field(default_factory=dict)
    written: list[LedgerEntry] = field(default_factory=list, repr=False)

    @property
    def changes_anything(self) -> bool:
        return bool(self.regrade_ids)

    def summary_lines(self) -> list[str]:
        if not self.regrade_ids:
            return []
        lines = [f"  更正答案后重新评定（重新评分 {'、'.join(f'#{i}' for i in self.regrade_ids)}）："
                 f"已结账考核结果更正 {len(self.outcomes)} 人，冲销 {len(self.reversals)} 条，"
                 f"补记 {len(self.issued)} 条"]
        lines += [f"    结果 {c.period} {c.employee_no}：{rules.OUTCOME_LABELS[c.old_status]}"
                  f"（{_score(c.old_score)}）→ {rules.OUTCOME_LABELS[c.new_status]}（{_score(c.new_score)}）"
                  for c in self.outcomes]
        lines += [f"    冲销 {e.period} {self.employee_numbers.get(e.user_id, e.user_id)} "
                  f"{rules.KIND_LABELS[e.kind]} #{e.id}" for e in self.reversals]
        lines += [f"    补记 {e.period} {self.employee_numbers.get(e.user_id, e.user_id)} "
                  f"{rules.KIND_LABELS[e.kind]}：{e.reason}" for e, _key in self.issued]
        return lines


def _score(score: float | None) -> str:
    return "—" if score is None else f"{score:g}"


# --- reconciling ---------------------------------------------------------------------------------------------------


def reconcile_regrades(*, now: datetime, actor: User | None, policy: rules.Policy | rules.PolicyFor) -> Reconciliation:
    """Carry every pending regrade whose period is closed into outcomes, rankings and the ledger. Flushes; never
    commits (the close owns the transaction). Idempotent: a carried regrade is marked, and the ledger difference
    of a corrected history is empty."""
    report = Reconciliation()
    settled = _settled_regrades()
    if not settled:
        return report
    report.regrade_ids = sorted(settled)
    corrections = _correct_outcomes(settled, now=now, actor=actor, policy=policy)
    report.outcomes = corrections
    if corrections:
        _reconcile_consequences(report, now=now, actor=actor, policy=policy)
    for regrade in db.session.scalars(select(Regrade).where(Regrade.id.in_(report.regrade_ids))):
        regrade.reconciled_at = now
    db.session.flush()
    if report.outcomes:
        log.info("regrades %s carried into closed periods: %d outcomes, %d reversals, %d new entries",
                 report.regrade_ids, len(report.outcomes), len(report.reversals), len(report.issued))
    return report


def announce(report: Reconciliation | None) -> None:
    """After the commit: the corrections' ledger entries, like any other (announcements tell the people)."""
    for entry in report.written if report else ():
        events.ledger_entry_written.send(entry)


def _settled_regrades() -> dict[int, str | None]:
    """Pending regrades that can be carried now: regrade id → the closed period of its monthly quiz (None for a
    quiz that counts for no period). A regrade of a period not closed yet waits: that close reads the new scores."""
    closed = select(ClosedPeriod.period)
    rows = db.session.execute(
        select(Regrade.id, Quiz.kind, Quiz.period, Quiz.period.in_(closed))
        .join(Quiz, Quiz.id == Regrade.quiz_id).where(Regrade.reconciled_at.is_(None)).order_by(Regrade.id))
    return {regrade_id: period if kind == MONTHLY else None
            for regrade_id, kind, period, is_closed in rows if kind != MONTHLY or not period or is_closed}


def _correct_outcomes(settled: Mapping[int, str | None], *, now: datetime, actor: User | None,
                      policy: rules.Policy | rules.PolicyFor) -> list[OutcomeCorrection]:
    """Recompute, as the close decided it, the outcome of every person a settled regrade touched in a closed period;
    correct the rows that differ (status, score or deciding attempt) and keep the old values as a revision."""
    touched: dict[str, dict[int, int]] = defaultdict(dict)  # period → user → the latest regrade that touched them
    for regrade_id, user_id in db.session.execute(
            select(RegradedAttempt.regrade_id, RegradedAttempt.user_id)
            .where(RegradedAttempt.regrade_id.in_([r for r, p in settled.items() if p]))
            .order_by(RegradedAttempt.regrade_id)):
        touched[settled[regrade_id] or ""][user_id] = regrade_id
    corrections: list[OutcomeCorrection] = []
    for period in sorted(touched):
        people = touched[period]
        quiz_ids = list(db.session.scalars(select(Quiz.id).where(Quiz.kind == MONTHLY, Quiz.period == period,
                                                                 Quiz.retired_at.is_(None), Quiz.status != DRAFT)))
        period_attempts = outcomes.load_period_attempts(quiz_ids, policy=rules.policy_lookup(policy)(period),
                                                        user_ids=list(people))
        rows = db.session.execute(select(Outcome, User.employee_no).join(User, User.id == Outcome.user_id).where(
            Outcome.period == period, Outcome.user_id.in_(list(people))).order_by(Outcome.user_id)).all()
        for outcome, employee_no in rows:
            decided = period_attempts.decide(outcome.user_id)
            attempt, status, score, attempt_id = decided.attempt, decided.status, decided.score, decided.attempt_id
            if (status, score, attempt_id) == (outcome.status, outcome.score, outcome.attempt_id):
                continue
            regrade_id = people[outcome.user_id]
            db.session.add(OutcomeRevision(
                outcome_id=outcome.id, period=period, user_id=outcome.user_id, regrade_id=regrade_id,
                old_status=outcome.status, new_status=status, old_score=outcome.score, new_score=score,
                old_attempt_id=outcome.attempt_id, new_attempt_id=attempt_id, revised_at=now,
                revised_by_id=actor.id if actor else None))
            corrections.append(OutcomeCorrection(period, outcome.user_id, employee_no, outcome.status, status,
                                                 outcome.score, score, regrade_id))
            outcome.status, outcome.score, outcome.attempt_id = status, score, attempt_id
            if attempt is not None:
                outcome.quiz_id, outcome.submitted_at = attempt.quiz_id, attempt.finished_at
    db.session.flush()
    return corrections


def corrected_history(policy: rules.Policy | rules.PolicyFor,
                      ) -> tuple[list[rules.PeriodPlan], dict[tuple[str, int], int | None]]:
    """Every closed period's plan from the stored (corrected) outcomes, and each outcome's ranking group."""
    periods = db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period)).all()
    by_period: dict[str, list[rules.OutcomeFact]] = defaultdict(list)
    groups: dict[tuple[str, int], int | None] = {}
    policy_of = rules.policy_lookup(policy)
    for period, user_id, employee_no, county_id, status, score, submitted_at in db.session.execute(
            select(Outcome.period, Outcome.user_id, User.employee_no, Outcome.county_id, Outcome.status,
                   Outcome.score, Outcome.submitted_at).join(User, User.id == Outcome.user_id)
            .order_by(Outcome.period, Outcome.user_id)):
        by_period[period].append(rules.OutcomeFact(user_id, employee_no, county_id, status, score, submitted_at))
        groups[(period, user_id)] = county_id if policy_of(period).ranking_scope == rules.RANK_BY_COUNTY else None
    facts = [rules.PeriodFacts(p, by_period[p], period_deductions(p), period_indicators(p)) for p in periods]
    return rules.plan_history(facts, policy_of, appealed_cards=appealed_cards()), groups


def _issued_entries(user_ids: Sequence[int]) -> tuple[list[rules.IssuedEntry], dict[int, LedgerEntry]]:
    reversal = aliased(LedgerEntry)
    issued, rows = [], {}
    for entry, reversed_by in db.session.execute(
            select(LedgerEntry, reversal.rule).outerjoin(reversal, reversal.reverses_id == LedgerEntry.id)
            .where(LedgerEntry.kind.in_(rules.CLOSE_KINDS), LedgerEntry.user_id.in_(list(user_ids)))
            .order_by(LedgerEntry.id)):
        issued.append(rules.IssuedEntry(entry.id, entry.period, entry.user_id, entry.kind, entry.idempotency_key,
                                        reversed_by))
        rows[entry.id] = entry
    return issued, rows


def _reconcile_consequences(report: Reconciliation, *, now: datetime, actor: User | None,
                            policy: rules.Policy | rules.PolicyFor) -> None:
    plans, groups = corrected_history(policy)
    due = [entry for plan in plans for entry in plan.entries]
    r2_from: dict[int, str] = {}
    for c in report.outcomes:
        r2_from[c.user_id] = min(r2_from.get(c.user_id, c.period), c.period)
    corrected_groups = {(c.period, groups.get((c.period, c.user_id))) for c in report.outcomes}
    reranked = {key for key, group in groups.items() if (key[0], group) in corrected_groups}
    report.reranked_periods = sorted({period for period, _group in corrected_groups})
    issued, rows = _issued_entries(sorted(set(r2_from) | {user for _period, user in reranked}))
    # Two passes: R8 depends on yellow cards, so its scope is the people whose cards the first pass changes.
    first = rules.reconcile_ledger(due, issued, in_scope=rules.ReconcileScope(r2_from, reranked).covers)
    r8_from: dict[int, str] = {}
    for entry in [*first.withdraw, *(planned for planned, _key in first.issue)]:
        if entry.kind == rules.YELLOW_CARD:
            r8_from[entry.user_id] = min(r8_from.get(entry.user_id, entry.period), entry.period)
    correction = rules.reconcile_ledger(due, issued,
                                        in_scope=rules.ReconcileScope(r2_from, reranked, r8_from).covers)
    report.reversals, report.issued = list(correction.withdraw), list(correction.issue)
    report.employee_numbers = dict(db.session.execute(select(User.id, User.employee_no).where(User.id.in_(
        {e.user_id for e in report.reversals} | {e.user_id for e, _key in report.issued}))).all())
    _rerank(plans, reranked, set(report.reranked_periods))
    evidence = {"regrade_ids": report.regrade_ids, "outcomes": [
        {"period": c.period, "employee_no": c.employee_no, "old_status": c.old_status, "new_status": c.new_status,
         "regrade_id": c.regrade_id} for c in report.outcomes]}
    written = []
    for withdrawn in report.reversals:
        original = rows[withdrawn.id]
        written.append(LedgerEntry(
            user_id=original.user_id, period=original.period, kind=rules.REVERSAL,
            amount_yuan=-original.amount_yuan if original.amount_yuan else None,
            points=-original.points if original.points else None, reason=rules.REGRADE_REASON,
            rule=rules.RULE_REGRADE.code, rule_version=rules.RULE_REGRADE.version,
            evidence={**evidence, "reverses_kind": original.kind, "reverses_key": original.idempotency_key},
            idempotency_key=f"reversal:{original.id}", reverses_id=original.id, created_at=now,
            created_by_id=actor.id if actor else None))
    for planned, key in report.issued:
        written.append(LedgerEntry(
            user_id=planned.user_id, period=planned.period, kind=planned.kind, amount_yuan=planned.amount_yuan,
            points=planned.points, reason=f"{planned.reason}（{rules.REGRADE_REASON}）", rule=planned.rule.code,
            rule_version=planned.rule.version, evidence=evidence, idempotency_key=key, created_at=now))
    db.session.add_all(written)
    report.written = written


def _rerank(plans: Sequence[rules.PeriodPlan], reranked: set[tuple[str, int]], periods: set[str]) -> None:
    """Rankings are results, not the ledger: the re-ranked groups' rows are corrected in place."""
    results = {(plan.period, r.user_id): r for plan in plans if plan.period in periods for r in plan.ranking}
    scores = {(p, u): s for p, u, s in db.session.execute(select(Outcome.period, Outcome.user_id, Outcome.score)
                                                         .where(Outcome.period.in_(periods)))}
    for row in db.session.scalars(select(Ranking).where(Ranking.period.in_(periods))):
        result = results.get((row.period, row.user_id))
        if result is None or (row.period, row.user_id) not in reranked:
            continue
        row.position, row.group_size, row.unified_score, row.band = (result.position, result.group_size,
                                                                     result.unified_score, result.band)
        row.test_score = scores.get((row.period, row.user_id))
