"""Read-only queries behind the report pages and their xlsx exports. Every one is scoped to the viewer.

Two kinds of scoping, on purpose:
- **named rows** (a person, their attempts, ledger entries, risk lists) go through ``user_scope_clause`` on the
  person's *current* unit, exactly like the assessment pages, so a county supervisor never sees a name from another
  county;
- **unit statistics** (pass rate by county and grid, trends) are scoped and grouped by the unit the outcome was
  recorded under when its period closed (``Outcome.county_id/grid_id``), so a county's history stays its history
  when people move, and no join to ``users`` is needed over 24 periods of data.

No query here runs per row: each page issues a fixed number of statements whatever the number of people
(tests/reports/test_query_counts.py holds this).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from lms.accounts.access import scope_clause, user_scope_clause
from lms.accounts.models import User
from lms.assessment import queries as assessment_queries
from lms.assessment.models import ClosedPeriod, LedgerEntry, Notice, Outcome, Ranking
from lms.attempts import rules as attempt_rules
from lms.attempts.models import EXEMPT as ACCOMMODATION_EXEMPT
from lms.attempts.models import IN_PROGRESS as ATTEMPT_IN_PROGRESS
from lms.attempts.models import VOID as ACCOMMODATION_VOID
from lms.attempts.models import Accommodation, Attempt, AttemptAnswer, AttemptEvent
from lms.core.clock import period_of
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit
from lms.quizzes.models import KIND_LABELS as QUIZ_KIND_LABELS
from lms.quizzes.models import MONTHLY, SYSTEM_OPS, Quiz, QuizVersion
from lms.reports import rules

LIST_LIMIT = 50  # rows of a list shown on a page; the xlsx export has them all
LEDGER_PAGE_SIZE = 50
TREND_PERIODS = 12
DEDUCTION, CASH_PENALTY, REVERSAL = "deduction", "cash_penalty", "reversal"
MANAGER = "manager"


def outcome_unit_scope(viewer: User) -> Any:
    """Scope over outcomes by the unit they were recorded under (see the module docstring)."""
    return scope_clause(viewer, user_id_col=Outcome.user_id, county_col=Outcome.county_id,
                        grid_col=Outcome.grid_id)


@dataclass(frozen=True)
class PersonRef:
    user_id: int
    employee_no: str
    name: str
    county: str | None
    grid: str | None


# Built once: making aliases per query costs more than running the small queries themselves.
_COUNTY = aliased(Unit, name="person_county")
_GRID = aliased(Unit, name="person_grid")
_CREATOR = aliased(User, name="entry_creator")


def _person_columns() -> tuple[Any, Any, Any, Any]:
    return _COUNTY, _GRID, _COUNTY.name.label("county_name"), _GRID.name.label("grid_name")


def _with_person(query: Select[Any], user_id_col: Any, viewer: User) -> tuple[Select[Any], Any]:
    """Add the person and their current county/grid names, scoped to ``viewer``. ``user_id_col`` joins ``users``
    to the query's rows; ``None`` means the query is over ``users`` itself."""
    county, grid, county_name, grid_name = _person_columns()
    query = query.add_columns(User.id.label("person_id"), User.employee_no, User.name, county_name, grid_name)
    query = query.select_from(User) if user_id_col is None else query.join(User, User.id == user_id_col)
    query = (query.outerjoin(county, county.id == User.county_id)
             .outerjoin(grid, grid.id == User.grid_id)
             .where(user_scope_clause(viewer)))
    return query, (county_name, grid_name)


def _person(row: Any) -> PersonRef:
    return PersonRef(row.person_id, row.employee_no, row.name, row.county_name, row.grid_name)


def default_period(now: datetime) -> str:
    """This month if it has a monthly test, else the latest earlier period that had one (rules.default_board_period)."""
    from lms.assessment.services import monthly_periods

    return rules.default_board_period(period_of(now), monthly_periods())


def board_periods(now: datetime, chosen: str) -> list[str]:
    """The periods a viewer can pick on the board: every period with a monthly test or a close, this month and the
    chosen one; newest first."""
    from lms.assessment.services import monthly_periods

    return sorted({*monthly_periods(), period_of(now), chosen}, reverse=True)


def closed_periods() -> list[str]:
    return list(db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period)))


def latest_closed_period(upto: str) -> str | None:
    return db.session.scalar(select(ClosedPeriod.period).where(ClosedPeriod.period <= upto)
                             .order_by(ClosedPeriod.period.desc()).limit(1))


# --- the current period -------------------------------------------------------------------------------------------


@dataclass
class CurrentPeriod:
    period: str
    closed: bool
    has_test: bool
    opens_at: datetime | None
    closes_at: datetime | None
    counts: dict[str, int]
    by_county: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def days_left(self, now: datetime) -> int | None:
        if self.closed or self.closes_at is None or now >= self.closes_at:
            return None
        return rules.days_left((self.closes_at - now).total_seconds())

    def is_window_open(self, now: datetime) -> bool:
        return (not self.closed and self.closes_at is not None and now < self.closes_at
                and (self.opens_at is None or now >= self.opens_at))


def _monthly_quiz_windows(period: str) -> tuple[list[int], datetime | None, datetime | None]:
    """Quiz ids of the period's monthly tests, their earliest open and latest close (make-up windows included)."""
    from lms.assessment.services import monthly_tests

    tests = monthly_tests(period)
    opens = [t.opens_at for t in tests if t.opens_at is not None]
    closes = [t.last_close for t in tests if t.last_close is not None]
    return [t.quiz_id for t in tests], min(opens) if opens else None, max(closes) if closes else None


