"""Read-side queries for pages, exports, the API and the close. Every list of people or their records is scoped to
the viewer (``lms.accounts.access.scope_clause``); ``viewer=None`` means the whole organisation (the command line)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.access import scope_clause
from lms.accounts.models import User
from lms.assessment import rules
from lms.assessment.models import (
    Appeal,
    ClosedPeriod,
    Indicator,
    LedgerEntry,
    Notice,
    Outcome,
    PostAdjustmentDecision,
    Ranking,
)
from lms.extensions import db
from lms.org import services as org
from lms.org.models import Unit
from lms.quizzes.models import DRAFT, MONTHLY, Quiz, QuizVersion


def visible(viewer: User | None) -> ColumnElement[bool]:
    if viewer is None:
        return true()
    return scope_clause(viewer, user_id_col=User.id, county_col=User.county_id, grid_col=User.grid_id)


# --- the test windows of a period -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyTest:
    quiz_id: int
    slug: str
    title: str
    opens_at: datetime | None
    last_close: datetime | None  # the latest close of any version, make-up window included


def monthly_tests(period: str) -> list[MonthlyTest]:
    quizzes = db.session.scalars(select(Quiz).where(Quiz.kind == MONTHLY, Quiz.period == period,
                                                    Quiz.retired_at.is_(None), Quiz.status != DRAFT)
                                 .order_by(Quiz.slug)).all()
    versions: dict[int, list[QuizVersion]] = defaultdict(list)
    if quizzes:
        for version in db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id.in_([q.id for q in quizzes]))):
            versions[version.quiz_id].append(version)
    tests = []
    for quiz in quizzes:
        opens = [v.opens_at for v in versions[quiz.id] if v.opens_at is not None]
        closes: list[datetime | None] = []
        for version in versions[quiz.id]:
            makeup = (version.definition or {}).get("makeup_closes_at")
            candidates = [version.closes_at, datetime.fromisoformat(makeup) if makeup else None]
            closes.append(None if version.closes_at is None else max(c for c in candidates if c is not None))
        last = None if not closes or any(c is None for c in closes) else max(c for c in closes if c is not None)
        tests.append(MonthlyTest(quiz.id, quiz.slug, quiz.title, min(opens) if opens else None, last))
    return tests


def monthly_periods() -> list[str]:
    """Every period that has (or had) a monthly test, or has been closed; newest first."""
    with_tests = set(db.session.scalars(select(Quiz.period).where(Quiz.kind == MONTHLY, Quiz.period.is_not(None),
                                                                  Quiz.retired_at.is_(None),
                                                                  Quiz.status != DRAFT).distinct()))
    closed = set(db.session.scalars(select(ClosedPeriod.period)))
    return sorted({p for p in with_tests | closed if p}, reverse=True)


# --- periods ------------------------------------------------------------------------------------------------------

UPCOMING, OPEN, AWAITING_CLOSE, CLOSED = "upcoming", "open", "awaiting_close", "closed"
PERIOD_STATUS_LABELS = {UPCOMING: "未开考", OPEN: "考试进行中", AWAITING_CLOSE: "待结账", CLOSED: "已结账"}


@dataclass
class PeriodRow:
    period: str
    status: str
    tests: list[Any]
    closed: ClosedPeriod | None

    @property
    def status_label(self) -> str:
        return PERIOD_STATUS_LABELS[self.status]


def period_row(period: str, *, now: datetime, grace_seconds: int) -> PeriodRow:
    closed = db.session.scalar(select(ClosedPeriod).where(ClosedPeriod.period == period))
    tests = monthly_tests(period)
    if closed is not None:
        status = CLOSED
    elif tests and all(t.opens_at is not None and now < t.opens_at for t in tests):
        status = UPCOMING
    elif any(rules.is_window_open(t.last_close, now=now, grace_seconds=grace_seconds) for t in tests):
        status = OPEN
    else:
        status = AWAITING_CLOSE
    return PeriodRow(period, status, tests, closed)


def periods_overview(*, now: datetime, grace_seconds: int) -> list[PeriodRow]:
    return [period_row(p, now=now, grace_seconds=grace_seconds) for p in monthly_periods()]


# --- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    user_id: int
    employee_no: str
    name: str
    county: str | None
    grid: str | None
    status: str
    score: float | None
    note: str
    position: int | None
    group_size: int | None
    unified_score: float | None
    deductions: float
    indicators: float
    band: str | None

    @property
    def passed(self) -> bool:
        return self.status == rules.PASS

    @property
    def absent(self) -> bool:
        return self.status == rules.ABSENT

    @property
    def status_label(self) -> str:
        return rules.OUTCOME_LABELS[self.status]

    def as_api(self) -> dict[str, Any]:
        return {"employee_no": self.employee_no, "name": self.name, "county": self.county, "grid": self.grid,
                "score": self.score, "passed": self.passed, "absent": self.absent, "status": self.status,
                "unified_score": self.unified_score, "position": self.position, "group_size": self.group_size,
                "band": self.band}


def period_results(period: str, viewer: User | None, *, county_id: int | None = None) -> list[ResultRow]:
    county, grid = aliased(Unit), aliased(Unit)
    query = (select(Outcome, User, Ranking, county.name, grid.name)
             .join(User, User.id == Outcome.user_id)
             .outerjoin(Ranking, and_(Ranking.period == Outcome.period, Ranking.user_id == Outcome.user_id))
             .outerjoin(county, county.id == Outcome.county_id)
             .outerjoin(grid, grid.id == Outcome.grid_id)
             .where(Outcome.period == period, visible(viewer)))
    if county_id is not None:
        query = query.where(Outcome.county_id == county_id)
    rows = []
    for outcome, person, ranking, county_name, grid_name in db.session.execute(query):
        rows.append(ResultRow(
            person.id, person.employee_no, person.name, county_name, grid_name, outcome.status, outcome.score,
            outcome.note, ranking.position if ranking else None, ranking.group_size if ranking else None,
            ranking.unified_score if ranking else None, ranking.deductions if ranking else 0.0,
            ranking.indicators if ranking else 0.0, ranking.band if ranking else None))
    return sorted(rows, key=lambda r: (r.county or "", r.position or 10**9, r.employee_no))


# --- the ledger ---------------------------------------------------------------------------------------------------


@dataclass
class LedgerView:
    entries: list[LedgerEntry]
    reversed_by: dict[int, LedgerEntry] = field(default_factory=dict)
    decisions: dict[int, PostAdjustmentDecision] = field(default_factory=dict)
    appeals: dict[int, Appeal] = field(default_factory=dict)  # entry id -> its appeal (at most one)

    def is_reversed(self, entry: LedgerEntry) -> bool:
        return entry.id in self.reversed_by


def ledger(viewer: User | None, *, period: str | None = None, user_id: int | None = None,
           kinds: tuple[str, ...] | None = None, county_id: int | None = None, grid_id: int | None = None,
           limit: int | None = None) -> LedgerView:
    query = (select(LedgerEntry).join(User, User.id == LedgerEntry.user_id).where(visible(viewer))
             .options(joinedload(LedgerEntry.user).joinedload(User.county), joinedload(LedgerEntry.user)
                      .joinedload(User.grid), joinedload(LedgerEntry.created_by))
             .order_by(LedgerEntry.period.desc(), LedgerEntry.id))
    if period is not None:
        query = query.where(LedgerEntry.period == period)
    if user_id is not None:
        query = query.where(LedgerEntry.user_id == user_id)
    if kinds:
        query = query.where(LedgerEntry.kind.in_(kinds))
    if county_id is not None:
        query = query.where(User.county_id == county_id)
    if grid_id is not None:
        query = query.where(User.grid_id == grid_id)
    if limit is not None:
        query = query.limit(limit)
    entries = list(db.session.scalars(query).unique())
    ids = [e.id for e in entries]
    view = LedgerView(entries)
    if ids:
        for reversal in db.session.scalars(select(LedgerEntry).where(LedgerEntry.reverses_id.in_(ids))):
            view.reversed_by[reversal.reverses_id] = reversal  # type: ignore[index]
        for decision in db.session.scalars(select(PostAdjustmentDecision).where(
                PostAdjustmentDecision.entry_id.in_(ids)).options(joinedload(PostAdjustmentDecision.decided_by))):
            view.decisions[decision.entry_id] = decision
        for appeal in db.session.scalars(select(Appeal).where(Appeal.entry_id.in_(ids))):
            view.appeals[appeal.entry_id] = appeal
    return view


def entry_as_api(entry: LedgerEntry, view: LedgerView) -> dict[str, Any]:
    reversal = view.reversed_by.get(entry.id)
    return {
        "id": entry.id, "employee_no": entry.user.employee_no, "name": entry.user.name, "period": entry.period,
        "kind": entry.kind, "amount_yuan": entry.amount_yuan, "points": entry.points, "reason": entry.reason,
        "rule": entry.rule, "rule_version": entry.rule_version, "evidence": entry.evidence,
        "created_at": entry.created_at.isoformat(),
        "created_by": entry.created_by.employee_no if entry.created_by else "system",
        "reverses": entry.reverses_id, "reversed_by": reversal.id if reversal else None,
        "appeal": appeal.as_api() if (appeal := view.appeals.get(entry.id)) else None,
    }


def ledger_entry_for(viewer: User, entry_id: int) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).join(User, User.id == LedgerEntry.user_id).where(
        LedgerEntry.id == entry_id, visible(viewer)))


# --- reports ------------------------------------------------------------------------------------------------------

# The outcome before a period, per person: built once (making an alias per query costs more than the query).
_EARLIER = aliased(Outcome, name="earlier_outcome")


def fails_with_previous(period: str, *, absent_counts_as_fail: bool = True, details: bool = True,
                        failed_twice: bool = False) -> Select[Any]:
    """Everyone whose ``period`` outcome counts as a fail, with the deciding outcome before it as R2 counts runs
    (``rules.fail_run_entries``): exempt, void and uncounted absences are skipped, and a period without a test has
    no outcome at all — so F E F and F – F are two fails in a row, F P F is not. ``failed_twice`` keeps only those
    whose deciding earlier outcome is a fail too: exactly the people the close charged the cash penalty.

    The one implementation behind ``GET /api/v1/reports/failed-twice`` (``failed_twice``) and the report pages
    (``lms.reports.queries``). The earlier outcome is found by correlated lookups that each walk the
    (user, period, status) index backwards and stop at the first deciding outcome: cheap per failing person,
    whatever the length of history. Columns: user_id, status, score, before_status [, previous_period,
    before_score]; callers add the person and the viewer's scope."""
    fails = rules.fail_outcomes(absent_counts_as_fail=absent_counts_as_fail)
    deciding = rules.deciding_outcomes(absent_counts_as_fail=absent_counts_as_fail)
    earlier = _EARLIER

    def before(column: Any) -> Any:
        return (select(column).where(earlier.user_id == Outcome.user_id, earlier.period < period,
                                     earlier.status.in_(deciding))
                .order_by(earlier.period.desc()).limit(1).correlate(Outcome).scalar_subquery())

    before_status = before(earlier.status)
    query = select(Outcome.user_id, Outcome.status, Outcome.score, before_status.label("before_status"))
    if details:
        query = query.add_columns(before(earlier.period).label("previous_period"),
                                  before(earlier.score).label("before_score"))
    query = query.where(Outcome.period == period, Outcome.status.in_(fails))
    return query.where(before_status.in_(fails)) if failed_twice else query


