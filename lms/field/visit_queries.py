"""Reading shop visits: the shops a person may visit (nearest first), visits and tickets a viewer may see, the R3
queue, and visit compliance per manager and month for the process indicators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import aliased

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.core.clock import local_midnight
from lms.extensions import db
from lms.field import rules, visit_rules
from lms.field.models import Shop
from lms.field.visit_models import ChecklistVersion, DeductionCandidate, Ticket, Visit
from lms.org.models import Unit


def checklist_in_force() -> ChecklistVersion:
    """The latest checklist version; the seed's items as version 1 where none was ever saved."""
    found = db.session.scalar(select(ChecklistVersion).order_by(ChecklistVersion.number.desc()).limit(1))
    if found is None:
        found = ChecklistVersion(number=1, items=[dict(item) for item in visit_rules.DEFAULT_CHECKLIST])
        db.session.add(found)
        db.session.commit()
    return found


def shop_county_id(shop: Shop) -> int | None:
    return shop.grid.parent_id if shop.grid is not None else (shop.manager.county_id if shop.manager else None)


def shop_clause(viewer: User) -> ColumnElement[bool]:
    """Shops ``viewer`` may see and visit: a manager, their own and their grid's; a supervisor, their unit's."""
    scope = viewer.scope
    if scope.kind == account_rules.ALL:
        return true()
    if scope.kind == account_rules.GRID_SCOPE:
        return Shop.grid_id == scope.grid_id  # type: ignore[no-any-return]
    if scope.kind == account_rules.COUNTY_SCOPE:
        grids = select(Unit.id).where(Unit.parent_id == scope.county_id)
        return Shop.grid_id.in_(grids)
    own = Shop.manager_id == viewer.id
    return or_(own, Shop.grid_id == viewer.grid_id) if viewer.grid_id is not None else own


def may_visit(viewer: User, shop: Shop) -> bool:
    return shop.active and db.session.scalar(select(Shop.id).where(Shop.id == shop.id, shop_clause(viewer))) is not None


@dataclass(frozen=True)
class ShopChoice:
    shop: Shop
    distance_m: float | None


def shops_to_visit(viewer: User, latitude: float | None, longitude: float | None) -> list[ShopChoice]:
    """The person's active shops, nearest first from where they said they are; shops without coordinates after."""
    shops = db.session.scalars(select(Shop).where(Shop.active.is_(True), shop_clause(viewer))
                               .order_by(Shop.name)).all()
    here = rules.valid_position(latitude, longitude)
    choices = []
    for shop in shops:
        distance = None
        if here and rules.valid_position(shop.latitude, shop.longitude):
            distance = rules.distance_m(latitude, longitude, shop.latitude, shop.longitude)  # type: ignore[arg-type]
        choices.append(ShopChoice(shop, distance))
    return sorted(choices, key=lambda c: (c.distance_m is None, c.distance_m or 0.0, c.shop.name))


def _person_clause(viewer: User, user_col: Any) -> ColumnElement[bool]:
    """Records of people ``viewer`` may see (the person themselves, their supervisors: lms.accounts.access)."""
    scope = viewer.scope
    if scope.kind == account_rules.ALL:
        return true()
    owner = aliased(User)
    people = select(owner.id)
    if scope.kind == account_rules.COUNTY_SCOPE:
        people = people.where(owner.county_id == scope.county_id)
    elif scope.kind == account_rules.GRID_SCOPE:
        people = people.where(owner.grid_id == scope.grid_id)
    else:
        return user_col == viewer.id  # type: ignore[no-any-return]
    return user_col.in_(people)  # type: ignore[no-any-return]


def visits_for(viewer: User, *, limit: int = 100) -> list[Visit]:
    query = select(Visit).where(_person_clause(viewer, Visit.user_id)).order_by(Visit.at.desc()).limit(limit)
    return list(db.session.scalars(query))


def visits_to_shop(viewer: User, shop_id: int, *, limit: int = 20) -> list[Visit]:
    """A shop's latest visits, those of people ``viewer`` may see (the shop's page)."""
    query = (select(Visit).where(Visit.shop_id == shop_id, _person_clause(viewer, Visit.user_id))
             .order_by(Visit.at.desc()).limit(limit))
    return list(db.session.scalars(query))


def visit_for(viewer: User, visit_id: int) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.id == visit_id, _person_clause(viewer, Visit.user_id)))


# --- tickets -------------------------------------------------------------------------------------------------------


def handler_clause(viewer: User) -> ColumnElement[bool]:
    """Tickets ``viewer`` handles: routed to them by name, or to their unit (a county's supervisors answer what goes
    to the county and to its grids; a grid's supervisor what goes to the grid); an admin or city supervisor all."""
    if viewer.role == account_rules.ADMIN:
        return true()
    mine = Ticket.routed_user_id == viewer.id
    if viewer.role != account_rules.SUPERVISOR:
        return mine  # type: ignore[no-any-return]
    scope = viewer.scope
    if scope.kind == account_rules.ALL:
        return true()
    if scope.kind == account_rules.COUNTY_SCOPE:
        grids = select(Unit.id).where(Unit.parent_id == scope.county_id)
        return or_(mine, Ticket.routed_unit_id == scope.county_id, Ticket.routed_unit_id.in_(grids))
    return or_(mine, and_(Ticket.routed_to == visit_rules.GRID_SUPERVISOR, Ticket.routed_unit_id == scope.grid_id))


def can_handle(viewer: User, ticket: Ticket) -> bool:
    query = select(Ticket.id).where(Ticket.id == ticket.id, handler_clause(viewer))
    return db.session.scalar(query) is not None