def _attempt_flags(quiz_ids: list[int]) -> Any:
    """Per person: any attempt running, any finished, any passed (official attempts of these quizzes)."""
    finished = Attempt.status != ATTEMPT_IN_PROGRESS
    return (select(Attempt.user_id.label("user_id"),
                   func.max(case((Attempt.status == ATTEMPT_IN_PROGRESS, 1), else_=0)).label("running"),
                   func.max(case((finished, 1), else_=0)).label("finished"),
                   func.max(case((and_(finished, Attempt.passed.is_(True)), 1), else_=0)).label("passed"))
            .where(Attempt.quiz_id.in_(quiz_ids), Attempt.official.is_(True))
            .group_by(Attempt.user_id).subquery())


def _exempt_people(quiz_ids: list[int]) -> Any:
    return select(Accommodation.user_id).where(Accommodation.quiz_id.in_(quiz_ids),
                                               Accommodation.kind.in_((ACCOMMODATION_EXEMPT, ACCOMMODATION_VOID)))


def _managers(viewer: User) -> Any:
    return and_(User.role == MANAGER, User.active.is_(True), user_scope_clause(viewer))


def current_period(viewer: User, period: str) -> CurrentPeriod:
    """Counts of the viewer's managers by where they stand in ``period``, in all and per county: from the outcomes
    once it is closed, else from their attempts (not started, taking it, passed, failed so far, exempt)."""
    quiz_ids, opens_at, closes_at = _monthly_quiz_windows(period)
    closed = db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)) is not None
    counts: dict[str, int] = defaultdict(int)
    by_county: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if closed:
        rows = db.session.execute(select(Outcome.county_id, Outcome.status, func.count())
                                  .join(User, User.id == Outcome.user_id)
                                  .where(Outcome.period == period, user_scope_clause(viewer))
                                  .group_by(Outcome.county_id, Outcome.status))
        for county_id, status, count in rows:
            state = rules.state_of_outcome(status)
            counts[state] += count
            by_county[county_id][state] += count
    elif quiz_ids:
        # Three small groupings rather than one outer join of every manager with their attempts: the managers per
        # county, the exempt ones, and those who attempted (by their attempt flags); "not started" is the rest.
        exempt = _exempt_people(quiz_ids)
        managers = dict(db.session.execute(select(User.county_id, func.count()).where(_managers(viewer))
                                           .group_by(User.county_id)).all())
        excused = dict(db.session.execute(select(User.county_id, func.count()).where(
            _managers(viewer), User.id.in_(exempt)).group_by(User.county_id)).all())
        flags = _attempt_flags(quiz_ids)
        rows = db.session.execute(
            select(User.county_id, flags.c.running, flags.c.finished, flags.c.passed, func.count())
            .select_from(flags).join(User, User.id == flags.c.user_id)
            .where(_managers(viewer), User.id.not_in(exempt))
            .group_by(User.county_id, flags.c.running, flags.c.finished, flags.c.passed))
        started: dict[int | None, int] = defaultdict(int)
        for county_id, running, finished, passed, count in rows:
            state = rules.current_state(exempt=False, passed=bool(passed), finished=bool(finished),
                                        running=bool(running))
            counts[state] += count
            by_county[county_id][state] += count
            started[county_id] += count
        for county_id, total in managers.items():
            waiting = total - started[county_id] - excused.get(county_id, 0)
            if excused.get(county_id):
                counts[rules.EXEMPTED] += excused[county_id]
                by_county[county_id][rules.EXEMPTED] += excused[county_id]
            counts[rules.NOT_STARTED] += waiting
            by_county[county_id][rules.NOT_STARTED] += waiting
    names = _unit_names({c for c in by_county if c is not None})
    return CurrentPeriod(period, closed, bool(quiz_ids), opens_at, closes_at, dict(counts),
                         {names.get(c or 0, "（未分配）"): dict(v) for c, v in sorted(
                             by_county.items(), key=lambda item: names.get(item[0] or 0, ""))})


def _unit_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


@dataclass(frozen=True)
class NotSatRow:
    person: PersonRef
    days_left: int | None


def not_yet_sat(viewer: User, period: str, *, now: datetime, limit: int | None = LIST_LIMIT) -> list[NotSatRow]:
    """Managers with no attempt at all at the period's monthly test (and no exemption), while it is not closed."""
    quiz_ids, _opens, closes_at = _monthly_quiz_windows(period)
    if not quiz_ids or db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)):
        return []
    return _not_sat(viewer, quiz_ids, closes_at, now=now, limit=limit)


# --- tests open now ----------------------------------------------------------------------------------------------

OFFICIAL_KINDS = (MONTHLY, SYSTEM_OPS)


@dataclass(frozen=True)
class OpenTest:
    """An official test a manager could start now (monthly or system-ops), in its window or its make-up window."""

    quiz_id: int
    slug: str
    title: str
    kind: str
    period: str | None
    opens_at: datetime | None
    closes_at: datetime | None  # of the window open now (the make-up's close during a make-up)
    makeup: bool

    @property
    def kind_label(self) -> str:
        return QUIZ_KIND_LABELS.get(self.kind, self.kind)

    def days_left(self, now: datetime) -> int | None:
        return None if self.closes_at is None else rules.days_left((self.closes_at - now).total_seconds())


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def open_tests(now: datetime) -> list[OpenTest]:
    """Every monthly and system-operation test open now (make-up windows included), the soonest to close first.

    One statement: the live official quizzes with their current version (a handful of rows)."""
    found = []
    for quiz, version in db.session.execute(
            select(Quiz, QuizVersion).join(QuizVersion, QuizVersion.id == Quiz.current_version_id)
            .where(Quiz.kind.in_(OFFICIAL_KINDS), Quiz.retired_at.is_(None))):
        definition = version.definition or {}
        window = rules.open_window(now, opens_at=version.opens_at, closes_at=version.closes_at,
                                   makeup_opens_at=_moment(definition.get("makeup_opens_at")),
                                   makeup_closes_at=_moment(definition.get("makeup_closes_at")))
        if window is not None:
            found.append(OpenTest(quiz.id, quiz.slug, quiz.title, quiz.kind, quiz.period, version.opens_at,
                                  window.closes_at, window.makeup))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda t: (t.closes_at or far, t.title, t.slug))


