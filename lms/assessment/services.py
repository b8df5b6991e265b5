"""Assessment use cases that write the ledger: the monthly close (outcomes decided in ``outcomes``, regrades carried
by ``reconciliation``), reversals, system-operation deductions and post-adjustment decisions. Each owns its commit;
events go out after it. Notices and imported indicators have their own modules.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from lms.accounts import rules as account_rules
from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.assessment import indicator_sources, outcomes, policy_versions, reconciliation, rules
from lms.assessment.models import (
    CONFIRMED,
    REJECTED,
    ClosedPeriod,
    LedgerEntry,
    Outcome,
    PostAdjustmentDecision,
    Ranking,
)
from lms.assessment.queries import (
    MonthlyTest,
    appealed_cards,
    monthly_tests,
    outcome_history,
    period_deductions,
    period_indicator_rows,
    period_indicators,
    prior_yellow_cards,
)
from lms.attempts import services as attempts
from lms.attempts.models import IN_PROGRESS, Attempt
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.certificates import services as certificates
from lms.core import events
from lms.core.clock import period_of, utcnow
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes.models import DRAFT, MONTHLY, Quiz

log = logging.getLogger(__name__)

# One lock for every close: closes are rare, and serialising them keeps "is it closed yet?" honest.
CLOSE_LOCK_KEY = 0x4C4D5305


def current_policy() -> rules.Policy:
    """The policy governing the current period (the version in force; lms.assessment.policy_versions)."""
    return policy_versions.policy_for(period_of(utcnow()))


def check_period(period: str) -> str:
    if not rules.is_period(period):
        raise ValidationFailed(f"考核期“{period}”格式不正确，应为 YYYY-MM（例如 2026-11）")
    return period


def is_closed(period: str) -> bool:
    return db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)) is not None


# --- the monthly close --------------------------------------------------------------------------------------------


@dataclass
class CloseReport:
    """What a close wrote (or, in a dry run, would write)."""

    period: str
    dry_run: bool
    already_closed: bool = False
    tests: list[MonthlyTest] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    entries: list[rules.PlannedEntry] = field(default_factory=list)
    ranking: list[rules.RankResult] = field(default_factory=list)
    people: dict[int, User] = field(default_factory=dict)
    finished_attempts: int = 0
    unfinished_attempts: int = 0  # dry run: attempts past their deadline that the close would finish first
    certificates: int = 0
    # What the ranking adds up, per person: indicators by name (imported and computed) and points deducted.
    indicators: dict[int, dict[str, float]] = field(default_factory=dict)
    deductions: dict[int, float] = field(default_factory=dict)
    # Regrades carried into earlier closed periods by this close (lms.assessment.reconciliation), if any.
    corrections: Any = None

    @property
    def scores(self) -> dict[int, float | None]:
        return {o["user_id"]: o["score"] for o in self.outcomes}

    @property
    def outcome_counts(self) -> Counter[str]:
        return Counter(o["status"] for o in self.outcomes)

    @property
    def entry_counts(self) -> Counter[str]:
        return Counter(e.kind for e in self.entries)

    def summary(self) -> str:
        corrections = self.corrections.summary_lines() if self.corrections is not None else []
        if self.already_closed and corrections:
            return "\n".join([f"{self.period} 已结账{'（预演，未写入）' if self.dry_run else ''}；", *corrections])
        if self.already_closed:
            return f"{self.period} 已结账，本次未做任何更改。"
        verb = "将写入" if self.dry_run else "已写入"
        outcomes = "，".join(f"{rules.OUTCOME_LABELS[k]} {v}" for k, v in sorted(self.outcome_counts.items()))
        entries = "，".join(f"{rules.KIND_LABELS[k]} {v}" for k, v in sorted(self.entry_counts.items())) or "无"
        lines = [f"{self.period}{'（预演，未写入）' if self.dry_run else ''}：",
                 f"  考核结果 {len(self.outcomes)} 人：{outcomes or '无'}",
                 f"  台账记录{verb} {len(self.entries)} 条：{entries}",
                 f"  排名 {len(self.ranking)} 人"]
        if self.dry_run and self.unfinished_attempts:
            lines.append(f"  另有 {self.unfinished_attempts} 份已超时未交的答卷，结账时将先自动交卷评分")
        if not self.dry_run:
            lines.append(f"  自动交卷 {self.finished_attempts} 份，颁发证书 {self.certificates} 张")
        return "\n".join(lines + corrections)


def _lock_for_close() -> None:
    """Serialise closes: PostgreSQL's transaction-scoped advisory lock; SQLite's write lock, taken up front."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLOSE_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _check_closable(period: str, now: datetime, policy: rules.Policy) -> list[MonthlyTest]:
    tests = monthly_tests(period)
    if not tests:
        raise Conflict(f"{period} 没有月考，无需结账（没有月考的考核期不计入连续不及格）")
    still_open = [t for t in tests if rules.is_window_open(t.last_close, now=now, grace_seconds=policy.grace_seconds)]
    if still_open:
        names = "、".join(t.title for t in still_open)
        raise Conflict(f"{period} 的考试窗口尚未结束（{names}），窗口关闭后才能结账")
    closed = select(ClosedPeriod.period)
    earlier = db.session.scalars(
        select(Quiz.period).where(Quiz.kind == MONTHLY, Quiz.period < period, Quiz.retired_at.is_(None),
                                  Quiz.status != DRAFT,
                                  Quiz.period.not_in(closed)).distinct().order_by(Quiz.period)).all()
    if earlier:
        raise Conflict(f"请先结账更早的考核期：{'、'.join(p for p in earlier if p)}（连续不及格按顺序计算）")
    return tests