def failed_twice(period: str, viewer: User | None, *, absent_counts_as_fail: bool = True) -> list[dict[str, Any]]:
    """People whose ``period`` fail is at least their second in a row (the 200-yuan penalty was due), scoped to the
    viewer, in the API's shape (/api/v1/openapi.json); ``previous_period`` is the deciding earlier period."""
    county, grid = aliased(Unit), aliased(Unit)
    query = (fails_with_previous(period, absent_counts_as_fail=absent_counts_as_fail, failed_twice=True)
             .add_columns(User.employee_no, User.name, county.name.label("county_name"),
                          grid.name.label("grid_name"))
             .join(User, User.id == Outcome.user_id)
             .outerjoin(county, county.id == User.county_id)
             .outerjoin(grid, grid.id == User.grid_id)
             .where(visible(viewer))
             .order_by(User.employee_no))
    return [{"employee_no": row.employee_no, "name": row.name, "county": row.county_name, "grid": row.grid_name,
             "period": period, "previous_period": row.previous_period, "status": row.status, "score": row.score,
             "previous_status": row.before_status, "previous_score": row.before_score}
            for row in db.session.execute(query)]


# --- the notice ---------------------------------------------------------------------------------------------------

NOTICE_SECTIONS = (
    (rules.CRITICISM, "通报批评"),
    (rules.CASH_PENALTY, "现金处罚"),
    (rules.YELLOW_CARD, "黄牌警告"),
    (rules.IMPROVEMENT_PLAN, "重点提升"),
    (rules.REWARD, "奖励"),
)