@dataclass
class OpenTestProgress:
    """Where the viewer's managers stand in one open test, and who has not sat it yet (the first ``limit``)."""

    test: OpenTest
    counts: dict[str, int]
    not_sat: list[NotSatRow]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_sat_total(self) -> int:
        return self.counts.get(rules.NOT_STARTED, 0)


def _exempt_from(quiz_id_col: Any, user_id_col: Any) -> Any:
    """An exemption (or voided result) of this person on this quiz."""
    return select(Accommodation.id).where(
        Accommodation.quiz_id == quiz_id_col, Accommodation.user_id == user_id_col,
        Accommodation.kind.in_((ACCOMMODATION_EXEMPT, ACCOMMODATION_VOID))).exists()


def open_tests_progress(viewer: User, tests: list[OpenTest], *, now: datetime,
                   limit: int | None = LIST_LIMIT) -> list[OpenTestProgress]:
    """For each open test: the viewer's active managers by state (not started, taking it, passed, failed, exempt),
    and the ones who have not started it, scoped to the viewer's unit.

    A fixed number of statements whatever the number of people: three for all the tests' counts, then one per test
    for its list (a test is only listed while it is open, so there are a few)."""
    if not tests:
        return []
    ids = [t.quiz_id for t in tests]
    managers = db.session.scalar(select(func.count()).select_from(User).where(_managers(viewer))) or 0
    exempt = dict(db.session.execute(
        select(Accommodation.quiz_id, func.count(func.distinct(Accommodation.user_id)))
        .join(User, User.id == Accommodation.user_id)
        .where(Accommodation.quiz_id.in_(ids), Accommodation.kind.in_((ACCOMMODATION_EXEMPT, ACCOMMODATION_VOID)),
               _managers(viewer))
        .group_by(Accommodation.quiz_id)).all())
    finished = Attempt.status != ATTEMPT_IN_PROGRESS
    flags = (select(Attempt.quiz_id.label("quiz_id"), Attempt.user_id.label("user_id"),
                    func.max(case((Attempt.status == ATTEMPT_IN_PROGRESS, 1), else_=0)).label("running"),
                    func.max(case((finished, 1), else_=0)).label("finished"),
                    func.max(case((and_(finished, Attempt.passed.is_(True)), 1), else_=0)).label("passed"))
             .where(Attempt.quiz_id.in_(ids), Attempt.official.is_(True))
             .group_by(Attempt.quiz_id, Attempt.user_id).subquery())
    counts: dict[int, dict[str, int]] = {i: defaultdict(int) for i in ids}
    for quiz_id, running, done, passed, count in db.session.execute(
            select(flags.c.quiz_id, flags.c.running, flags.c.finished, flags.c.passed, func.count())
            .select_from(flags).join(User, User.id == flags.c.user_id)
            .where(_managers(viewer), ~_exempt_from(flags.c.quiz_id, User.id))
            .group_by(flags.c.quiz_id, flags.c.running, flags.c.finished, flags.c.passed)):
        state = rules.current_state(exempt=False, passed=bool(passed), finished=bool(done), running=bool(running))
        counts[quiz_id][state] += count
    found = []
    for test in tests:
        tally = counts[test.quiz_id]
        if exempt.get(test.quiz_id):
            tally[rules.EXEMPTED] = exempt[test.quiz_id]
        tally[rules.NOT_STARTED] = managers - sum(tally.values())
        found.append(OpenTestProgress(test, dict(tally), _not_sat(viewer, [test.quiz_id], test.closes_at, now=now,
                                                                  limit=limit)))
    return found


def _not_sat(viewer: User, quiz_ids: list[int], closes_at: datetime | None, *, now: datetime,
             limit: int | None) -> list[NotSatRow]:
    """The viewer's active managers with no attempt at these quizzes and no exemption, by county, grid, number."""
    took = select(Attempt.user_id).where(Attempt.quiz_id.in_(quiz_ids), Attempt.official.is_(True))
    query, (county_name, grid_name) = _with_person(select(), None, viewer)
    query = (query.where(_managers(viewer), User.id.not_in(took), User.id.not_in(_exempt_people(quiz_ids)))
             .order_by(county_name, grid_name, User.employee_no))
    if limit is not None:
        query = query.limit(limit)
    left = rules.days_left((closes_at - now).total_seconds()) if closes_at is not None and now < closes_at else None
    return [NotSatRow(_person(row), left) for row in db.session.execute(query)]


# --- the risk board -----------------------------------------------------------------------------------------------


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


OUTCOME_LABELS = {"PASS": "及格", "FAIL": "不及格", "ABSENT": "缺考", "EXEMPT": "免考", "VOID": "成绩作废"}


def _fails_query(period: str, viewer: User, *, absent_counts_as_fail: bool, details: bool = True,
                 failed_twice: bool = False) -> Select[Any]:
    """``lms.assessment.queries.fails_with_previous`` (the one implementation of R2's "deciding earlier outcome",
    shared with the failed-twice API) with the person's current units, scoped to ``viewer``."""
    query = assessment_queries.fails_with_previous(period, absent_counts_as_fail=absent_counts_as_fail,
                                                   details=details, failed_twice=failed_twice)
    query, (county_name, grid_name) = _with_person(query, Outcome.user_id, viewer)
    return query.order_by(county_name, grid_name, User.employee_no)