def _assigned_managers(tests: list[MonthlyTest], quiz_ids: list[int], policy: rules.Policy) -> list[User]:
    """Active channel managers; people who joined after the window opened only if the setting says so, or if
    they took the test anyway."""
    query = select(User).where(User.role == account_rules.MANAGER, User.active.is_(True))
    opens = [t.opens_at for t in tests if t.opens_at is not None]
    if opens and not policy.assign_late_joiners:
        took_it = select(Attempt.user_id).where(Attempt.quiz_id.in_(quiz_ids), Attempt.official.is_(True))
        query = query.where((User.joined_at < min(opens)) | User.id.in_(took_it))
    return list(db.session.scalars(query.order_by(User.id)))


def close_month(period: str, *, now: datetime, actor: User | None = None, dry_run: bool = False) -> CloseReport:
    """Close a period: outcomes for every assigned manager, the rules' ledger entries, the ranking, yellow cards,
    rewards and quarterly consequences — all in one transaction. Closing a closed period changes nothing."""
    check_period(period)
    policies = policy_versions.period_policies()  # each period's own: closed ones as they were closed
    policy = policies(period)
    if is_closed(period):
        return _carry_regrades(period, now=now, actor=actor, dry_run=dry_run, policy=policies)
    tests = _check_closable(period, now, policy)
    quiz_ids = [t.quiz_id for t in tests]
    report = CloseReport(period, dry_run, tests=tests)
    if dry_run:
        report.unfinished_attempts = db.session.scalar(select(func.count(Attempt.id)).where(
            Attempt.quiz_id.in_(quiz_ids), Attempt.status == IN_PROGRESS, Attempt.is_preview.is_(False))) or 0
    else:
        report.finished_attempts = int(attempts.finish_expired_attempts(now))
        _lock_for_close()
        if is_closed(period):  # another close finished while this one waited for the lock
            db.session.rollback()
            return CloseReport(period, dry_run, already_closed=True)
    # Earlier closed periods first: this period's runs and R8 counts read their corrected outcomes and cards.
    report.corrections = reconciliation.reconcile_regrades(now=now, actor=actor, policy=policies)

    managers = _assigned_managers(tests, quiz_ids, policy)
    # Computed indicators (the field day's process indicators) join the imported ones before anything is scored.
    computed = indicator_sources.write_computed(period, managers, now=now)
    period_attempts = outcomes.load_period_attempts(quiz_ids, policy=policy)
    facts = []
    for person in managers:
        decided = period_attempts.decide(person.id)
        attempt, accommodation, status = decided.attempt, decided.accommodation, decided.status
        report.people[person.id] = person
        report.outcomes.append({
            "period": period, "user_id": person.id, "status": status,
            "score": attempt.score if attempt else None,
            "quiz_id": attempt.quiz_id if attempt else (accommodation.quiz_id if accommodation else None),
            "attempt_id": attempt.id if attempt else None,
            "submitted_at": attempt.finished_at if attempt else None,
            "county_id": person.county_id, "grid_id": person.grid_id,
            "note": decided.note, "policy_version": policy.version, "created_at": now,
        })
        facts.append(rules.OutcomeFact(person.id, person.employee_no, person.county_id, status,
                                       attempt.score if attempt else None, attempt.finished_at if attempt else None))
    report.deductions, report.indicators = period_deductions(period), period_indicator_rows(period)
    plan = rules.plan_period(
        rules.PeriodFacts(period, facts, report.deductions, period_indicators(period)),
        history=outcome_history(period), prior_cards=prior_yellow_cards(period), policy=policies)
    report.entries, report.ranking = plan.entries, plan.ranking
    if dry_run:
        if report.corrections.changes_anything or computed:
            db.session.rollback()  # the preview flushed corrections and computed indicators to plan on them
        return report
    written = _write_close(report, now=now, actor=actor, policy=policy)
    log.info("closed %s: %d outcomes, %d entries", period, len(report.outcomes), len(written))
    if written:  # one event for the whole close: receivers queue their messages in one transaction
        events.ledger_entries_written.send(tuple(written))
    reconciliation.announce(report.corrections)
    report.certificates = _issue_certificates([o["attempt_id"] for o in report.outcomes
                                               if o["status"] == rules.PASS and o["attempt_id"]])
    return report


