"""Finding or creating organisation units. Callers own the transaction (roster import, demo)."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import CITY, COUNTY, GRID, Unit


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
