"""What every report page shares: the viewer's scope, the person columns a named row carries, and the periods.

Two kinds of scoping, on purpose:
- **named rows** (a person, their attempts, ledger entries, risk lists) go through ``user_scope_clause`` on the
  person's *current* unit, exactly like the assessment pages, so a county supervisor never sees a name from another
  county;
- **unit statistics** (pass rate by county and grid, trends) are scoped and grouped by the unit the outcome was
  recorded under when its period closed (``Outcome.county_id/grid_id``), so a county's history stays its history
  when people move, and no join to ``users`` is needed over 24 periods of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased

from lms.accounts.access import scope_clause, user_scope_clause
from lms.accounts.models import User
from lms.assessment.models import ClosedPeriod, Outcome
from lms.assessment.queries import monthly_periods
from lms.core.clock import period_of
from lms.extensions import db
from lms.org.models import Unit
from lms.reports import rules

LIST_LIMIT = 50  # rows of a list shown on a page; the xlsx export has them all
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


def _person_columns() -> tuple[Any, Any, Any, Any]:
    return _COUNTY, _GRID, _COUNTY.name.label("county_name"), _GRID.name.label("grid_name")


def with_person(query: Select[Any], user_id_col: Any, viewer: User) -> tuple[Select[Any], Any]:
    """Add the person and their current county/grid names, scoped to ``viewer``. ``user_id_col`` joins ``users``
    to the query's rows; ``None`` means the query is over ``users`` itself."""
    county, grid, county_name, grid_name = _person_columns()
    query = query.add_columns(User.id.label("person_id"), User.employee_no, User.name, county_name, grid_name)
    query = query.select_from(User) if user_id_col is None else query.join(User, User.id == user_id_col)
    query = (query.outerjoin(county, county.id == User.county_id)
             .outerjoin(grid, grid.id == User.grid_id)
             .where(user_scope_clause(viewer)))
    return query, (county_name, grid_name)


def person_ref(row: Any) -> PersonRef:
    return PersonRef(row.person_id, row.employee_no, row.name, row.county_name, row.grid_name)


def default_period(now: datetime) -> str:
    """This month if it has a monthly test, else the latest earlier period that had one (rules.default_board_period)."""
    return rules.default_board_period(period_of(now), monthly_periods())


def board_periods(now: datetime, chosen: str) -> list[str]:
    """The periods a viewer can pick on the board: every period with a monthly test or a close, this month and the
    chosen one; newest first."""
    return sorted({*monthly_periods(), period_of(now), chosen}, reverse=True)


def closed_periods() -> list[str]:
    return list(db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period)))


def latest_closed_period(upto: str) -> str | None:
    return db.session.scalar(select(ClosedPeriod.period).where(ClosedPeriod.period <= upto)
                             .order_by(ClosedPeriod.period.desc()).limit(1))


def scoped_managers(viewer: User) -> Any:
    return and_(User.role == MANAGER, User.active.is_(True), user_scope_clause(viewer))


def people_refs(user_ids: set[int], viewer: User) -> dict[int, PersonRef]:
    if not user_ids:
        return {}
    query, _names = with_person(select(), None, viewer)
    return {row.person_id: person_ref(row)
            for row in db.session.execute(query.where(User.id.in_(user_ids)))}