def failed_twice_rows(period: str, viewer: User, *, absent_counts_as_fail: bool = True,
                      limit: int | None = None) -> list[RiskRow]:
    """People whose ``period`` fail is at least their second in a row (the 200-yuan penalty is due), one query."""
    query = _fails_query(period, viewer, absent_counts_as_fail=absent_counts_as_fail, failed_twice=True)
    if limit is not None:
        query = query.limit(limit)
    return [_risk_row(period, row, absent_counts_as_fail) for row in db.session.execute(query)]


def _risk_row(period: str, row: Any, absent_counts_as_fail: bool) -> RiskRow:
    return RiskRow(_person(row), period, row.status, row.score, row.previous_period, row.before_status,
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


@dataclass(frozen=True)
class EntryRow:
    id: int
    person: PersonRef
    period: str
    kind: str
    amount_yuan: int | None
    points: float | None
    reason: str
    created_at: datetime
    created_by: str | None
    reverses_id: int | None
    reversed_by: int | None

    @property
    def kind_label(self) -> str:
        from lms.assessment.rules import KIND_LABELS

        return KIND_LABELS.get(self.kind, self.kind)


def _entry_rows(query: Select[Any]) -> list[EntryRow]:
    rows = list(db.session.execute(query))
    ids = [row.id for row in rows]
    reversed_by: dict[int, int] = {}
    if ids:
        reversed_by = {target: reversal for target, reversal in db.session.execute(  # noqa: C416 - rows, not pairs
            select(LedgerEntry.reverses_id, LedgerEntry.id).where(LedgerEntry.reverses_id.in_(ids)))}
    return [EntryRow(row.id, _person(row), row.period, row.kind, row.amount_yuan, row.points, row.reason,
                     row.created_at, row.creator, row.reverses_id, reversed_by.get(row.id)) for row in rows]


def _entries_query(viewer: User) -> Select[Any]:
    creator = _CREATOR
    query = (select(LedgerEntry.id, LedgerEntry.period, LedgerEntry.kind, LedgerEntry.amount_yuan,
                    LedgerEntry.points, LedgerEntry.reason, LedgerEntry.created_at, LedgerEntry.reverses_id,
                    creator.name.label("creator"))
             .outerjoin(creator, creator.id == LedgerEntry.created_by_id))
    query, _names = _with_person(query, LedgerEntry.user_id, viewer)
    return query


def deductions(viewer: User, periods: list[str], *, limit: int | None = LIST_LIMIT) -> list[EntryRow]:
    """System-operation deductions (R3) of these periods, newest first, reversed ones marked."""
    query = (_entries_query(viewer).where(LedgerEntry.kind == DEDUCTION, LedgerEntry.period.in_(periods))
             .order_by(LedgerEntry.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return _entry_rows(query)


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


# --- a period -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitStats:
    unit_id: int | None
    name: str
    county: str | None  # a grid's county
    tally: rules.Tally


@dataclass(frozen=True)
class BandRow:
    person: PersonRef
    position: int
    group_size: int
    unified_score: float
    test_score: float | None
    band: str


@dataclass(frozen=True)
class LedgerSummaryRow:
    kind: str
    count: int
    reversed: int
    amount_yuan: int
    points: float

    @property
    def kind_label(self) -> str:
        from lms.assessment.rules import KIND_LABELS

        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class NoticeLink:
    county_id: int
    county: str
    published_at: datetime | None


@dataclass
class PeriodReport:
    period: str
    closed: bool
    total: rules.Tally
    counties: list[UnitStats]
    grids: list[UnitStats]
    bins: list[rules.Bin]
    trend: list[tuple[str, rules.Tally]]
    bands: list[BandRow]
    ledger_summary: list[LedgerSummaryRow]
    ledger: list[EntryRow]
    ledger_total: int
    page: int
    notices: list[NoticeLink]

    @property
    def pages(self) -> int:
        return max(1, -(-self.ledger_total // LEDGER_PAGE_SIZE))


def _tally_rows(query: Select[Any]) -> list[tuple[Any, ...]]:
    """Rows of (grouping columns…, status, count, score sum, scored count)."""
    return [tuple(row) for row in db.session.execute(query)]


def unit_tallies(period: str, viewer: User) -> tuple[rules.Tally, list[UnitStats], list[UnitStats]]:
    rows = _tally_rows(
        select(Outcome.county_id, Outcome.grid_id, Outcome.status, func.count(), func.sum(Outcome.score),
               func.count(Outcome.score))
        .where(Outcome.period == period, outcome_unit_scope(viewer))
        .group_by(Outcome.county_id, Outcome.grid_id, Outcome.status))
    by_county: dict[int | None, rules.Tally] = defaultdict(rules.Tally)
    by_grid: dict[tuple[int | None, int | None], rules.Tally] = defaultdict(rules.Tally)
    for county_id, grid_id, status, count, score_sum, scored in rows:
        tally = rules.tally_of(status, count, score_sum, scored)
        by_county[county_id] = by_county[county_id] + tally
        by_grid[(county_id, grid_id)] = by_grid[(county_id, grid_id)] + tally
    ids = {i for i in by_county if i is not None} | {g for _c, g in by_grid if g is not None}
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}
    unknown = "（未分配）"
    counties = sorted((UnitStats(c, names.get(c, unknown) if c else unknown, None, t) for c, t in by_county.items()),
                      key=lambda u: u.name)
    grids = sorted((UnitStats(g, names.get(g, unknown) if g else unknown, names.get(c) if c else None, t)
                    for (c, g), t in by_grid.items()), key=lambda u: (u.county or "", u.name))
    return rules.total_tally(by_county.values()), counties, grids


def _bin_expression(score: Any) -> Any:
    edges = rules.BIN_EDGES
    return case(*[(score >= edges[i], i) for i in range(len(edges) - 2, 0, -1)], else_=0)


def score_bins(period: str, viewer: User) -> list[rules.Bin]:
    bucket = _bin_expression(Outcome.score)
    rows = db.session.execute(select(bucket, func.count()).where(
        Outcome.period == period, Outcome.score.is_not(None), Outcome.status.in_((rules.PASS, rules.FAIL)),
        outcome_unit_scope(viewer)).group_by(bucket))
    return rules.histogram({int(index): count for index, count in rows})


def trend(period: str, viewer: User, *, months: int = TREND_PERIODS, unit_id: int | None = None
          ) -> list[tuple[str, rules.Tally]]:
    """Pass rate and average of each of the ``months`` periods ending with ``period`` (only closed ones appear)."""
    periods = rules.months_back(period, months)
    query = (select(Outcome.period, Outcome.status, func.count(), func.sum(Outcome.score), func.count(Outcome.score))
             .where(Outcome.period.in_(periods), outcome_unit_scope(viewer))
             .group_by(Outcome.period, Outcome.status))
    if unit_id is not None:
        query = query.where(or_(Outcome.county_id == unit_id, Outcome.grid_id == unit_id))
    by_period: dict[str, rules.Tally] = defaultdict(rules.Tally)
    for row_period, status, count, score_sum, scored in db.session.execute(query):
        by_period[row_period] = by_period[row_period] + rules.tally_of(status, count, score_sum, scored)
    return [(p, by_period[p]) for p in periods if p in by_period]


def bands(period: str, viewer: User, *, only_bands: bool = True, limit: int | None = None) -> list[BandRow]:
    """The ranking's yellow cards (bottom) and rewards (top), per county; everyone with ``only_bands=False``."""
    query = select(Ranking.position, Ranking.group_size, Ranking.unified_score, Ranking.test_score, Ranking.band)
    query, (county_name, _grid) = _with_person(query, Ranking.user_id, viewer)
    query = query.where(Ranking.period == period)
    if only_bands:
        query = query.where(Ranking.band.is_not(None))
    query = query.order_by(county_name, Ranking.position)
    if limit is not None:
        query = query.limit(limit)
    return [BandRow(_person(row), row.position, row.group_size, row.unified_score, row.test_score, row.band or "")
            for row in db.session.execute(query)]


def ledger_summary(period: str, viewer: User) -> list[LedgerSummaryRow]:
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    is_reversed = LedgerEntry.id.in_(reversed_ids)
    rows = db.session.execute(
        select(LedgerEntry.kind, func.count(), func.sum(case((is_reversed, 1), else_=0)),
               func.sum(case((is_reversed, 0), else_=func.coalesce(LedgerEntry.amount_yuan, 0))),
               func.sum(case((is_reversed, 0.0), else_=func.coalesce(LedgerEntry.points, 0.0))))
        .join(User, User.id == LedgerEntry.user_id)
        .where(LedgerEntry.period == period, user_scope_clause(viewer)).group_by(LedgerEntry.kind))
    from lms.assessment.rules import LEDGER_KINDS

    found = {kind: LedgerSummaryRow(kind, count, int(rev or 0), int(amount or 0), float(points or 0))
             for kind, count, rev, amount, points in rows}
    return [found[k] for k in LEDGER_KINDS if k in found]


def period_ledger(period: str, viewer: User, *, page: int = 1, page_size: int | None = LEDGER_PAGE_SIZE
                  ) -> list[EntryRow]:
    query = _entries_query(viewer).where(LedgerEntry.period == period).order_by(LedgerEntry.id)
    if page_size is not None:
        query = query.limit(page_size).offset((max(page, 1) - 1) * page_size)
    return _entry_rows(query)


def notice_links(period: str, viewer: User) -> list[NoticeLink]:
    counties = select(Unit.id, Unit.name).where(Unit.kind == COUNTY).order_by(Unit.name)
    scope = viewer.scope
    if scope.kind != "all":
        counties = counties.where(Unit.id == viewer.county_id)
    published = dict(db.session.execute(select(Notice.county_id, Notice.published_at)
                                         .where(Notice.period == period)).all())
    return [NoticeLink(county_id, name, published.get(county_id)) for county_id, name in db.session.execute(counties)]


def period_report(period: str, viewer: User, *, page: int = 1) -> PeriodReport:
    total, counties, grids = unit_tallies(period, viewer)
    summary = ledger_summary(period, viewer)
    closed = db.session.scalar(select(ClosedPeriod.id).where(ClosedPeriod.period == period)) is not None
    return PeriodReport(
        period=period, closed=closed, total=total, counties=counties, grids=grids,
        bins=score_bins(period, viewer), trend=trend(period, viewer), bands=bands(period, viewer),
        ledger_summary=summary, ledger=period_ledger(period, viewer, page=page),
        ledger_total=sum(r.count for r in summary), page=page, notices=notice_links(period, viewer) if closed else [])


# --- a person -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    period: str
    status: str
    score: float | None
    note: str
    position: int | None
    group_size: int | None
    band: str | None

    @property
    def status_label(self) -> str:
        return OUTCOME_LABELS.get(self.status, self.status)


@dataclass
class AttemptEvidence:
    id: int
    quiz_slug: str
    quiz_title: str
    period: str | None
    number: int
    official: bool
    makeup: bool
    status: str
    started_at: datetime
    deadline_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    score: float | None
    passed: bool | None
    events: list[tuple[datetime, str, dict[str, Any] | None]] = field(default_factory=list)

    @property
    def saves(self) -> int:
        return sum(1 for _at, kind, _d in self.events if kind == "answer_saved")

    @property
    def tab_switches(self) -> int:
        return sum(1 for _at, kind, _d in self.events if attempt_rules.is_switch(kind))  # real switches only

    @property
    def offline(self) -> int:
        return sum(1 for _at, kind, _d in self.events if kind == "offline")

    @property
    def minutes(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() / 60, 1)


EVENTS_PER_ATTEMPT = 300


@dataclass
class PersonReport:
    person: User
    county: str | None
    grid: str | None
    outcomes: list[OutcomeRow]
    attempts: list[AttemptEvidence]
    certificates: list[dict[str, Any]]
    training: list[dict[str, Any]]
    lessons: list[dict[str, Any]]


def person_report(person: User) -> PersonReport:
    """Everything about one person a supervisor looks at before acting on an appeal. The caller checked scope."""
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_([i for i in (person.county_id, person.grid_id) if i is not None]))).all())
    outcomes = [OutcomeRow(row.period, row.status, row.score, row.note or "", row.position, row.group_size, row.band)
                for row in db.session.execute(
                    select(Outcome.period, Outcome.status, Outcome.score, Outcome.note, Ranking.position,
                           Ranking.group_size, Ranking.band)
                    .outerjoin(Ranking, and_(Ranking.period == Outcome.period, Ranking.user_id == Outcome.user_id))
                    .where(Outcome.user_id == person.id).order_by(Outcome.period))]
    attempts = [AttemptEvidence(row.id, row.slug, row.title, row.period, row.number, row.official, row.makeup,
                                row.status, row.started_at, row.deadline_at, row.finished_at, row.finish_reason,
                                row.score, row.passed)
                for row in db.session.execute(
                    select(Attempt.id, Quiz.slug, Quiz.title, Quiz.period, Attempt.number, Attempt.official,
                           Attempt.makeup, Attempt.status, Attempt.started_at, Attempt.deadline_at,
                           Attempt.finished_at, Attempt.finish_reason, Attempt.score, Attempt.passed)
                    .join(Quiz, Quiz.id == Attempt.quiz_id).where(Attempt.user_id == person.id)
                    .order_by(Attempt.started_at.desc()))]
    by_id = {a.id: a for a in attempts}
    if by_id:
        for attempt_id, at, kind, detail in db.session.execute(
                select(AttemptEvent.attempt_id, AttemptEvent.at, AttemptEvent.kind, AttemptEvent.detail)
                .where(AttemptEvent.attempt_id.in_(select(Attempt.id).where(Attempt.user_id == person.id)))
                .order_by(AttemptEvent.at, AttemptEvent.id)):
            evidence = by_id[attempt_id]
            if len(evidence.events) < EVENTS_PER_ATTEMPT:
                evidence.events.append((at, kind, detail))
    return PersonReport(person, names.get(person.county_id or 0), names.get(person.grid_id or 0), outcomes, attempts,
                        _certificates(person.id), _training(person.id), _lessons(person.id))


def _certificates(user_id: int) -> list[dict[str, Any]]:
    from lms.certificates.models import Certificate

    return [dict(row._mapping) for row in db.session.execute(
        select(Certificate.code, Certificate.quiz_title, Certificate.period, Certificate.score, Certificate.issued_at,
               Certificate.revoked_at).where(Certificate.user_id == user_id).order_by(Certificate.issued_at.desc()))]


def _training(user_id: int) -> list[dict[str, Any]]:
    from lms.courses import rules as course_rules
    from lms.courses.models import TrainingInvitation, TrainingSession

    rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.title, TrainingSession.mode, TrainingSession.starts_at,
               TrainingSession.place, TrainingSession.cancelled_at, TrainingInvitation.attendance)
        .join(TrainingInvitation, TrainingInvitation.session_id == TrainingSession.id)
        .where(TrainingInvitation.user_id == user_id).order_by(TrainingSession.starts_at.desc()))
    return [{**row._mapping, "mode_label": course_rules.TRAINING_MODES.get(row.mode, row.mode),
             "attendance_label": course_rules.ATTENDANCE.get(row.attendance, row.attendance)} for row in rows]


