"""A period's page: pass rates by county and grid, the score histogram, the trend, the ranking's bands, the ledger
and the county notices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, or_, select

from lms.accounts.models import User
from lms.assessment.models import ClosedPeriod, Notice, Outcome, Ranking
from lms.extensions import db
from lms.org.models import COUNTY, Unit
from lms.reports import rules
from lms.reports.queries.common import PersonRef, outcome_unit_scope, person_ref, with_person
from lms.reports.queries.ledger import LEDGER_PAGE_SIZE, EntryRow, LedgerSummaryRow, ledger_summary, period_ledger

TREND_PERIODS = 12


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
    query, (county_name, _grid) = with_person(query, Ranking.user_id, viewer)
    query = query.where(Ranking.period == period)
    if only_bands:
        query = query.where(Ranking.band.is_not(None))
    query = query.order_by(county_name, Ranking.position)
    if limit is not None:
        query = query.limit(limit)
    return [BandRow(person_ref(row), row.position, row.group_size, row.unified_score, row.test_score, row.band or "")
            for row in db.session.execute(query)]


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