def tickets_to_handle(viewer: User, *, states: tuple[str, ...] = (visit_rules.OPEN, visit_rules.ANSWERED),
                      limit: int = 200) -> list[Ticket]:
    query = (select(Ticket).where(handler_clause(viewer), Ticket.state.in_(states))
             .order_by(Ticket.due_at, Ticket.id).limit(limit))
    return list(db.session.scalars(query))


def open_ticket_count(viewer: User) -> int:
    """Tickets routed to ``viewer`` (by name or unit, as their list shows them) still waiting for an answer."""
    return db.session.scalar(select(func.count(Ticket.id)).where(
        handler_clause(viewer), Ticket.state == visit_rules.OPEN)) or 0


def tickets_raised(viewer: User, *, limit: int = 200) -> list[Ticket]:
    """Tickets of the manager's visits and shops (what a manager follows up with the shop)."""
    query = (select(Ticket).join(Shop, Shop.id == Ticket.shop_id)
             .where(or_(Ticket.raised_by_id == viewer.id, Shop.manager_id == viewer.id))
             .order_by(Ticket.raised_at.desc()).limit(limit))
    return list(db.session.scalars(query))


def ticket_for(viewer: User, ticket_id: int) -> Ticket | None:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return None
    if can_handle(viewer, ticket) or viewer.id in (ticket.raised_by_id, ticket.shop.manager_id):
        return ticket
    return None


# --- the R3 queue --------------------------------------------------------------------------------------------------


def candidate_clause(viewer: User) -> ColumnElement[bool]:
    if viewer.role not in (account_rules.SUPERVISOR, account_rules.ADMIN):
        return false()
    return _person_clause(viewer, DeductionCandidate.user_id)


def candidates_for(viewer: User, *, pending_only: bool = False, limit: int = 200) -> list[DeductionCandidate]:
    query: Select[tuple[DeductionCandidate]] = select(DeductionCandidate).where(candidate_clause(viewer))
    if pending_only:
        query = query.where(DeductionCandidate.state == visit_rules.PENDING)
    query = query.order_by(DeductionCandidate.state != visit_rules.PENDING, DeductionCandidate.created_at.desc())
    return list(db.session.scalars(query.limit(limit)))


def pending_candidate_count(viewer: User) -> int:
    """Deduction candidates in ``viewer``'s scope waiting for a supervisor's decision."""
    return db.session.scalar(select(func.count(DeductionCandidate.id)).where(
        candidate_clause(viewer), DeductionCandidate.state == visit_rules.PENDING)) or 0


def candidate_for(viewer: User, candidate_id: int) -> DeductionCandidate | None:
    return db.session.scalar(select(DeductionCandidate).where(DeductionCandidate.id == candidate_id,
                                                              candidate_clause(viewer)))


def tickets_by_id(ids: list[int]) -> list[Ticket]:
    return list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id))) if ids else []


def visits_by_id(ids: list[int]) -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.id.in_(ids)).order_by(Visit.id))) if ids else []


# --- visit compliance ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopCompliance:
    shop: Shop
    required: int
    done: int

    @property
    def met(self) -> bool:
        return self.done >= self.required


@dataclass(frozen=True)
class VisitCompliance:
    """A manager's visits in a month against each of their shops' required frequency (lms.field.rules)."""

    user_id: int
    period: str
    shops: tuple[ShopCompliance, ...]

    @property
    def required(self) -> int:
        return sum(s.required for s in self.shops)

    @property
    def done(self) -> int:
        return sum(min(s.done, s.required) for s in self.shops)

    @property
    def share(self) -> float | None:
        return visit_rules.compliance_share([(s.required, s.done) for s in self.shops])


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """A month's start and end (excluded) in Shanghai, as UTC instants."""
    first, following = rules.period_dates(period)
    return local_midnight(first), local_midnight(following)


def shop_visit_counts(shop_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, int]:
    """{shop id: visits counted from ``start`` to ``end`` (excluded)}; a shop without any is left out."""
    if not shop_ids:
        return {}
    return dict(db.session.execute(  # type: ignore[arg-type]
        select(Visit.shop_id, func.count(Visit.id))
        .where(Visit.shop_id.in_(list(shop_ids)), Visit.counted_at >= start, Visit.counted_at < end)
        .group_by(Visit.shop_id)).all())


def visit_compliance(user_id: int, period: str) -> VisitCompliance:
    """Per shop the manager is responsible for (active): visits required in ``period`` vs made (by anyone of the
    team, counted on the day they were made: ``Visit.counted_at``); the overall share."""
    return visit_compliances([user_id], period)[user_id]


def visit_compliances(user_ids: Sequence[int], period: str) -> dict[int, VisitCompliance]:
    """``visit_compliance`` of many managers in two queries (the monthly close asks for every manager at once)."""
    start, end = month_bounds(period)
    shops = db.session.scalars(select(Shop).where(Shop.manager_id.in_(list(user_ids)), Shop.active.is_(True))
                               .order_by(Shop.name)).all() if user_ids else []
    counts = shop_visit_counts([s.id for s in shops], start, end)
    rows: dict[int, list[ShopCompliance]] = {user_id: [] for user_id in user_ids}
    for shop in shops:
        rule = rules.required_visits(shop.kind, shop.star)
        required = visit_rules.required_in_month(rule.count, rule.period, period) if rule else 0
        rows[shop.manager_id].append(ShopCompliance(shop, required, counts.get(shop.id, 0)))  # type: ignore[index]
    return {user_id: VisitCompliance(user_id, period, tuple(found)) for user_id, found in rows.items()}

