"""Appeals (申诉): a manager opens one on their own ledger entry; supervisors comment; the county (or city)
supervisor or an admin decides. Upheld writes the entry's reversal (``services.add_reversal``) and links it to the
appeal in one transaction; rejected keeps the decision and its reason. The manager hears of the decision in their
inbox and on the outbound channels (``lms.announcements.delivery.deliver``, in the same transaction), and the
supervisors who decide hear of a new appeal the same way. Each act is audited. Rules in ``appeal_rules``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.announcements import rules as message_rules
from lms.announcements.delivery import deliver, path_for
from lms.assessment import appeal_queries, appeal_rules, services
from lms.assessment.models import Appeal, AppealComment, LedgerEntry
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import to_local
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.courses import media
from lms.extensions import db


@dataclass(frozen=True)
class Attachment:
    data: bytes
    filename: str


@dataclass(frozen=True)
class AppealSettings:
    days: int = 7  # LMS_APPEAL_DAYS
    decision_days: int = 7  # LMS_APPEAL_DECISION_DAYS

    @classmethod
    def from_settings(cls, config: dict[str, object]) -> AppealSettings:
        return cls(days=int(config["LMS_APPEAL_DAYS"]),  # type: ignore[call-overload]
                   decision_days=int(config["LMS_APPEAL_DECISION_DAYS"]))  # type: ignore[call-overload]


def _when(value: datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _subject(appeal: Appeal) -> str:
    return f"申诉 #{appeal.id}（台账记录 #{appeal.entry_id}）"


# --- open -----------------------------------------------------------------------------------------------------------


def open_appeal(entry_id: int, *, person: User, reason: str, attachment: Attachment | None, now: datetime,
                settings: AppealSettings, media_root: Path, limits: media.MediaLimits) -> Appeal:
    """The person's appeal against their own entry ``entry_id``, within the window; one per entry."""
    entry = appeal_queries.own_entry(person, entry_id)
    if entry is None:
        raise NotFound("台账记录不存在")
    refused = appeal_rules.refusal(appeal_queries.entry_facts(entry), person_id=person.id, now=now,
                                   days=settings.days)
    if refused:
        raise Conflict(appeal_rules.refusal_text(refused, settings.days))
    reason, problem = appeal_rules.clean_text(reason, limit=appeal_rules.MAX_REASON, missing="请填写申诉理由",
                                              too_long=f"申诉理由不能超过{appeal_rules.MAX_REASON}个字符")
    problems = [problem] if problem else []
    checked = None
    if attachment is not None and attachment.data:
        try:
            checked = media.check_upload(attachment.data, attachment.filename, limits)
        except media.MediaRefused as exc:
            problems.append(f"{media.clean_name(attachment.filename)}：{exc}")
    if problems:
        raise ValidationFailed("申诉未提交", problems)
    if checked is not None:
        media.store(media_root, checked)
    appeal = Appeal(entry_id=entry.id, user_id=person.id, state=appeal_rules.OPEN, reason=reason, opened_at=now,
                    due_at=appeal_rules.decision_due(now, settings.decision_days),
                    attachment_name=checked.stored_name if checked else None,
                    attachment_original_name=checked.original_name if checked else None,
                    attachment_content_type=checked.content_type if checked else None)
    db.session.add(appeal)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("该记录已提出过申诉，同一条记录只能申诉一次") from exc
    audit.record(audit_rules.APPEAL_OPENED, actor=person, target=person, subject=_subject(appeal),
                 changes={"appeal": appeal.id, **services.entry_facts(entry),
                          **({"attachment": checked.original_name} if checked else {})}, reason=reason)
    _tell_deciders(appeal, entry, person, now=now)
    _commit("该记录已提出过申诉，同一条记录只能申诉一次")
    return appeal


def _tell_deciders(appeal: Appeal, entry: LedgerEntry, person: User, *, now: datetime) -> None:
    link = path_for("assessment.appeal", appeal_id=appeal.id)
    body = "\n".join([f"{person.name}（{person.employee_no}，{person.unit_label}）对{entry.period}的"
                      f"**{entry.kind_label}**提出申诉。", "", f"申诉理由：{appeal.reason}", "",
                      f"请在 {_when(appeal.due_at)} 前处理。"])
    deliver(db.session, [message_rules.Reminder(f"appeal:{appeal.id}:opened", supervisor.id, message_rules.LEDGER,
                                                f"新的申诉：{person.name} {entry.kind_label}", body, link)
                         for supervisor in appeal_queries.deciders_of(person)], now=now)