def _lessons(user_id: int) -> list[dict[str, Any]]:
    from lms.courses.models import Lesson, LessonProgress

    return [dict(row._mapping) for row in db.session.execute(
        select(Lesson.slug, Lesson.title, Lesson.category, LessonProgress.visits, LessonProgress.first_opened_at,
               LessonProgress.last_opened_at, LessonProgress.studied_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).where(LessonProgress.user_id == user_id)
        .order_by(LessonProgress.last_opened_at.desc()))]


# --- trainer analytics --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizRow:
    id: int
    slug: str
    title: str
    kind: str
    period: str | None
    attempts: int
    passed: int
    average: float | None

    @property
    def pass_rate(self) -> float | None:
        return rules.pass_rate(self.passed, self.attempts)

    @property
    def kind_label(self) -> str:
        return QUIZ_KIND_LABELS.get(self.kind, self.kind)


def quiz_overview(viewer: User) -> list[QuizRow]:
    finished = and_(Attempt.status != ATTEMPT_IN_PROGRESS, Attempt.score.is_not(None))
    people = select(User.id).where(user_scope_clause(viewer))
    stats = (select(Attempt.quiz_id, func.count().label("attempts"),
                    func.sum(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
                    func.avg(Attempt.score).label("average"))
             .where(finished, Attempt.user_id.in_(people)).group_by(Attempt.quiz_id).subquery())
    rows = db.session.execute(
        select(Quiz.id, Quiz.slug, Quiz.title, Quiz.kind, Quiz.period, stats.c.attempts, stats.c.passed,
               stats.c.average)
        .outerjoin(stats, stats.c.quiz_id == Quiz.id)
        .order_by(Quiz.period.desc().nulls_last(), Quiz.slug))
    return [QuizRow(r.id, r.slug, r.title, r.kind, r.period, int(r.attempts or 0), int(r.passed or 0),
                    round(float(r.average), 1) if r.average is not None else None) for r in rows]


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    type: str
    stem: str
    options: tuple[str, ...]
    correct: tuple[int, ...]  # source option indexes (true/false: 0 true, 1 false)
    accepted: tuple[str, ...]
    lesson: str | None
    points: float
    position: int


@dataclass(frozen=True)
class QuestionAnalysis:
    info: QuestionInfo
    stats: rules.ItemStats
    lesson_title: str | None


@dataclass
class QuizAnalysis:
    quiz: Quiz
    attempts: int
    average: float | None
    passed: int
    questions: list[QuestionAnalysis]

    @property
    def pass_rate(self) -> float | None:
        return rules.pass_rate(self.passed, self.attempts)

    def most_missed(self, count: int = 10) -> list[QuestionAnalysis]:
        known = [q for q in self.questions if q.stats.facility is not None]
        return sorted(known, key=lambda q: (q.stats.facility or 0.0, q.info.position))[:count]


def question_info(question: dict[str, Any], position: int) -> QuestionInfo:
    """What a paper question was (its authoring-order options and key), whatever shuffle the paper had."""
    if question["type"] == "truefalse":
        options: tuple[str, ...] = ("正确", "错误")
        correct = tuple(0 if c == "T" else 1 for c in question.get("correct", []))
    else:
        ordered = sorted(question.get("options", []), key=lambda o: o.get("source_index", 0))
        options = tuple(o["text"] for o in ordered)
        correct = tuple(sorted(o.get("source_index", 0) for o in question.get("options", [])
                               if o["id"] in set(question.get("correct", []))))
    return QuestionInfo(question["id"], question["type"], question.get("stem", ""), options, correct,
                        tuple(question.get("accepted", [])), question.get("lesson"),
                        float(question.get("points", 1)), position)


def source_indexes(question: dict[str, Any], choices: list[str] | None) -> tuple[int, ...]:
    """Display ids chosen on one paper → the options' authoring-order indexes."""
    if not choices:
        return ()
    if question["type"] == "truefalse":
        return tuple(sorted(0 if c == "T" else 1 for c in choices))
    by_id = {o["id"]: o.get("source_index", 0) for o in question.get("options", [])}
    return tuple(sorted(by_id[c] for c in choices if c in by_id))


def quiz_analysis(quiz: Quiz, viewer: User) -> QuizAnalysis:
    """Item analysis over the quiz's finished attempts by people the viewer may see."""
    finished = (select(Attempt.id, Attempt.score, Attempt.passed, Attempt.paper, Attempt.results)
                .join(User, User.id == Attempt.user_id)
                .where(Attempt.quiz_id == quiz.id, Attempt.status != ATTEMPT_IN_PROGRESS,
                       Attempt.score.is_not(None), user_scope_clause(viewer))
                .order_by(Attempt.id))
    attempts = list(db.session.execute(finished))
    answers: dict[tuple[int, str], tuple[list[str] | None, str | None]] = {}
    if attempts:
        ids = finished.with_only_columns(Attempt.id).order_by(None)
        for attempt_id, question_id, choices, text in db.session.execute(
                select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.choices,
                       AttemptAnswer.text).where(AttemptAnswer.attempt_id.in_(ids))):
            answers[(attempt_id, question_id)] = (choices, text)
    infos: dict[str, QuestionInfo] = {}
    responses: dict[str, list[rules.ItemResponse]] = defaultdict(list)
    for attempt in attempts:
        results = attempt.results or {}
        for question in (attempt.paper or {}).get("questions", []):
            qid = question["id"]
            if qid not in infos:
                infos[qid] = question_info(question, len(infos))
            outcome = results.get(qid)
            if outcome is None:
                continue
            possible = float(outcome.get("points") or 0)
            share = float(outcome.get("earned") or 0) / possible if possible else 0.0
            choices, text = answers.get((attempt.id, qid), (None, None))
            responses[qid].append(rules.ItemResponse(float(attempt.score or 0), share,
                                                     source_indexes(question, choices), text))
    lessons = lesson_titles({i.lesson for i in infos.values() if i.lesson})
    questions = [QuestionAnalysis(info, rules.analyse_item(qid, responses[qid], len(info.options)),
                                  lessons.get(info.lesson or ""))
                 for qid, info in sorted(infos.items(), key=lambda item: item[1].position)]
    scores = [float(a.score) for a in attempts]
    return QuizAnalysis(quiz, len(attempts), round(sum(scores) / len(scores), 1) if scores else None,
                        sum(1 for a in attempts if a.passed), questions)


