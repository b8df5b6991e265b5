"""The R3 loop from shop visits and the shops' own reports: a system-operation problem reported (on a visit, or by
the shop from its page) after the manager passed the system-ops test, or a ticket left open past its due date,
becomes a deduction candidate (once per cause); a supervisor confirms it (the assessment's existing system-ops
deduction, with the tickets and visits as evidence) or dismisses it with a reason. Both decisions are audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.assessment import rules as assessment_rules
from lms.assessment import services as assessment
from lms.attempts.models import SUBMITTED, Attempt
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import as_utc
from lms.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.field import visit_queries, visit_rules
from lms.field.visit_models import DeductionCandidate, Ticket
from lms.quizzes.models import SYSTEM_OPS, Quiz

DECIDERS = (account_rules.SUPERVISOR, account_rules.ADMIN)


def trained_at(user_id: int) -> datetime | None:
    """When the person first passed a system-operation test (None: not yet)."""
    found = db.session.scalar(
        select(func.min(Attempt.finished_at)).join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Quiz.kind == SYSTEM_OPS, Attempt.status == SUBMITTED,
               Attempt.passed.is_(True), Attempt.is_preview.is_(False)))
    return as_utc(found) if found is not None else None


def _manager_id(ticket: Ticket) -> int | None:
    """Whose training the ticket speaks to: the shop's manager, else who raised it (None: a shop's own report of a
    shop that has no manager — nobody to deduct from)."""
    return ticket.shop.manager_id or ticket.raised_by_id


def after_tickets(tickets: Sequence[Ticket], *, now: datetime) -> list[DeductionCandidate]:
    """Candidates for the system-operation tickets just raised at shops whose manager had passed the system-ops
    test: a pending candidate of the same manager and shop gathers the new evidence instead of a second one."""
    made = []
    for ticket in tickets:
        if ticket.category != visit_rules.SYSTEM_OPS:
            continue
        manager_id = _manager_id(ticket)
        if manager_id is None:
            continue
        trained = trained_at(manager_id)
        if trained is None or trained > as_utc(ticket.raised_at):
            continue
        pending = db.session.scalar(select(DeductionCandidate).where(
            DeductionCandidate.user_id == manager_id, DeductionCandidate.shop_id == ticket.shop_id,
            DeductionCandidate.reason == visit_rules.REPEAT_AFTER_TRAINING,
            DeductionCandidate.state == visit_rules.PENDING))
        if pending is not None:
            pending.ticket_ids = [*pending.ticket_ids, ticket.id]
            pending.visit_ids = [*pending.visit_ids, *([ticket.visit_id] if ticket.visit_id else [])]
            continue
        # The shop's earlier system-operation tickets are evidence too: "still" cannot handle it after training.
        earlier = db.session.scalars(select(Ticket).where(Ticket.shop_id == ticket.shop_id,
                                                          Ticket.category == visit_rules.SYSTEM_OPS,
                                                          Ticket.id != ticket.id).order_by(Ticket.id)).all()
        evidence = [*earlier, ticket]
        candidate = DeductionCandidate(
            user_id=manager_id, shop_id=ticket.shop_id, reason=visit_rules.REPEAT_AFTER_TRAINING,
            cause_key=f"repeat:{ticket.id}", ticket_ids=[t.id for t in evidence],
            visit_ids=sorted({t.visit_id for t in evidence if t.visit_id}), state=visit_rules.PENDING,
            created_at=now)
        db.session.add(candidate)
        made.append(candidate)
    db.session.flush()
    return made


@dataclass(frozen=True)
class SweepReport:
    overdue: int
    created: tuple[DeductionCandidate, ...]


def sweep(*, now: datetime, dry_run: bool = False) -> SweepReport:
    """Tickets still open past their due date: one candidate each (never twice for one ticket)."""
    overdue = db.session.scalars(select(Ticket).where(Ticket.state == visit_rules.OPEN, Ticket.due_at < now)
                                 .order_by(Ticket.id)).all()
    known = set(db.session.scalars(select(DeductionCandidate.cause_key)
                                   .where(DeductionCandidate.cause_key.like("overdue:%"))))
    created = []
    for ticket in overdue:
        key = f"overdue:{ticket.id}"
        manager_id = _manager_id(ticket)
        if key in known or manager_id is None:
            continue
        candidate = DeductionCandidate(
            user_id=manager_id, shop_id=ticket.shop_id, reason=visit_rules.OVERDUE_TICKET, cause_key=key,
            ticket_ids=[ticket.id], visit_ids=[ticket.visit_id] if ticket.visit_id else [],
            state=visit_rules.PENDING, created_at=now)
        created.append(candidate)
    if dry_run:
        return SweepReport(len(overdue), tuple(created))
    db.session.add_all(created)
    db.session.commit()
    return SweepReport(len(overdue), tuple(created))


def _decidable(candidate_id: int, actor: User) -> DeductionCandidate:
    if actor.role not in DECIDERS:
        raise Forbidden("只有主管或管理员可以处理拜访扣分")
    candidate = visit_queries.candidate_for(actor, candidate_id)
    if candidate is None:
        raise NotFound("待确认扣分不存在")
    if candidate.state != visit_rules.PENDING:
        raise Conflict("该待确认扣分已处理")
    return candidate


def _facts(candidate: DeductionCandidate) -> dict[str, object]:
    return {"candidate": candidate.id, "shop": candidate.shop.code, "ticket": candidate.ticket_ids}


def confirm(candidate_id: int, *, actor: User, system: str, now: datetime) -> DeductionCandidate:
    """The existing R3 deduction (lms.assessment.services.record_system_ops_deduction) for the candidate's manager,
    its evidence the tickets and visits; the candidate keeps the ledger entry."""
    candidate = _decidable(candidate_id, actor)
    if system not in assessment_rules.SYSTEMS:
        raise ValidationFailed("扣分未确认", ["请选择系统"])
    tickets = visit_queries.tickets_by_id(candidate.ticket_ids)
    what = "；".join(f"{t.category_label}{_reporter(t)}：{t.description}" for t in tickets)[:900]
    if candidate.reason == visit_rules.OVERDUE_TICKET:
        what = f"工单逾期未处理（{what}）"[:1000]
    shop = candidate.shop
    # Where the evidence came from: the manager's visits, the shop's own reports (its page), or both.
    sources = "、".join(dict.fromkeys("门店自报" if t.from_shop else "拜访" for t in tickets)) or "拜访"
    candidate.state, candidate.decided_by_id, candidate.decided_at = visit_rules.CONFIRMED, actor.id, now
    audit.record(audit_rules.CANDIDATE_CONFIRMED, actor=actor, target=candidate.user,
                 subject=f"拜访扣分 #{candidate.id}", changes={**_facts(candidate), "system": system},
                 reason=candidate.reason_label)
    try:
        entry = assessment.record_system_ops_deduction(
            employee_no=candidate.user.employee_no, system=system, what_happened=what or candidate.reason_label,
            reported_by=f"{sources} {shop.name}（{shop.code}）"[:200], actor=actor, now=now,
            request_key=f"field-candidate-{candidate.id}",
            evidence={"field_candidate": candidate.id, "reason": candidate.reason, "shop": shop.code,
                      "tickets": candidate.ticket_ids, "visits": candidate.visit_ids,
                      "shop_reports": [t.id for t in tickets if t.from_shop]})
    except DomainError:
        db.session.rollback()
        raise
    candidate.ledger_entry_id = entry.id
    db.session.commit()
    return candidate


def _reporter(ticket: Ticket) -> str:
    return f"（门店自报：{ticket.reporter_name}）" if ticket.from_shop else ""


def dismiss(candidate_id: int, *, actor: User, reason: str, now: datetime) -> DeductionCandidate:
    candidate = _decidable(candidate_id, actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed("未驳回", ["驳回时请填写理由（不超过1000个字符）"])
    candidate.state, candidate.decided_by_id, candidate.decided_at = visit_rules.DISMISSED, actor.id, now
    candidate.decision_reason = reason
    audit.record(audit_rules.CANDIDATE_DISMISSED, actor=actor, target=candidate.user,
                 subject=f"拜访扣分 #{candidate.id}", changes=_facts(candidate), reason=reason)
    db.session.commit()
    return candidate