def _commit(conflict: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(conflict) from exc


# --- comment --------------------------------------------------------------------------------------------------------


def can_comment(user: User) -> bool:
    return user.role in ("supervisor", "admin")


def comment(appeal_id: int, *, actor: User, body: str, now: datetime) -> AppealComment:
    """A supervisor's comment (the grid supervisor's view of the case, the county's notes) on an open appeal."""
    appeal = appeal_queries.appeal_for(actor, appeal_id)
    if appeal is None:
        raise NotFound("申诉不存在")
    if not can_comment(actor):
        raise Forbidden("只有主管或管理员可以填写申诉意见")
    if not appeal.is_open:
        raise Conflict("该申诉已有决定，不能再填写意见")
    body, problem = appeal_rules.clean_text(body, limit=appeal_rules.MAX_COMMENT, missing="请填写意见",
                                            too_long=f"意见不能超过{appeal_rules.MAX_COMMENT}个字符")
    if problem:
        raise ValidationFailed(problem)
    note = AppealComment(appeal_id=appeal.id, author_id=actor.id, body=body, created_at=now)
    db.session.add(note)
    audit.record(audit_rules.APPEAL_COMMENTED, actor=actor, target=appeal.user, subject=_subject(appeal),
                 changes={"appeal": appeal.id}, reason=body)
    db.session.commit()
    return note


# --- decide ---------------------------------------------------------------------------------------------------------


def decide(appeal_id: int, *, actor: User, uphold: bool, reason: str, now: datetime) -> Appeal:
    """Upheld: the entry's reversal, linked to the appeal; rejected: the decision with its reason. Either way the
    manager is told. Only county and city supervisors and admins decide (``services.can_reverse``)."""
    appeal = appeal_queries.appeal_for(actor, appeal_id)
    if appeal is None:
        raise NotFound("申诉不存在")
    if not services.can_reverse(actor):
        raise Forbidden("网格主管不能决定申诉：申诉由县区或市级主管审核")
    if not appeal.is_open:
        raise Conflict("该申诉已有决定")
    reason, problem = appeal_rules.clean_text(
        reason, limit=appeal_rules.MAX_REASON, missing="请填写决定理由（申诉成立的依据或驳回的理由）",
        too_long=f"决定理由不能超过{appeal_rules.MAX_REASON}个字符")
    if problem:
        raise ValidationFailed(problem)
    entry = appeal.entry
    reversal_id = None
    if uphold:
        # An entry someone reversed from the ledger page while the appeal waited: that reversal is the answer.
        reversal = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id))
        if reversal is None:
            reversal = services.add_reversal(entry.id, actor=actor, reason=reason, now=now)
            reversal.evidence = {**(reversal.evidence or {}), "appeal": appeal.id}
        db.session.flush()
        reversal_id = reversal.id
    state = appeal_rules.UPHELD if uphold else appeal_rules.REJECTED
    # Only an open appeal is decided: of two deciders at once, the second changes nothing and is told so.
    changed = db.session.execute(update(Appeal).where(Appeal.id == appeal.id, Appeal.state == appeal_rules.OPEN)
                                 .values(state=state, decided_at=now, decided_by_id=actor.id, decision_reason=reason,
                                         reversal_id=reversal_id)).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict("该申诉已有决定")
    audit.record(audit_rules.APPEAL_UPHELD if uphold else audit_rules.APPEAL_REJECTED, actor=actor,
                 target=appeal.user, subject=_subject(appeal),
                 changes={"appeal": appeal.id, **services.entry_facts(entry),
                          "appeal_state": [appeal_rules.OPEN, state],
                          **({"reversal": reversal_id} if reversal_id else {})}, reason=reason)
    _tell_manager(appeal, entry, upheld=uphold, reason=reason, reversal_id=reversal_id, now=now)
    _commit("该申诉已有决定")
    db.session.refresh(appeal)
    return appeal


def _tell_manager(appeal: Appeal, entry: LedgerEntry, *, upheld: bool, reason: str, reversal_id: int | None,
                  now: datetime) -> None:
    what = f"您对{entry.period}的**{entry.kind_label}**（台账记录 #{entry.id}）提出的申诉"
    if upheld:
        title = f"申诉成立：{entry.kind_label}已冲销"
        lines = [f"{what}成立，原记录已由冲销记录 #{reversal_id} 更正（原记录保留，不再计入考核）。"]
        if entry.amount_yuan:
            lines.append(f"冲销金额：{entry.amount_yuan} 元")
    else:
        title = f"申诉驳回：{entry.kind_label}"
        lines = [f"{what}未被采纳，原记录保持不变。"]
    lines += ["", f"理由：{reason}"]
    deliver(db.session, [message_rules.Reminder(f"appeal:{appeal.id}:decided", appeal.user_id, message_rules.LEDGER,
                                                title, "\n".join(lines), path_for("assessment.appeal",
                                                                                  appeal_id=appeal.id))], now=now)
