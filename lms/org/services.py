"""Organisation units. Finding or creating them (``get_city``, ``ensure_*``): the caller owns the transaction
(roster import, demo). An administrator's acts (add, rename, move a grid, deactivate, reactivate): each commits
with its audit entry."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.accounts import history
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.errors import Conflict, ValidationFailed
from lms.extensions import db
from lms.org import queries, rules
from lms.org.models import CITY, COUNTY, GRID, Unit

log = logging.getLogger(__name__)


def get_city(name: str | None = None) -> Unit:
    """The single city unit; created on first use (a deployment serves one city branch)."""
    city = db.session.scalar(select(Unit).where(Unit.kind == CITY).order_by(Unit.id))
    if city is None:
        city = Unit(kind=CITY, name=name or "本市")
        db.session.add(city)
        db.session.flush()
    return city


def ensure_county(name: str) -> Unit:
    city = get_city()
    county = db.session.scalar(
        select(Unit).where(Unit.kind == COUNTY, Unit.parent_id == city.id, Unit.name == name)
    )
    if county is None:
        county = Unit(kind=COUNTY, name=name, parent_id=city.id)
        db.session.add(county)
        db.session.flush()
    return county


def ensure_grid(county: Unit, name: str) -> Unit:
    grid = db.session.scalar(
        select(Unit).where(Unit.kind == GRID, Unit.parent_id == county.id, Unit.name == name)
    )
    if grid is None:
        grid = Unit(kind=GRID, name=name, parent_id=county.id)
        db.session.add(grid)
        db.session.flush()
    return grid


def counties() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.kind == COUNTY).order_by(Unit.name)))


def grids(county_id: int | None = None) -> list[Unit]:
    query = select(Unit).where(Unit.kind == GRID)
    if county_id is not None:
        query = query.where(Unit.parent_id == county_id)
    return list(db.session.scalars(query.order_by(Unit.name)))


# --- an administrator's acts --------------------------------------------------------------------------------------


class UnitRefused(Conflict):
    """A unit act refused: ``codes`` (lms.org.rules REFUSED_*/NAME_*) say every reason."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__("；".join(rules.REFUSAL_REASONS[c] for c in codes), code=codes[0])
        self.codes = codes


def _name(kind: str, parent_id: int | None, name: str, *, except_id: int | None = None) -> str:
    name = (name or "").strip()
    problem = rules.name_problem(name, siblings=queries.sibling_names(kind, parent_id, except_id=except_id))
    if problem is not None:
        raise UnitRefused([problem])
    return name


def add_unit(kind: str, name: str, *, parent_id: int | None, actor: User) -> Unit:
    """A new county (under the city) or grid (under an active county). Audited."""
    if kind == COUNTY:
        parent = get_city()
    elif kind == GRID:
        parent = queries.get_unit(parent_id) if parent_id is not None else None
        if parent is None or parent.kind != COUNTY:
            raise ValidationFailed("请选择网格所属的县区")
        if not parent.active:
            raise UnitRefused([rules.REFUSED_INACTIVE_TARGET])
    else:
        raise ValidationFailed("只能新增县区或网格")
    unit = Unit(kind=kind, name=_name(kind, parent.id, name), parent_id=parent.id, active=True)
    db.session.add(unit)
    changes: dict[str, object] = {"level": kind, "unit_name": [None, unit.name]}
    if kind == GRID:
        changes["county"] = parent.name
    audit.record(audit_rules.UNIT_CREATED, subject=unit.name, actor=actor, changes=changes)
    db.session.commit()
    log.info("unit %s %s added by %s", kind, unit.name, actor.employee_no)
    return unit


def rename_unit(unit_id: int, name: str, *, actor: User) -> Unit:
    """A new name; the audit entry keeps the old one (and people's history keeps the names they had)."""
    unit = queries.get_unit(unit_id)
    new = _name(unit.kind, unit.parent_id, name, except_id=unit.id)
    old = unit.name
    if new == old:
        return unit
    unit.name = new
    audit.record(audit_rules.UNIT_RENAMED, subject=new, actor=actor, changes={"unit_name": [old, new]})
    db.session.commit()
    log.info("unit %d renamed %s -> %s by %s", unit.id, old, new, actor.employee_no)
    return unit


def set_unit_place(unit_id: int, latitude: float | None, longitude: float | None, *, actor: User) -> Unit:
    """Where the unit's business hall is (both coordinates, or neither to clear it): check-ins are judged against
    it. Audited."""
    unit = queries.get_unit(unit_id)
    if (latitude is None) != (longitude is None):
        raise ValidationFailed("请同时填写纬度和经度，或都留空")
    if latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed("纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间")
    changes = audit_rules.describe_changes({"latitude": unit.latitude, "longitude": unit.longitude},
                                           {"latitude": latitude, "longitude": longitude})
    if not changes:
        return unit
    unit.latitude, unit.longitude = latitude, longitude
    audit.record(audit_rules.UNIT_PLACE_SET, subject=unit.name, actor=actor, changes=changes)
    db.session.commit()
    log.info("unit %d place set to %s,%s by %s", unit.id, latitude, longitude, actor.employee_no)
    return unit


def move_grid(unit_id: int, county_id: int, *, actor: User) -> Unit:
    """Move a grid (and its people) under another county: each person's county changes, noted in their history.
    Audited."""
    unit = queries.get_unit(unit_id)
    target = queries.get_unit(county_id)
    refusal = rules.move_refusal(kind=unit.kind, parent_id=unit.parent_id, target_kind=target.kind,
                                 target_id=target.id, target_active=bool(target.active))
    if refusal is not None:
        raise UnitRefused([refusal])
    _name(GRID, target.id, unit.name, except_id=unit.id)  # no two grids of one name in a county
    old = unit.parent
    unit.parent_id = target.id
    moved = list(db.session.scalars(select(User).where(User.grid_id == unit.id)))
    for person in moved:
        person.county_id = target.id
        history.note(person, history.COUNTY, old.name if old else None, target.name, by=actor)
    audit.record(audit_rules.UNIT_MOVED, subject=unit.name, actor=actor,
                 changes={"county": [old.name if old else None, target.name], "people": len(moved)})
    db.session.commit()
    log.info("grid %s moved to %s by %s (%d people)", unit.name, target.name, actor.employee_no, len(moved))
    return unit


def set_unit_active(unit_id: int, active: bool, *, actor: User) -> Unit:
    """Deactivate (refused, with every reason, while people, grids, training sessions or robots depend on it) or
    reactivate. The unit stays in the database; pickers leave a deactivated one out. Audited."""
    unit = queries.get_unit(unit_id)
    if bool(unit.active) == active:
        return unit
    if active:
        refusal = rules.reactivation_refusal(kind=unit.kind, parent_active=unit.parent is None or unit.parent.active)
        if refusal is not None:
            raise UnitRefused([refusal])
    else:
        reasons = rules.deactivation_refusals(queries.load(unit))
        if reasons:
            raise UnitRefused(reasons)
    unit.active = active
    audit.record(audit_rules.UNIT_REACTIVATED if active else audit_rules.UNIT_DEACTIVATED, subject=unit.name,
                 actor=actor, changes={"level": unit.kind, "in_use": [not active, active]})
    db.session.commit()
    log.info("unit %s %s by %s", unit.name, "reactivated" if active else "deactivated", actor.employee_no)
    return unit