@dataclass
class NoticeDraft:
    period: str
    county: Unit
    sections: list[tuple[str, str, list[LedgerEntry]]]
    outcome_counts: dict[str, int]
    published: Notice | None
    grid: Unit | None = None  # set when the draft shows one grid's part only (a grid supervisor's view)

    @property
    def is_empty(self) -> bool:
        return not any(entries for _, _, entries in self.sections)


def notice_draft(period: str, county: Unit, *, grid: Unit | None = None) -> NoticeDraft:
    """The notice as the rules wrote it: standing entries (reversed ones left out) of the county's people, or of
    one grid's people only (``grid``: what a grid supervisor may read before the county publishes it)."""
    view = ledger(None, period=period, county_id=county.id, grid_id=grid.id if grid is not None else None,
                  kinds=tuple(k for k, _ in NOTICE_SECTIONS))
    by_kind: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in view.entries:
        if not view.is_reversed(entry):
            by_kind[entry.kind].append(entry)
    counts: dict[str, int] = defaultdict(int)
    statuses = select(Outcome.status).where(Outcome.period == period, Outcome.county_id == county.id)
    if grid is not None:  # the people the entries above belong to: the grid's members now, as in the ledger
        statuses = statuses.join(User, User.id == Outcome.user_id).where(User.grid_id == grid.id)
    for status in db.session.scalars(statuses):
        counts[status] += 1
    published = db.session.scalar(select(Notice).where(Notice.period == period, Notice.county_id == county.id))
    sections = [(kind, label, sorted(by_kind[kind], key=lambda e: e.user.employee_no))
                for kind, label in NOTICE_SECTIONS]
    return NoticeDraft(period, county, sections, dict(counts), published, grid)


