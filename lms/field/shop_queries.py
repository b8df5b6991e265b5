"""Reading the shop registry for a person: the shops in their scope (lms.accounts.access's rules — a manager their
own shops, a grid or county supervisor theirs, admins and city-wide staff all), filtered and counted, the nearest
ones for the visit form, one shop's history, and who may change what."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import aliased

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.extensions import db
from lms.field.models import Shop, ShopHistory
from lms.field.rules import distance_m, valid_position
from lms.org.models import Unit


def shop_scope_clause(viewer: User) -> ColumnElement[bool]:
    """A WHERE clause limiting shops to those ``viewer`` may see."""
    scope = viewer.scope
    if scope.kind == account_rules.ALL:
        return true()
    if scope.kind == account_rules.COUNTY_SCOPE:
        county_grids = select(Unit.id).where(Unit.parent_id == scope.county_id)
        return Shop.grid_id.in_(county_grids)
    if scope.kind == account_rules.GRID_SCOPE:
        return Shop.grid_id == scope.grid_id  # type: ignore[no-any-return]
    if scope.user_id is None:
        return false()
    return Shop.manager_id == scope.user_id  # type: ignore[no-any-return]


def _county_of(shop: Shop) -> int | None:
    return shop.grid.parent_id if shop.grid is not None else None


def can_view_shop(viewer: User, shop: Shop) -> bool:
    scope = viewer.scope
    if scope.kind == account_rules.SELF:
        return shop.manager_id is not None and shop.manager_id == viewer.id
    return scope.covers(user_id=-1, county_id=_county_of(shop), grid_id=shop.grid_id)


def can_manage_shops(viewer: User) -> bool:
    """Add shops and edit every field: administrators, and supervisors of a county (or of the whole city)."""
    wide = viewer.scope.kind in (account_rules.ALL, account_rules.COUNTY_SCOPE)
    return viewer.role == account_rules.ADMIN or (viewer.role == account_rules.SUPERVISOR and wide)


def can_edit_shop(viewer: User, shop: Shop) -> bool:
    return can_manage_shops(viewer) and can_view_shop(viewer, shop)


def can_change_manager(viewer: User, shop: Shop) -> bool:
    """Also a grid's supervisor, for the shops of their grid (to another manager of that grid)."""
    if can_edit_shop(viewer, shop):
        return True
    return viewer.role == account_rules.SUPERVISOR and viewer.scope.kind == account_rules.GRID_SCOPE \
        and shop.grid_id is not None and shop.grid_id == viewer.grid_id


@dataclass(frozen=True)
class ShopFilters:
    kind: str | None = None
    star: int | None = None
    grid_id: int | None = None
    manager_id: int | None = None
    text: str | None = None
    include_closed: bool = False


def shops_statement(viewer: User, filters: ShopFilters | None = None) -> Select[Any]:
    """The shops ``viewer`` may see matching ``filters``, by code."""
    filters = filters or ShopFilters()
    stmt = select(Shop).where(shop_scope_clause(viewer))
    if not filters.include_closed:
        stmt = stmt.where(Shop.active.is_(True))
    if filters.kind:
        stmt = stmt.where(Shop.kind == filters.kind)
    if filters.star:
        stmt = stmt.where(Shop.star == filters.star)
    if filters.grid_id:
        stmt = stmt.where(Shop.grid_id == filters.grid_id)
    if filters.manager_id:
        stmt = stmt.where(Shop.manager_id == filters.manager_id)
    if filters.text:
        like = f"%{filters.text}%"
        stmt = stmt.where(or_(Shop.code.like(like), Shop.name.like(like), Shop.address.like(like)))
    return stmt.order_by(Shop.code)


def shops_for(viewer: User, filters: ShopFilters | None = None) -> list[Shop]:
    return list(db.session.scalars(shops_statement(viewer, filters)))


@dataclass(frozen=True)
class ShopCounts:
    total: int
    by_kind: Counter[str]
    by_star: Counter[int]


def shop_counts(viewer: User, filters: ShopFilters | None = None) -> ShopCounts:
    """How many shops match, by kind and by star (one pass over two small columns)."""
    inner = shops_statement(viewer, filters).order_by(None).subquery()
    rows = db.session.execute(select(inner.c.kind, inner.c.star)).all()
    return ShopCounts(len(rows), Counter(kind for kind, _ in rows), Counter(star for _, star in rows))


@dataclass(frozen=True)
class NearShop:
    shop: Shop
    distance_m: float | None  # None: the shop has no coordinates


def nearest_shops(user: User, lat: float | None, lng: float | None, limit: int = 20) -> list[NearShop]:
    """The open shops ``user`` may see, nearest first (the visit form's picker); shops without coordinates, or
    every shop when the person's position is unknown, come last by code."""
    here = valid_position(lat, lng)
    found = []
    for shop in shops_for(user):
        distance = None
        if here and valid_position(shop.latitude, shop.longitude):
            distance = distance_m(lat, lng, shop.latitude, shop.longitude)  # type: ignore[arg-type]
        found.append(NearShop(shop, distance))
    found.sort(key=lambda near: (near.distance_m is None, near.distance_m or 0.0, near.shop.code))
    return found[:limit]


def shop_by_code(code: str) -> Shop | None:
    return db.session.scalar(select(Shop).where(Shop.code == code))


def history_of(shop_id: int) -> list[ShopHistory]:
    return list(db.session.scalars(select(ShopHistory).where(ShopHistory.shop_id == shop_id)
                                   .order_by(ShopHistory.changed_at.desc(), ShopHistory.id.desc())))


def grid_choices(viewer: User) -> list[tuple[Unit, Unit]]:
    """Active grids (with their county) the viewer may file shops under."""
    county = aliased(Unit)
    stmt = (select(Unit, county).join(county, Unit.parent_id == county.id)
            .where(Unit.kind == "grid", Unit.active.is_(True)).order_by(county.name, Unit.name))
    scope = viewer.scope
    if scope.kind == account_rules.COUNTY_SCOPE:
        stmt = stmt.where(county.id == scope.county_id)
    elif scope.kind == account_rules.GRID_SCOPE:
        stmt = stmt.where(Unit.id == scope.grid_id)
    elif scope.kind == account_rules.SELF:
        return []
    return [(grid, parent) for grid, parent in db.session.execute(stmt)]


def manager_choices(viewer: User, *, grid_id: int | None = None) -> list[User]:
    """Active channel managers in the viewer's scope (only those of ``grid_id`` when given): whom a shop may go to."""
    return managers_in_scope(viewer, grid_id=grid_id)