def _carry_regrades(period: str, *, now: datetime, actor: User | None, dry_run: bool,
                    policy: rules.PolicyFor) -> CloseReport:
    """Closing a closed period again writes nothing of its own; it carries pending regrades into the closed
    periods (so a correction need not wait for next month's close), under the close's lock."""
    report = CloseReport(period, dry_run, already_closed=True)
    if not reconciliation.has_pending_regrades():
        return report
    try:
        if not dry_run:
            _lock_for_close()
        report.corrections = reconciliation.reconcile_regrades(now=now, actor=actor, policy=policy)
        if dry_run:
            db.session.rollback()
            return report
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("更正答案后的重新评定正在由他人处理，本次未写入任何记录") from exc
    except Exception:
        db.session.rollback()
        raise
    reconciliation.announce(report.corrections)
    return report


def _write_close(report: CloseReport, *, now: datetime, actor: User | None, policy: rules.Policy) -> list[LedgerEntry]:
    period = report.period
    # render_nulls: the ORM's bulk insert otherwise leaves out None values and starts a new statement whenever
    # the set of keys changes (absent people have no score, criticism has no amount): ~1,800 statements, not ~30.
    bulk = {"render_nulls": True}
    try:
        if report.outcomes:
            db.session.execute(insert(Outcome).execution_options(**bulk), report.outcomes)
        test_scores = {o["user_id"]: o["score"] for o in report.outcomes}
        deductions, indicators = period_deductions(period), period_indicators(period)
        if report.ranking:
            db.session.execute(insert(Ranking).execution_options(**bulk), [{
                "period": period, "user_id": r.user_id, "county_id": report.people[r.user_id].county_id,
                "position": r.position,
                "group_size": r.group_size, "unified_score": r.unified_score, "test_score": test_scores.get(r.user_id),
                "deductions": deductions.get(r.user_id, 0.0), "indicators": indicators.get(r.user_id, 0.0),
                "band": r.band} for r in report.ranking])
        if report.entries:  # one bulk statement: thousands of entries in a 10,000-person close
            db.session.execute(insert(LedgerEntry).execution_options(**bulk),
                               [_entry_values(e, now=now, policy=policy) for e in report.entries])
        db.session.add(ClosedPeriod(period=period, closed_at=now, closed_by_id=actor.id if actor else None,
                                    quiz_count=len(report.tests), outcome_count=len(report.outcomes),
                                    entry_count=len(report.entries), policy=asdict(policy)))
        audit.record(audit_rules.PERIOD_CLOSED, actor=actor, subject=period, changes={
            "period": period, "tests": len(report.tests), "outcomes": len(report.outcomes),
            "entries": len(report.entries)})
        db.session.commit()
    except IntegrityError as exc:
        # Only reachable when another close of this period won a race the lock should have prevented.
        db.session.rollback()
        raise Conflict(f"{period} 正在或已经由他人结账，本次未写入任何记录") from exc
    except Exception:
        db.session.rollback()
        raise
    keys = [e.key for e in report.entries]
    written = db.session.scalars(select(LedgerEntry).where(LedgerEntry.period == period,
                                                           LedgerEntry.kind.in_(rules.CLOSE_KINDS),
                                                           LedgerEntry.created_by_id.is_(None))
                                 .order_by(LedgerEntry.id)).all()
    wanted = set(keys)
    return [entry for entry in written if entry.idempotency_key in wanted]