def published_notices(county_id: int | None) -> list[Notice]:
    if county_id is None:
        return []
    return list(db.session.scalars(select(Notice).where(Notice.county_id == county_id)
                                   .order_by(Notice.period.desc()).options(joinedload(Notice.county))))


def visible_counties(viewer: User) -> list[Unit]:
    scope = viewer.scope
    counties = org.counties()
    if scope.kind == "all":
        return counties
    return [c for c in counties if c.id == viewer.county_id]


# --- a manager's own records --------------------------------------------------------------------------------------


@dataclass
class MyRecords:
    outcomes: list[Outcome]
    rankings: dict[str, Ranking]
    ledger: LedgerView
    notices: list[Notice]

    @property
    def standing_penalty_yuan(self) -> int:
        return sum(e.amount_yuan or 0 for e in self.ledger.entries)


def my_records(person: User) -> MyRecords:
    outcomes = list(db.session.scalars(select(Outcome).where(Outcome.user_id == person.id)
                                       .order_by(Outcome.period.desc())))
    rankings = {r.period: r for r in db.session.scalars(select(Ranking).where(Ranking.user_id == person.id))}
    return MyRecords(outcomes, rankings, ledger(person, user_id=person.id), published_notices(person.county_id))


def post_adjustments(viewer: User) -> LedgerView:
    return ledger(viewer, kinds=(rules.POST_ADJUSTMENT,))


