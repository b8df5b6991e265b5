"""Tickets (工单) from the problems a visit collected, or that a shop reported itself from its own page: routed by
category to who handles it, answered and closed by that handler. Routing: remuneration → the county's business
department (its supervisor), system operation → the grid supervisor, handset after-sales → the terminal supervisor
(a setting), else the county supervisor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.field import visit_queries, visit_rules
from lms.field.models import Shop
from lms.field.visit_models import Ticket, Visit


def _supervisor(*, county_id: int | None, grid_id: int | None) -> User | None:
    if county_id is None and grid_id is None:
        return None
    query = select(User).where(User.role == account_rules.SUPERVISOR, User.active.is_(True))
    query = query.where(User.grid_id == grid_id) if grid_id is not None else query.where(
        User.county_id == county_id, User.grid_id.is_(None))
    return db.session.scalars(query.order_by(User.id)).first()


def route(category: str, shop: Shop, settings: visit_rules.TicketSettings) -> tuple[str, int | None, User | None]:
    """(route, unit, person) for a problem of ``category`` at ``shop``; the person may be None (no one appointed
    yet): the unit's supervisors still see the ticket in their list."""
    county_id = visit_queries.shop_county_id(shop)
    routed_to = visit_rules.ROUTES[category]
    if routed_to == visit_rules.GRID_SUPERVISOR and shop.grid_id is not None:
        return routed_to, shop.grid_id, _supervisor(county_id=None, grid_id=shop.grid_id)
    if routed_to == visit_rules.TERMINAL_SUPERVISOR and settings.terminal_supervisor:
        named = db.session.scalar(select(User).where(User.employee_no == settings.terminal_supervisor,
                                                     User.active.is_(True)))
        if named is not None:
            return routed_to, county_id, named
    return visit_rules.COUNTY_SUPERVISOR, county_id, _supervisor(county_id=county_id, grid_id=None)


def raise_tickets(visit: Visit, problems: Sequence[visit_rules.ProblemReport], *, now: datetime,
                  settings: visit_rules.TicketSettings) -> list[Ticket]:
    """One ticket per problem the visit collected, added to the visit's transaction."""
    raised = []
    for problem in problems:
        routed_to, unit_id, person = route(problem.category, visit.shop, settings)
        ticket = Ticket(visit_id=visit.id, shop_id=visit.shop_id, raised_by_id=visit.user_id,
                        category=problem.category, description=problem.text, routed_to=routed_to,
                        routed_unit_id=unit_id, routed_user_id=person.id if person else None,
                        state=visit_rules.OPEN, raised_at=now,
                        due_at=visit_rules.due_at(problem.category, now, settings))
        db.session.add(ticket)
        raised.append(ticket)
    db.session.flush()
    return raised


def raise_shop_ticket(shop: Shop, report: visit_rules.ProblemReport, *, reporter_name: str,
                      reporter_phone: str | None, photos: Sequence[str], client_key: str | None, now: datetime,
                      settings: visit_rules.TicketSettings) -> Ticket:
    """A problem the shop reported itself (its own page, no visit, no account): routed and due exactly as a visit's
    ticket of the same category; added to the caller's transaction (flushed, so a repeated ``client_key`` fails
    here)."""
    routed_to, unit_id, person = route(report.category, shop, settings)
    ticket = Ticket(visit_id=None, shop_id=shop.id, raised_by_id=None, source=visit_rules.FROM_SHOP,
                    reporter_name=reporter_name, reporter_phone=reporter_phone, photos=list(photos),
                    client_key=client_key, category=report.category, description=report.text,
                    routed_to=routed_to, routed_unit_id=unit_id, routed_user_id=person.id if person else None,
                    state=visit_rules.OPEN, raised_at=now, due_at=visit_rules.due_at(report.category, now, settings))
    ticket.shop = shop
    db.session.add(ticket)
    db.session.flush()
    return ticket


def _handled(ticket_id: int, actor: User) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not visit_queries.can_handle(actor, ticket):
        raise NotFound("工单不存在或不由您处理")
    if ticket.state == visit_rules.CLOSED:
        raise Conflict("工单已关闭")
    return ticket


def answer_ticket(ticket_id: int, *, actor: User, answer: str, close: bool, now: datetime) -> Ticket:
    """The handler's answer (and, if ``close``, the ticket closed with it)."""
    ticket = _handled(ticket_id, actor)
    answer = (answer or "").strip()
    if not answer or len(answer) > visit_rules.MAX_PROBLEM:
        raise ValidationFailed("答复未保存", [f"请填写答复（不超过{visit_rules.MAX_PROBLEM}个字符）"])
    ticket.answer, ticket.answered_at, ticket.answered_by_id = answer, now, actor.id
    ticket.state = visit_rules.ANSWERED
    facts = {"ticket": ticket.id, "shop": ticket.shop.code, "category": ticket.category}
    audit.record(audit_rules.TICKET_ANSWERED, actor=actor, target=ticket.raised_by, subject=f"工单 #{ticket.id}",
                 changes=facts, reason=answer)
    if close:
        _close(ticket, actor, now)
    db.session.commit()
    return ticket


def close_ticket(ticket_id: int, *, actor: User, now: datetime) -> Ticket:
    ticket = _handled(ticket_id, actor)
    if ticket.state != visit_rules.ANSWERED:
        raise Conflict("请先答复再关闭工单")
    _close(ticket, actor, now)
    db.session.commit()
    return ticket


def _close(ticket: Ticket, actor: User, now: datetime) -> None:
    ticket.state, ticket.closed_at, ticket.closed_by_id = visit_rules.CLOSED, now, actor.id
    audit.record(audit_rules.TICKET_CLOSED, actor=actor, target=ticket.raised_by, subject=f"工单 #{ticket.id}",
                 changes={"ticket": ticket.id, "shop": ticket.shop.code, "category": ticket.category})
