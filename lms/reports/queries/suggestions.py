"""Point-to-point suggestions: the grids and people below the settings, with the lessons behind the questions they
missed most; and the people a suggested training session may invite."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from lms.accounts.models import User
from lms.assessment.models import Outcome
from lms.attempts.models import IN_PROGRESS as ATTEMPT_IN_PROGRESS
from lms.attempts.models import Attempt
from lms.extensions import db
from lms.org.models import GRID, Unit
from lms.quizzes.models import MONTHLY, Quiz
from lms.quizzes.queries import lesson_titles
from lms.reports import rules
from lms.reports.queries.common import (
    PersonRef,
    closed_periods,
    outcome_unit_scope,
    person_ref,
    scoped_managers,
    with_person,
)


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
    query, _names = with_person(select(Outcome.status, func.count().label("n")), Outcome.user_id, viewer)
    query = query.where(Outcome.period.in_(periods)).group_by(
        Outcome.status, User.id, User.employee_no, User.name, query.selected_columns.county_name,
        query.selected_columns.grid_name)
    refs: dict[int, PersonRef] = {}
    for row in db.session.execute(query):
        refs[row.person_id] = person_ref(row)
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


def grid_managers(grid_id: int, viewer: User) -> list[PersonRef]:
    query, _names = with_person(select(), None, viewer)
    query = query.where(scoped_managers(viewer), User.grid_id == grid_id).order_by(User.employee_no)
    return [person_ref(row) for row in db.session.execute(query)]


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