def lesson_titles(slugs: set[str]) -> dict[str, str]:
    if not slugs:
        return {}
    from lms.courses.models import Lesson

    return dict(db.session.execute(select(Lesson.slug, Lesson.title).where(Lesson.slug.in_(slugs))).all())


def quiz_versions(quiz: Quiz) -> list[QuizVersion]:
    return list(db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                                   .order_by(QuizVersion.number)))


# --- point-to-point suggestions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedLesson:
    slug: str
    title: str | None
    misses: int


@dataclass(frozen=True)
class UnitSuggestion:
    grid_id: int
    grid: str
    county_id: int | None
    county: str | None
    rates: list[float | None]
    assessed: int
    suggestion: rules.Suggestion
    lessons: list[MissedLesson]


@dataclass(frozen=True)
class PersonSuggestion:
    person: PersonRef
    passed: int
    assessed: int
    suggestion: rules.Suggestion
    lessons: list[MissedLesson]


@dataclass
class Suggestions:
    periods: list[str]
    grids: list[UnitSuggestion]
    people: list[PersonSuggestion]


def suggestions(viewer: User, settings: rules.SuggestionSettings, *, pass_line: float) -> Suggestions:
    """Grids and people below the settings over the last ``settings.window`` closed periods, each with the lessons
    behind the questions they missed most in those periods' monthly tests."""
    periods = closed_periods()[-settings.window:]
    if not periods:
        return Suggestions([], [], [])
    grid_rates: dict[int, dict[str, rules.Tally]] = defaultdict(lambda: defaultdict(rules.Tally))
    grid_county: dict[int, int | None] = {}
    for period, county_id, grid_id, status, count in db.session.execute(
            select(Outcome.period, Outcome.county_id, Outcome.grid_id, Outcome.status, func.count())
            .where(Outcome.period.in_(periods), Outcome.grid_id.is_not(None), outcome_unit_scope(viewer))
            .group_by(Outcome.period, Outcome.county_id, Outcome.grid_id, Outcome.status)):
        grid_rates[grid_id][period] = grid_rates[grid_id][period] + rules.tally_of(status, count)
        grid_county[grid_id] = county_id
    flagged_grids = []
    for grid_id, by_period in grid_rates.items():
        rates = [by_period[p].pass_rate if p in by_period else None for p in periods]
        latest = next((by_period[p] for p in reversed(periods) if p in by_period), rules.Tally())
        found = rules.suggest(rates, latest.assessed, settings, rate_line=settings.unit_pass_rate)
        if found is not None:
            flagged_grids.append((grid_id, rates, latest.assessed, found))
    person_tallies: dict[int, rules.Tally] = defaultdict(rules.Tally)
    query, _names = _with_person(select(Outcome.status, func.count().label("n")), Outcome.user_id, viewer)
    query = query.where(Outcome.period.in_(periods)).group_by(
        Outcome.status, User.id, User.employee_no, User.name, query.selected_columns.county_name,
        query.selected_columns.grid_name)
    refs: dict[int, PersonRef] = {}
    for row in db.session.execute(query):
        refs[row.person_id] = _person(row)
        person_tallies[row.person_id] = person_tallies[row.person_id] + rules.tally_of(row.status, row.n)
    flagged_people = []
    for user_id, tally in person_tallies.items():
        rate = tally.pass_rate
        if rate is not None and tally.assessed >= 2 and rate < settings.person_pass_rate:
            reason = f"近{len(periods)}期合格率 {rate * 100:.0f}%（{tally.passed}/{tally.assessed}）"
            flagged_people.append((user_id, tally, rules.Suggestion((reason,), rate, None)))
    grid_ids = [g for g, *_ in flagged_grids]
    people_ids = [u for u, *_ in flagged_people]
    missed_by_grid, missed_by_person = missed_lessons(periods, grid_ids, people_ids)
    titles = lesson_titles({slug for counts in (*missed_by_grid.values(), *missed_by_person.values())
                            for slug in counts})
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_(set(grid_ids) | {c for c in grid_county.values() if c is not None}))).all()) \
        if grid_ids else {}

    def top(counts: dict[str, int]) -> list[MissedLesson]:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
        return [MissedLesson(slug, titles.get(slug), misses) for slug, misses in ranked]

    grids = [UnitSuggestion(g, names.get(g, ""), grid_county.get(g), names.get(grid_county.get(g) or 0), rates,
                            assessed, found, top(missed_by_grid.get(g, {})))
             for g, rates, assessed, found in flagged_grids]
    grids.sort(key=lambda s: (s.suggestion.latest_rate if s.suggestion.latest_rate is not None else 1.0, s.grid))
    people = [PersonSuggestion(refs[u], tally.passed, tally.assessed, found, top(missed_by_person.get(u, {})))
              for u, tally, found in flagged_people]
    people.sort(key=lambda s: (s.suggestion.latest_rate or 0.0, s.person.employee_no))
    return Suggestions(periods, grids, people)