def _entry_values(planned: rules.PlannedEntry, *, now: datetime, policy: rules.Policy) -> dict[str, Any]:
    return {"user_id": planned.user_id, "period": planned.period, "kind": planned.kind,
            "amount_yuan": planned.amount_yuan, "points": planned.points, "reason": planned.reason,
            "rule": planned.rule.code, "rule_version": planned.rule.version,
            "evidence": {"policy_version": policy.version},  # which version of the policy decided it
            "idempotency_key": planned.key, "created_at": now}


def _issue_certificates(attempt_ids: list[int]) -> int:
    """Certificates for the period's passing official attempts, in one transaction after the close committed."""
    if not attempt_ids:
        return 0
    try:
        # The bulk path: a few statements per 500 attempts (one by one, 10,000 passes took half of the close).
        issued: int = certificates.issue_for_attempts(attempt_ids)
        db.session.commit()
    except Exception:  # a certificate problem must not undo a committed close; the submit's event retries later
        log.exception("certificates for %d attempts failed", len(attempt_ids))
        db.session.rollback()
        return 0
    return issued


# --- recompute (audit) -----------------------------------------------------------------------------------------


def recompute_close_entries() -> set[tuple[str, int, str]]:
    """(period, user, kind) of every entry the closes should have written, recomputed from the stored outcomes,
    deductions and indicators of every closed period; compare with ``written_close_entries``."""
    periods = db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period)).all()
    numbers = dict(db.session.execute(select(User.id, User.employee_no)).all())
    by_period: dict[str, list[rules.OutcomeFact]] = defaultdict(list)
    for o in db.session.scalars(select(Outcome).order_by(Outcome.period, Outcome.user_id)):
        by_period[o.period].append(rules.OutcomeFact(o.user_id, numbers[o.user_id], o.county_id, o.status, o.score,
                                                     o.submitted_at))
    facts = [rules.PeriodFacts(p, by_period[p], period_deductions(p), period_indicators(p)) for p in periods]
    plans = rules.plan_history(facts, policy_versions.period_policies(), appealed_cards=appealed_cards())
    return {(e.period, e.user_id, e.kind) for plan in plans for e in plan.entries}


