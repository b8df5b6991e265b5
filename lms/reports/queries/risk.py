"""The risk lists: who failed twice in a row (the penalty is due) and who failed once (at risk now)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select

from lms.accounts.models import User
from lms.assessment import queries as assessment_queries
from lms.assessment.models import LedgerEntry, Outcome
from lms.assessment.rules import CASH_PENALTY, OUTCOME_LABELS
from lms.extensions import db
from lms.reports import rules
from lms.reports.queries.common import LIST_LIMIT, PersonRef, latest_closed_period, person_ref, with_person


@dataclass(frozen=True)
class RiskRow:
    person: PersonRef
    period: str
    status: str
    score: float | None
    previous_period: str | None
    previous_status: str | None
    previous_score: float | None
    risk: str
    run: int = 0
    penalty: str = ""  # standing | reversed | "" (no cash-penalty entry in the period)

    @property
    def status_label(self) -> str:
        return OUTCOME_LABELS.get(self.status, self.status)

    @property
    def previous_status_label(self) -> str:
        return OUTCOME_LABELS.get(self.previous_status or "", self.previous_status or "")



def _fails_query(period: str, viewer: User, *, absent_counts_as_fail: bool, details: bool = True,
                 failed_twice: bool = False) -> Select[Any]:
    """``lms.assessment.queries.fails_with_previous`` (the one implementation of R2's "deciding earlier outcome",
    shared with the failed-twice API) with the person's current units, scoped to ``viewer``."""
    query = assessment_queries.fails_with_previous(period, absent_counts_as_fail=absent_counts_as_fail,
                                                   details=details, failed_twice=failed_twice)
    query, (county_name, grid_name) = with_person(query, Outcome.user_id, viewer)
    return query.order_by(county_name, grid_name, User.employee_no)


def failed_twice_rows(period: str, viewer: User, *, absent_counts_as_fail: bool = True,
                      limit: int | None = None) -> list[RiskRow]:
    """People whose ``period`` fail is at least their second in a row (the 200-yuan penalty is due), one query."""
    query = _fails_query(period, viewer, absent_counts_as_fail=absent_counts_as_fail, failed_twice=True)
    if limit is not None:
        query = query.limit(limit)
    return [_risk_row(period, row, absent_counts_as_fail) for row in db.session.execute(query)]


def _risk_row(period: str, row: Any, absent_counts_as_fail: bool) -> RiskRow:
    return RiskRow(person_ref(row), period, row.status, row.score, row.previous_period, row.before_status,
                   row.before_score, rules.classify_risk(row.status, row.before_status,
                                                         absent_counts_as_fail=absent_counts_as_fail))


@dataclass
class RiskLists:
    period: str | None  # the latest closed period the lists are about
    penalty_due: list[RiskRow] = field(default_factory=list)
    at_risk: list[RiskRow] = field(default_factory=list)
    penalty_due_total: int = 0
    at_risk_total: int = 0
    by_county: dict[str, dict[str, int]] = field(default_factory=dict)  # county → risk class → people


def risk_lists(viewer: User, upto: str, *, absent_counts_as_fail: bool = True,
               limit: int | None = LIST_LIMIT) -> RiskLists:
    """Failed twice in a row (penalty due) and failed once (at risk now), from the latest closed period ≤ ``upto``,
    with totals per county; the listed people (``limit`` per list) carry the length of their run and whether the
    penalty entry stands.

    Two steps so a city of failing people stays cheap: every failing person's class comes from one light query,
    then the details only for the people that will be listed."""
    period = latest_closed_period(upto)
    if period is None:
        return RiskLists(None)
    found = RiskLists(period)
    chosen: dict[str, list[int]] = {rules.PENALTY_DUE: [], rules.AT_RISK: []}
    by_county: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in db.session.execute(_fails_query(period, viewer, absent_counts_as_fail=absent_counts_as_fail,
                                               details=False)):
        risk = rules.classify_risk(row.status, row.before_status, absent_counts_as_fail=absent_counts_as_fail)
        if risk not in chosen:
            continue
        by_county[row.county_name or "（未分配）"][risk] += 1
        if limit is None or len(chosen[risk]) < limit:
            chosen[risk].append(row.person_id)
    found.by_county = {county: dict(counts) for county, counts in sorted(by_county.items())}
    found.penalty_due_total = sum(c.get(rules.PENALTY_DUE, 0) for c in by_county.values())
    found.at_risk_total = sum(c.get(rules.AT_RISK, 0) for c in by_county.values())
    wanted = chosen[rules.PENALTY_DUE] + chosen[rules.AT_RISK]
    if not wanted:
        return found
    query = _fails_query(period, viewer, absent_counts_as_fail=absent_counts_as_fail)
    rows = {row.person_id: _risk_row(period, row, absent_counts_as_fail)
            for row in db.session.execute(query.where(Outcome.user_id.in_(wanted)))}
    found.penalty_due = _with_runs_and_penalties(period, [rows[i] for i in chosen[rules.PENALTY_DUE]],
                                                 absent_counts_as_fail)
    found.at_risk = [rows[i] for i in chosen[rules.AT_RISK]]
    return found


def _with_runs_and_penalties(period: str, rows: list[RiskRow], absent_counts_as_fail: bool) -> list[RiskRow]:
    if not rows:
        return rows
    ids = [r.person.user_id for r in rows]
    history: dict[int, list[str]] = defaultdict(list)
    for user_id, status in db.session.execute(select(Outcome.user_id, Outcome.status).where(
            Outcome.user_id.in_(ids), Outcome.period <= period).order_by(Outcome.user_id, Outcome.period)):
        history[user_id].append(status)
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    penalties: dict[int, str] = {}
    for user_id, is_reversed in db.session.execute(
            select(LedgerEntry.user_id, LedgerEntry.id.in_(reversed_ids)).where(
                LedgerEntry.period == period, LedgerEntry.kind == CASH_PENALTY, LedgerEntry.user_id.in_(ids))):
        penalties[user_id] = "reversed" if is_reversed else "standing"
    return [RiskRow(r.person, r.period, r.status, r.score, r.previous_period, r.previous_status, r.previous_score,
                    r.risk, rules.fail_run(history[r.person.user_id], absent_counts_as_fail=absent_counts_as_fail),
                    penalties.get(r.person.user_id, "")) for r in rows]