# --- what a close reads: standing entries, deductions, indicators, earlier outcomes and cards ------------------------


def standing_entries(kind: str) -> Any:
    """Entries of ``kind`` that no reversal cancels (a select of LedgerEntry)."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return select(LedgerEntry).where(LedgerEntry.kind == kind, LedgerEntry.id.not_in(reversed_ids))


def period_deductions(period: str) -> dict[int, float]:
    """Points off per person in a period (a positive number), reversed deductions excluded."""
    query = standing_entries(rules.DEDUCTION).where(LedgerEntry.period == period).with_only_columns(
        LedgerEntry.user_id, func.sum(LedgerEntry.points)).group_by(LedgerEntry.user_id)
    return {user_id: -float(total or 0) for user_id, total in db.session.execute(query)}


def period_indicators(period: str) -> dict[int, float]:
    query = select(Indicator.user_id, func.sum(Indicator.points)).where(Indicator.period == period).group_by(
        Indicator.user_id)
    return {user_id: float(total or 0) for user_id, total in db.session.execute(query)}


def period_indicator_rows(period: str) -> dict[int, dict[str, float]]:
    """Each person's indicators of a period by name (imported and computed), for the close's preview."""
    rows: dict[int, dict[str, float]] = defaultdict(dict)
    for user_id, name, points in db.session.execute(select(Indicator.user_id, Indicator.name, Indicator.points).where(
            Indicator.period == period).order_by(Indicator.user_id, Indicator.name)):
        rows[user_id][name] = float(points)
    return dict(rows)


def outcome_history(before: str) -> dict[int, list[tuple[str, str]]]:
    history: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = db.session.execute(select(Outcome.user_id, Outcome.period, Outcome.status).where(
        Outcome.period < before).order_by(Outcome.user_id, Outcome.period))
    for user_id, period, status in rows:
        history[user_id].append((period, status))
    return history


def prior_yellow_cards(period: str) -> dict[int, list[str]]:
    """Standing yellow cards of this quarter and the one before (all that R8 looks at), before ``period``."""
    quarter = rules.quarter_of(period)
    wanted = {quarter, rules.previous_quarter(quarter)}
    cards: dict[int, list[str]] = defaultdict(list)
    query = standing_entries(rules.YELLOW_CARD).where(LedgerEntry.period < period).with_only_columns(
        LedgerEntry.user_id, LedgerEntry.period).order_by(LedgerEntry.period)
    for user_id, card_period in db.session.execute(query):
        if rules.quarter_of(card_period) in wanted:
            cards[user_id].append(card_period)
    return cards


def appealed_cards() -> set[tuple[str, int]]:
    """(period, user) of yellow cards reversed by a person (an upheld appeal): they no longer count towards R8."""
    reversal = aliased(LedgerEntry)
    rows = db.session.execute(select(LedgerEntry.period, LedgerEntry.user_id).join(
        reversal, reversal.reverses_id == LedgerEntry.id).where(
        LedgerEntry.kind == rules.YELLOW_CARD, reversal.rule != rules.RULE_REGRADE.code))
    return {(period, user_id) for period, user_id in rows}
