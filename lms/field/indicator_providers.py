"""The check-in, visit, ticket and shop-coverage process indicators, registered with lms.field.indicators for the
monthly close.

Each returns a share 0..1 per manager, or leaves the manager out when there is nothing to measure (no working day
passed, no shop to visit, no ticket due, no check-in by anyone closed that month — the check-ins not in use yet):
an indicator with nothing to measure writes no row rather than a zero.
- ``checkin_rate``: required check-ins (mornings and evenings of working days) done on time at the place;
- ``visit_compliance``: visits made against each of the manager's shops' required frequency;
- ``tickets_in_time``: of the tickets the manager raised that fell due in the month, the share answered or closed by
  their due date;
- ``shop_coverage``: of the manager's shops due, the share that confirmed reading the month's shop pack (门店学习,
  lms.outreach). Due: the manager's open shops (as at the close) registered before the month's end. A month with no
  shop pack has nothing due anywhere, and a manager with no shop due nothing to measure: neither writes a row (the
  rule itself counts nothing due as complete, but the close writes no points that nothing earned — as the other
  indicators leave out what they cannot measure).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from lms.core.clock import local_midnight
from lms.extensions import db
from lms.field import checkin_queries, indicator_rules, indicators, visit_queries
from lms.field.checkin_models import CheckIn
from lms.field.visit_models import Ticket
from lms.outreach import coverage_queries
from lms.outreach import queries as outreach_queries


@indicators.register(indicator_rules.CHECKIN_RATE)
def checkin_shares(user_ids: Sequence[int], period: str, until: date) -> dict[int, float]:
    days = indicator_rules.period_days(period)
    in_use = db.session.scalar(select(CheckIn.id).where(CheckIn.user_id.in_(list(user_ids)),
                                                         CheckIn.day.between(days[0], days[-1])).limit(1))
    if in_use is None:
        return {}  # nobody closed checked in that month: the check-ins were not in use yet, not missed by all
    found = checkin_queries.month_compliances(list(user_ids), period, until,
                                              joined=indicators.joined_days(user_ids))
    return {user_id: month.rate for user_id, month in found.items() if month.rate is not None}


@indicators.register(indicator_rules.VISIT_COMPLIANCE)
def visit_shares(user_ids: Sequence[int], period: str, until: date) -> dict[int, float]:
    found = visit_queries.visit_compliances(user_ids, period)
    return {user_id: month.share for user_id, month in found.items() if month.share is not None}


@indicators.register(indicator_rules.TICKETS_IN_TIME)
def ticket_shares(user_ids: Sequence[int], period: str, until: date) -> dict[int, float]:
    start, end = visit_queries.month_bounds(period)
    now = local_midnight(until + timedelta(days=1))  # the end of ``until``
    due: dict[int, list[bool]] = {}
    for raised_by, due_at, answered_at, closed_at in db.session.execute(
            select(Ticket.raised_by_id, Ticket.due_at, Ticket.answered_at, Ticket.closed_at)
            .where(Ticket.raised_by_id.in_(list(user_ids)), Ticket.due_at >= start, Ticket.due_at < min(end, now))):
        done = min((t for t in (answered_at, closed_at) if t is not None), default=None)
        due.setdefault(raised_by, []).append(done is not None and done <= due_at)
    return {user_id: sum(flags) / len(flags) for user_id, flags in due.items() if flags}


@indicators.register(indicator_rules.SHOP_COVERAGE)
def shop_coverage_shares(user_ids: Sequence[int], period: str, until: date) -> dict[int, float]:
    if not outreach_queries.shop_pack(period):
        return {}  # no lessons for shops that month: nothing was due from anyone
    return {user_id: indicator_rules.shop_coverage(read, due)
            for user_id, (due, read) in coverage_queries.due_and_read(user_ids, period, until).items()}