def written_close_entries() -> set[tuple[str, int, str]]:
    """(period, user, kind) of the close kinds the ledger holds: entries a regrade's reconciliation reversed
    no longer count (an appeal's reversal does: the rules did write that entry)."""
    by_regrade = select(LedgerEntry.reverses_id).where(LedgerEntry.rule == rules.RULE_REGRADE.code,
                                                      LedgerEntry.reverses_id.is_not(None))
    rows = db.session.execute(select(LedgerEntry.period, LedgerEntry.user_id, LedgerEntry.kind).where(
        LedgerEntry.kind.in_(rules.CLOSE_KINDS), LedgerEntry.id.not_in(by_regrade)))
    return {(p, u, k) for p, u, k in rows}


# --- corrections and manual entries -----------------------------------------------------------------------------


def _commit_entry(entry: LedgerEntry, conflict_message: str) -> LedgerEntry:
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(conflict_message) from exc
    events.ledger_entry_written.send(entry)
    return entry


def can_reverse(user: User) -> bool:
    """Who decides an appeal: county and city supervisors, and admins. A grid supervisor sees their grid's records
    but does not reverse them (the county decides, with the whole county's records in view)."""
    if user.role == account_rules.ADMIN:
        return True
    return user.role == account_rules.SUPERVISOR and user.scope.kind in (account_rules.ALL,
                                                                        account_rules.COUNTY_SCOPE)


def reverse_entry(entry_id: int, *, actor: User, reason: str, now: datetime) -> LedgerEntry:
    """An appeal upheld: a ``reversal`` entry cancelling ``entry_id`` (its amount and points negated)."""
    return _commit_entry(add_reversal(entry_id, actor=actor, reason=reason, now=now), "该记录已被冲销，不能重复冲销")


def add_reversal(entry_id: int, *, actor: User, reason: str, now: datetime) -> LedgerEntry:
    """The checks and the reversal entry with its audit record, added to the session but not committed: an upheld
    appeal (``lms.assessment.appeals``) links it to the appeal in the same transaction."""
    if not can_reverse(actor):
        raise Forbidden("只有县区或市级主管、管理员可以冲销台账记录")
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or not can_view_person(actor, entry.user):
        raise NotFound("台账记录不存在")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写冲销原因（申诉成立的依据）")
    if len(reason) > 1000:
        raise ValidationFailed("冲销原因不能超过1000个字符")
    if entry.kind == rules.REVERSAL:
        raise Conflict("冲销记录本身不能再被冲销")
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)) is not None:
        raise Conflict("该记录已被冲销，不能重复冲销")
    reversal = LedgerEntry(
        user_id=entry.user_id, period=entry.period, kind=rules.REVERSAL,
        amount_yuan=-entry.amount_yuan if entry.amount_yuan else None,
        points=-entry.points if entry.points else None,
        reason=f"冲销 #{entry.id}（{entry.kind_label}）：{reason}", rule=rules.RULE_APPEAL.code,
        rule_version=rules.RULE_APPEAL.version, evidence={"reason": reason, "reverses_kind": entry.kind},
        idempotency_key=f"reversal:{entry.id}", reverses_id=entry.id, created_at=now, created_by_id=actor.id)
    audit.record(audit_rules.LEDGER_REVERSED, actor=actor, target=entry.user, subject=f"台账记录 #{entry.id}",
                 changes=entry_facts(entry), reason=reason)
    db.session.add(reversal)
    return reversal


def entry_facts(entry: LedgerEntry) -> dict[str, Any]:
    """What an audit entry about ``entry`` says of it: which record, its period and kind, what it was worth."""
    facts: dict[str, Any] = {"entry": entry.id, "period": entry.period, "kind": entry.kind}
    if entry.amount_yuan:
        facts["amount_yuan"] = entry.amount_yuan
    if entry.points:
        facts["points"] = entry.points
    return facts


