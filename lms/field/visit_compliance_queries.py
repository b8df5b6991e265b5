"""The supervisors' visit-compliance board (拜访达标): per channel manager in the viewer's scope, the week's and the
month's required visits against those made (the month from ``visit_queries.visit_compliances``, as the monthly close
counts it), and the shops overdue for a visit, most overdue first; the same rows for the export.

Everything is read for all managers at once, in the same few queries whatever their number: the managers (and their
units), their shops and the month's visits (``visit_compliances``), the week's visits, each shop's last visit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.core.clock import local_midnight, to_local
from lms.extensions import db
from lms.field import rules, visit_queries, visit_rules
from lms.field.models import Shop
from lms.field.visit_models import Visit

# Overdue shops the page lists; the export holds them all.
PAGE_OVERDUE_LIMIT = 200


@dataclass(frozen=True)
class OverdueShop:
    shop: Shop
    manager: User
    rule: rules.VisitRule
    last_visit: date | None
    days_since: int  # since the last visit, or since the shop was added when never visited
    overdue_by: int


@dataclass(frozen=True)
class ManagerRow:
    person: User
    month: visit_queries.VisitCompliance
    week_required: int
    week_done: int  # each shop's visits up to its weekly count: a shop's extra visits do not make up for another's
    overdue: tuple[OverdueShop, ...]


@dataclass(frozen=True)
class Board:
    period: str
    day: date  # the day the board is as of: today in the current month, the month's last day in a past one
    week: tuple[date, date]  # Monday and Sunday of ``day``'s week
    rows: list[ManagerRow]

    @property
    def overdue(self) -> list[OverdueShop]:
        """Every manager's overdue shops, most overdue first."""
        found = [shop for row in self.rows for shop in row.overdue]
        return sorted(found, key=lambda s: (-s.overdue_by, s.manager.employee_no, s.shop.code))


def board_day(period: str, today: date) -> date:
    """The day a month's board is as of: today during the month, the month's last day once it is over (a month
    still to come has no board: callers refuse it)."""
    _, following = rules.period_dates(period)
    return min(today, following - timedelta(days=1))


def _last_visits(shop_ids: Sequence[int], before: datetime) -> dict[int, datetime]:
    if not shop_ids:
        return {}
    return dict(db.session.execute(  # type: ignore[arg-type]
        select(Visit.shop_id, func.max(Visit.counted_at))
        .where(Visit.shop_id.in_(list(shop_ids)), Visit.counted_at < before).group_by(Visit.shop_id)).all())


def board(viewer: User, period: str, today: date, *, grid_id: int | None = None) -> Board:
    day = board_day(period, today)
    monday, following = visit_rules.week_of(day)
    people = managers_in_scope(viewer, grid_id=grid_id, with_units=True)
    months = visit_queries.visit_compliances([p.id for p in people], period)
    shop_ids = [s.shop.id for month in months.values() for s in month.shops]
    week_counts = visit_queries.shop_visit_counts(shop_ids, local_midnight(monday), local_midnight(following))
    last = _last_visits(shop_ids, local_midnight(day + timedelta(days=1)))
    rows = []
    for person in people:
        month = months[person.id]
        week_required = week_done = 0
        overdue = []
        for found in month.shops:
            rule = rules.required_visits(found.shop.kind, found.shop.star)
            if rule is None:
                continue
            needed = visit_rules.required_in_week(rule.count, rule.period)
            week_required += needed
            week_done += min(needed, week_counts.get(found.shop.id, 0))
            visited = to_local(last[found.shop.id]).date() if found.shop.id in last else None
            added = to_local(found.shop.created_at).date()
            late = visit_rules.days_overdue(visited, added, day,
                                            visit_rules.allowed_gap_days(rule.count, rule.period))
            if late is not None:
                overdue.append(OverdueShop(found.shop, person, rule, visited, (day - (visited or added)).days, late))
        overdue.sort(key=lambda s: (-s.overdue_by, s.shop.code))
        rows.append(ManagerRow(person, month, week_required, week_done, tuple(overdue)))
    return Board(period, day, (monday, following - timedelta(days=1)), rows)


# --- the export ---------------------------------------------------------------------------------------------------

MANAGER_HEADERS = ["工号", "姓名", "县区", "网格", "渠道数", "本周应拜访", "本周已拜访", "本月应拜访", "本月已拜访",
                   "达标率(%)", "逾期渠道数"]
OVERDUE_HEADERS = ["渠道名称", "渠道编码", "类型", "星级", "负责人", "工号", "拜访要求", "最近拜访", "距今天数",
                   "逾期天数"]


def frequency_label(rule: rules.VisitRule) -> str:
    return f"{rules.PERIOD_LABELS[rule.period]}至少{rule.count}次"


def manager_rows(found: Board) -> list[list[Any]]:
    """The managers' table as the export's rows (the page's rows)."""
    return [[r.person.employee_no, r.person.name, r.person.county.name if r.person.county else "",
             r.person.grid.name if r.person.grid else "", len(r.month.shops), r.week_required, r.week_done,
             r.month.required, r.month.done, None if r.month.share is None else round(r.month.share * 100, 1),
             len(r.overdue)] for r in found.rows]


def overdue_rows(found: Board) -> list[list[Any]]:
    return [[s.shop.name, s.shop.code, rules.SHOP_KIND_LABELS.get(s.shop.kind, s.shop.kind), s.shop.star,
             s.manager.name, s.manager.employee_no, frequency_label(s.rule),
             s.last_visit.isoformat() if s.last_visit else "从未拜访", s.days_since, s.overdue_by]
            for s in found.overdue]
