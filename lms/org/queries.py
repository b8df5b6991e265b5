"""Reading the organisation: the unit tree with people counts, one unit's people and managers, what still depends on
a unit. Reads only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from lms.accounts import rules as people_rules
from lms.accounts.models import User
from lms.announcements.models import GroupRobot
from lms.core.clock import utcnow
from lms.core.errors import NotFound
from lms.courses.models import TrainingSession
from lms.extensions import db
from lms.org import rules
from lms.org.models import CITY, COUNTY, GRID, Unit


@dataclass
class TreeNode:
    unit: Unit
    people: int  # active people whose unit this is (a county counts everyone in it, its grids' people too)
    children: list[TreeNode] = field(default_factory=list)


def get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("没有该单位")
    return unit


def _active_counts() -> tuple[Counter[int], Counter[int], int]:
    """Active people by county, by grid, and in all."""
    by_county: Counter[int] = Counter()
    by_grid: Counter[int] = Counter()
    total = 0
    rows = db.session.execute(select(User.county_id, User.grid_id, func.count()).where(User.active.is_(True))
                              .group_by(User.county_id, User.grid_id))
    for county_id, grid_id, n in rows:
        total += n
        if county_id is not None:
            by_county[county_id] += n
        if grid_id is not None:
            by_grid[grid_id] += n
    return by_county, by_grid, total


def tree() -> list[TreeNode]:
    """The city (or cities) with their counties and grids, each with its active people; deactivated units too
    (the page shows them apart)."""
    units = list(db.session.scalars(select(Unit).order_by(Unit.name)))
    by_county, by_grid, total = _active_counts()
    nodes = {u.id: TreeNode(u, by_grid[u.id] if u.kind == GRID else by_county[u.id] if u.kind == COUNTY else total)
             for u in units}
    roots = []
    for unit in units:
        node = nodes[unit.id]
        if unit.parent_id is not None and unit.parent_id in nodes:
            nodes[unit.parent_id].children.append(node)
        else:
            roots.append(node)
    for node in nodes.values():  # active first, each by name
        node.children.sort(key=lambda n: (not n.unit.active, n.unit.name))
    roots.sort(key=lambda n: (n.unit.kind != CITY, n.unit.name))
    return roots


def load(unit: Unit) -> rules.UnitLoad:
    """What still depends on ``unit``: active people, active grids, training sessions not yet over, robots in use."""
    people_column = User.grid_id if unit.kind == GRID else User.county_id
    people = 0 if unit.kind == CITY else db.session.scalar(
        select(func.count()).select_from(User).where(people_column == unit.id, User.active.is_(True))) or 0
    grids = db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.parent_id == unit.id, Unit.kind == GRID, Unit.active.is_(True))) or 0
    sessions = 0
    if unit.kind == COUNTY:
        now = utcnow()
        sessions = db.session.scalar(select(func.count()).select_from(TrainingSession).where(
            TrainingSession.county_id == unit.id, TrainingSession.cancelled_at.is_(None),
            func.coalesce(TrainingSession.ends_at, TrainingSession.starts_at) >= now)) or 0
    robots = db.session.scalar(select(func.count()).select_from(GroupRobot).where(
        GroupRobot.active.is_(True), or_(GroupRobot.county_id == unit.id, GroupRobot.grid_id == unit.id))) or 0
    return rules.UnitLoad(unit.kind, active_people=people, active_grids=grids, open_sessions=sessions,
                          active_robots=robots)


def members(unit: Unit) -> list[User]:
    """The people of a unit (active first): a grid's, or a county's including its grids' people."""
    if unit.kind == CITY:
        return []
    column = User.grid_id if unit.kind == GRID else User.county_id
    return list(db.session.scalars(select(User).where(column == unit.id)
                                   .order_by(User.active.desc(), User.role, User.employee_no)))


@dataclass(frozen=True)
class Management:
    """Dual management (双重管理) of a grid's people: the grid's supervisors and the county's."""

    grid_supervisors: list[User]
    county_supervisors: list[User]


def management(county_id: int | None, grid_id: int | None) -> Management:
    """Who manages people of ``grid_id`` in ``county_id``: supervisors of the grid, and the county's own
    supervisors (assigned to the county, no grid). Active people only."""
    base = select(User).where(User.role == people_rules.SUPERVISOR, User.active.is_(True)).order_by(User.employee_no)
    grid_sups = list(db.session.scalars(base.where(User.grid_id == grid_id))) if grid_id is not None else []
    county_sups = list(db.session.scalars(base.where(User.county_id == county_id, User.grid_id.is_(None)))) \
        if county_id is not None else []
    return Management(grid_sups, county_sups)


def counties(*, active_only: bool = True) -> list[Unit]:
    query = select(Unit).where(Unit.kind == COUNTY)
    if active_only:
        query = query.where(Unit.active.is_(True))
    return list(db.session.scalars(query.order_by(Unit.name)))


def unit_choices() -> list[tuple[Unit, Unit | None]]:
    """The units a person can be placed in, for pickers: each active county, then its active grids, as
    (unit, county) pairs (county None for a county itself). Deactivated units are left out."""
    choices: list[tuple[Unit, Unit | None]] = []
    for county in counties():
        choices.append((county, None))
        choices.extend((grid, county) for grid in db.session.scalars(
            select(Unit).where(Unit.kind == GRID, Unit.parent_id == county.id, Unit.active.is_(True))
            .order_by(Unit.name)))
    return choices


def sibling_names(kind: str, parent_id: int | None, *, except_id: int | None = None) -> list[str]:
    query = select(Unit.name).where(Unit.kind == kind, Unit.parent_id == parent_id)
    if except_id is not None:
        query = query.where(Unit.id != except_id)
    return list(db.session.scalars(query))