def record_system_ops_deduction(*, employee_no: str, system: str, what_happened: str, reported_by: str,
                                actor: User, now: datetime, period: str | None = None,
                                request_key: str | None = None,
                                evidence: dict[str, Any] | None = None) -> LedgerEntry:
    """R3: shops report that a manager still cannot handle a system after training → points off that period.

    ``evidence`` adds to what the entry keeps (a shop visit's tickets and visits, lms.field.r3)."""
    if actor.role not in (account_rules.TRAINER, account_rules.SUPERVISOR, account_rules.ADMIN):
        raise Forbidden("只有培训师、主管或管理员可以登记系统操作扣分")
    period = check_period(period or period_of(now))
    problems = []
    person = db.session.scalar(select(User).where(User.employee_no == (employee_no or "").strip()))
    if person is None or person.role != account_rules.MANAGER or not can_view_person(actor, person):
        problems.append(f"工号“{employee_no}”不是您管辖范围内的渠道经理")
    if system not in rules.SYSTEMS:
        problems.append("请选择系统（社会渠道管理系统、终端订货系统或日常业务查询）")
    what_happened, reported_by = (what_happened or "").strip(), (reported_by or "").strip()
    if not what_happened or len(what_happened) > 1000:
        problems.append("请填写发生了什么（不超过1000个字符）")
    if not reported_by or len(reported_by) > 200:
        problems.append("请填写反映人（哪家门店、谁反映的，不超过200个字符）")
    if problems:
        raise ValidationFailed("扣分未登记", problems)
    assert person is not None  # noqa: S101 - narrowed by the checks above
    if is_closed(period):
        raise Conflict(f"{period} 已结账，扣分不能再计入该月；请登记到当前考核期")
    key = f"deduction:{request_key or uuid.uuid4().hex}"
    existing = db.session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))
    if existing is not None:  # the same form sent twice
        return existing
    points = policy_versions.policy_for(period).system_ops_deduction_points
    entry = LedgerEntry(
        user_id=person.id, period=period, kind=rules.DEDUCTION, points=-points,
        reason=rules.deduction_reason(system=system, what_happened=what_happened, reported_by=reported_by,
                                      points=points),
        rule=rules.RULE_SYSTEM_OPS.code, rule_version=rules.RULE_SYSTEM_OPS.version,
        evidence={**(evidence or {}), "system": system, "system_label": rules.SYSTEMS[system],
                  "what_happened": what_happened, "reported_by": reported_by},
        idempotency_key=key, created_at=now, created_by_id=actor.id)
    audit.record(audit_rules.DEDUCTION_RECORDED, actor=actor, target=person, subject=f"{period} {person.employee_no}",
                 changes={"period": period, "kind": rules.DEDUCTION, "points": -points, "system": system},
                 reason=f"{what_happened}（反映人：{reported_by}）")
    return _commit_entry(entry, "该扣分已登记")


def is_city_supervisor(user: User) -> bool:
    return user.role == account_rules.SUPERVISOR and user.scope.kind == account_rules.ALL


def decide_post_adjustment(entry_id: int, *, actor: User, confirm: bool, note: str,
                           now: datetime) -> PostAdjustmentDecision:
    if not is_city_supervisor(actor):
        raise Forbidden("岗位调整建议须由市级主管确认")
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.kind != rules.POST_ADJUSTMENT:
        raise NotFound("岗位调整建议不存在")
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)) is not None:
        raise Conflict("该建议已被冲销，无需确认")
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationFailed("驳回岗位调整建议时请填写理由")
    decision = PostAdjustmentDecision(entry_id=entry.id, decision=CONFIRMED if confirm else REJECTED, note=note[:1000],
                                      decided_by_id=actor.id, decided_at=now)
    db.session.add(decision)
    audit.record(audit_rules.LEDGER_DECIDED, actor=actor, target=entry.user, subject=f"岗位调整建议 #{entry.id}",
                 changes={**entry_facts(entry), "decision": [None, decision.decision]}, reason=decision.note)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("该岗位调整建议已有决定") from exc
    return decision