def missed_lessons(periods: list[str], grid_ids: list[int], people_ids: list[int]
                   ) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Misses per lesson slug, per grid and per person, in the official monthly attempts of ``periods``."""
    if not grid_ids and not people_ids:
        return {}, {}
    who = or_(User.grid_id.in_(grid_ids), User.id.in_(people_ids))
    rows = db.session.execute(
        select(Attempt.user_id, User.grid_id, Attempt.paper, Attempt.results)
        .join(User, User.id == Attempt.user_id).join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Quiz.kind == MONTHLY, Quiz.period.in_(periods), Attempt.official.is_(True),
               Attempt.status != ATTEMPT_IN_PROGRESS, who))
    by_grid: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_person: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted_grids, wanted_people = set(grid_ids), set(people_ids)
    for user_id, grid_id, paper, results in rows:
        for question in (paper or {}).get("questions", []):
            outcome = (results or {}).get(question["id"])
            lesson = question.get("lesson")
            if not lesson or outcome is None or outcome.get("correct"):
                continue
            if grid_id in wanted_grids:
                by_grid[grid_id][lesson] += 1
            if user_id in wanted_people:
                by_person[user_id][lesson] += 1
    return by_grid, by_person


def people_refs(user_ids: set[int], viewer: User) -> dict[int, PersonRef]:
    if not user_ids:
        return {}
    query, _names = _with_person(select(), None, viewer)
    return {row.person_id: _person(row)
            for row in db.session.execute(query.where(User.id.in_(user_ids)))}


def grid_managers(grid_id: int, viewer: User) -> list[PersonRef]:
    query, _names = _with_person(select(), None, viewer)
    query = query.where(_managers(viewer), User.grid_id == grid_id).order_by(User.employee_no)
    return [_person(row) for row in db.session.execute(query)]


def visible_unit(unit_id: int, viewer: User) -> Unit | None:
    """A grid the viewer may see (their scope covers it)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind != GRID:
        return None
    scope = viewer.scope
    if scope.kind == "all" or (scope.kind == "county" and unit.parent_id == scope.county_id) or (
            scope.kind == "grid" and unit.id == scope.grid_id):
        return unit
    return None
