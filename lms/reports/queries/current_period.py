"""The period on the board: where the viewer's managers stand in its monthly test, and who has not sat it yet (the
same list the open tests use)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from lms.accounts.access import user_scope_clause
from lms.accounts.models import User
from lms.assessment.models import ClosedPeriod, Outcome
from lms.assessment.queries import monthly_tests
from lms.attempts.models import EXEMPT as ACCOMMODATION_EXEMPT
from lms.attempts.models import IN_PROGRESS as ATTEMPT_IN_PROGRESS
from lms.attempts.models import VOID as ACCOMMODATION_VOID
from lms.attempts.models import Accommodation, Attempt
from lms.extensions import db
from lms.org.models import Unit
from lms.reports import rules
from lms.reports.queries.common import LIST_LIMIT, PersonRef, person_ref, scoped_managers, with_person


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
        managers = dict(db.session.execute(select(User.county_id, func.count()).where(scoped_managers(viewer))
                                           .group_by(User.county_id)).all())
        excused = dict(db.session.execute(select(User.county_id, func.count()).where(
            scoped_managers(viewer), User.id.in_(exempt)).group_by(User.county_id)).all())
        flags = _attempt_flags(quiz_ids)
        rows = db.session.execute(
            select(User.county_id, flags.c.running, flags.c.finished, flags.c.passed, func.count())
            .select_from(flags).join(User, User.id == flags.c.user_id)
            .where(scoped_managers(viewer), User.id.not_in(exempt))
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
    return not_sat_rows(viewer, quiz_ids, closes_at, now=now, limit=limit)


def not_sat_rows(viewer: User, quiz_ids: list[int], closes_at: datetime | None, *, now: datetime,
                 limit: int | None) -> list[NotSatRow]:
    """The viewer's active managers with no attempt at these quizzes and no exemption, by county, grid, number."""
    took = select(Attempt.user_id).where(Attempt.quiz_id.in_(quiz_ids), Attempt.official.is_(True))
    query, (county_name, grid_name) = with_person(select(), None, viewer)
    query = (query.where(scoped_managers(viewer), User.id.not_in(took), User.id.not_in(_exempt_people(quiz_ids)))
             .order_by(county_name, grid_name, User.employee_no))
    if limit is not None:
        query = query.limit(limit)
    left = rules.days_left((closes_at - now).total_seconds()) if closes_at is not None and now < closes_at else None
    return [NotSatRow(person_ref(row), left) for row in db.session.execute(query)]
