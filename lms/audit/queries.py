"""Reading the audit log: the administrator's search (newest first) and the rows of its export."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.models import User
from lms.audit import rules
from lms.audit.models import AuditEntry
from lms.core.clock import local_midnight, to_local
from lms.extensions import db

EXPORT_LIMIT = 50_000  # a year of a busy platform's acts; more than that is a job for the database, not a download


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator searched for; every part optional. Dates are local calendar days, both included."""

    action: str = ""
    actor: str = ""
    target: str = ""
    start: date | None = None
    end: date | None = None
    text: str = ""

    def as_record(self) -> dict[str, str]:
        """The parts that were set, as plain text (the export's own audit entry keeps them)."""
        return {key: str(value) for key, value in asdict(self).items() if value not in (None, "")}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _person_matches(column: Any, text: str) -> Any:
    """A person named by employee number (exact, any case) or by a part of their name."""
    person = aliased(User)
    return column.in_(select(person.id).where(or_(func.lower(person.employee_no) == text.lower(),
                                                  person.name.like(_like(text), escape="\\"))))


def search(wanted: AuditFilter) -> Select[Any]:
    """The entries matching ``wanted``, newest first, with the people they name loaded."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.target))
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.actor:
        actor = wanted.actor.strip()
        # Who acted is also kept as text: a command (cli) or the platform (system) is found by that word or its label.
        by_label = [code for code, label in rules.ACTOR_LABELS.items() if actor == label]
        query = query.where(or_(func.lower(AuditEntry.actor_label) == actor.lower(),
                                AuditEntry.actor_label.in_(by_label), _person_matches(AuditEntry.actor_id, actor)))
    if wanted.target:
        target = wanted.target.strip()
        query = query.where(_person_matches(AuditEntry.target_user_id, target))
    if wanted.start is not None:
        query = query.where(AuditEntry.at >= local_midnight(wanted.start))
    if wanted.end is not None:
        query = query.where(AuditEntry.at < local_midnight(wanted.end + timedelta(days=1)))
    if wanted.text:
        like = _like(wanted.text.strip())
        query = query.where(or_(AuditEntry.subject.ilike(like, escape="\\"),
                                AuditEntry.reason.ilike(like, escape="\\")))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def person_label(person: User | None, label: str) -> tuple[str, bool]:
    """Who acted, as ``(text, is_catalogue_label)``: "姓名（工号）", or the words for a command or the platform."""
    if person is not None:
        return f"{person.name}（{person.employee_no}）", False
    if label in rules.ACTOR_LABELS:
        return rules.ACTOR_LABELS[label], True
    return label, False


EXPORT_HEADERS = ["编号", "时间", "操作人", "操作人工号", "来源地址", "操作", "操作代码", "对象人员", "对象人员工号",
                  "对象", "变更内容", "原因"]


def count(wanted: AuditFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(search(wanted).order_by(None).subquery())) or 0


def export_rows(wanted: AuditFilter) -> list[list[Any]]:
    """The matching entries as rows of the export (newest first, at most ``EXPORT_LIMIT``); text in Chinese, the
    language of the records."""
    rows = []
    for entry in db.session.scalars(search(wanted).limit(EXPORT_LIMIT)):
        changes = "；".join(f"{line.field}：{line.old} → {line.new}" if line.is_change else f"{line.field}：{line.new}"
                           for line in rules.change_lines(entry.changes))
        actor, target = entry.actor, entry.target
        rows.append([entry.id, to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                     person_label(actor, entry.actor_label)[0] if actor is None else actor.name,
                     actor.employee_no if actor is not None else "", entry.address,
                     rules.action_label(entry.action), entry.action,
                     target.name if target is not None else "", target.employee_no if target is not None else "",
                     entry.subject, changes, entry.reason])
    return rows
