"""The supervisor's board in one call, for its page and its xlsx: the current period, the risk lists, who has not
sat the monthly test, and the deductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lms.accounts.models import User
from lms.reports.queries.common import LIST_LIMIT
from lms.reports.queries.current_period import CurrentPeriod, NotSatRow, current_period, not_yet_sat
from lms.reports.queries.ledger import EntryRow, deductions
from lms.reports.queries.risk import RiskLists, risk_lists


@dataclass
class SupervisorBoard:
    current: CurrentPeriod
    risks: RiskLists
    not_sat: list[NotSatRow]
    deductions: list[EntryRow]


def supervisor_board(viewer: User, period: str, *, now: datetime, absent_counts_as_fail: bool,
                     limit: int | None = LIST_LIMIT) -> SupervisorBoard:
    current = current_period(viewer, period)
    risks = risk_lists(viewer, period, absent_counts_as_fail=absent_counts_as_fail, limit=limit)
    periods = sorted({period, *([risks.period] if risks.period else [])})
    return SupervisorBoard(current, risks, not_yet_sat(viewer, period, now=now, limit=limit),
                           deductions(viewer, periods, limit=limit))
