"""The grid board of a day (who has planned, been assigned, reported, and what their activities brought), in the
viewer's scope, and its export sheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.core.clock import to_local
from lms.core.i18n import N_
from lms.extensions import db
from lms.field import indicator_rules
from lms.field.daily_models import DailyReport, DayAssignment

REPORTED, LATE, MISSING, PENDING = "reported", "late", "missing", "pending"
PROGRESS_LABELS = {REPORTED: N_("已汇报"), LATE: N_("迟报"), MISSING: N_("未汇报"), PENDING: N_("待汇报")}


@dataclass(frozen=True)
class BoardRow:
    person: User
    report: DailyReport | None
    assignment: DayAssignment | None
    progress: str  # REPORTED, LATE, MISSING or PENDING

    @property
    def progress_label(self) -> str:
        return PROGRESS_LABELS[self.progress]

    def total(self, name: str) -> int:
        return sum(getattr(a, name) for a in self.report.activities) if self.report else 0

    @property
    def activity_count(self) -> int:
        return len(self.report.activities) if self.report else 0


def progress_state(report: DailyReport | None, *, day: date, now: datetime, due: Any) -> str:
    if report is not None and report.progress_at is not None:
        return LATE if report.progress_late else REPORTED
    local = to_local(now)
    if day < local.date() or (day == local.date() and indicator_rules.is_progress_late(local, due)):
        return MISSING
    return PENDING


def day_board(viewer: User, day: date, *, now: datetime, due: Any) -> list[BoardRow]:
    """Every active manager the viewer may see, with their report and assignment of ``day``."""
    people = managers_in_scope(viewer)
    ids = [p.id for p in people]
    reports = {r.user_id: r for r in db.session.scalars(select(DailyReport).options(
        selectinload(DailyReport.activities)).where(DailyReport.day == day, DailyReport.user_id.in_(ids)))}
    assignments = {a.manager_id: a for a in db.session.scalars(select(DayAssignment).where(
        DayAssignment.day == day, DayAssignment.manager_id.in_(ids)))}
    return [BoardRow(p, reports.get(p.id), assignments.get(p.id),
                     progress_state(reports.get(p.id), day=day, now=now, due=due)) for p in people]


BOARD_HEADERS = ["工号", "姓名", "单位", "计划提交时间", "今天工作计划", "当日工作安排", "进展汇报", "汇报时间",
                 "进展内容", "地面活动", "售出手机", "宽带新装", "新入网"]


def board_rows(rows: Sequence[BoardRow]) -> list[list[Any]]:
    """The board as the export's rows (same rows as the page)."""
    return [[r.person.employee_no, r.person.name, r.person.unit_label,
             r.report.plan_at if r.report else None, r.report.plan if r.report else "",
             r.assignment.text if r.assignment else "", r.progress_label,
             r.report.progress_at if r.report else None, r.report.progress if r.report else "",
             r.activity_count, r.total("handsets_sold"), r.total("broadband_signups"), r.total("new_lines")]
            for r in rows]
