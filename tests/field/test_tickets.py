"""Answering and closing a ticket: only its handler, audited; the manager sees the answer."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.field import tickets, visit_queries
from tests.support.visits import add_shop, record, visit_form

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


@pytest.fixture
def ticket(make_user, tmp_path):
    manager = make_user("manager", county="城区", grid="东城网格")
    visit = record(visit_form(add_shop(manager), problems={"system_ops": "工号被锁"}), manager, NOW, tmp_path)
    return visit.tickets[0]


def test_the_grid_supervisor_answers_and_closes(ticket, make_user):
    grid = make_user("supervisor", county="城区", grid="东城网格")
    assert visit_queries.tickets_to_handle(grid) == [ticket]
    with pytest.raises(Conflict):
        tickets.close_ticket(ticket.id, actor=grid, now=NOW)
    with pytest.raises(ValidationFailed):
        tickets.answer_ticket(ticket.id, actor=grid, answer="", close=False, now=NOW)
    tickets.answer_ticket(ticket.id, actor=grid, answer="已解锁，请重新登录", close=False, now=NOW)
    assert ticket.state == "answered"
    tickets.close_ticket(ticket.id, actor=grid, now=NOW)
    assert ticket.state == "closed"
    assert ticket.closed_by_id == grid.id
    assert list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))) == [
        "field.ticket_answered", "field.ticket_closed"]
    assert visit_queries.tickets_raised(ticket.raised_by) == [ticket]


def test_the_county_supervisor_handles_the_grids_tickets_too(ticket, make_user):
    county = make_user("supervisor", county="城区", grid=None)
    tickets.answer_ticket(ticket.id, actor=county, answer="已处理", close=True, now=NOW)
    assert ticket.state == "closed"


@pytest.mark.parametrize(("role", "county", "grid"), [("supervisor", "城区", "西城网格"),
                                                      ("supervisor", "郊区", None), ("manager", "城区", "东城网格")])
def test_others_cannot_handle_it(ticket, make_user, role, county, grid):
    outsider = make_user(role, county=county, grid=grid)
    assert visit_queries.tickets_to_handle(outsider) == []
    with pytest.raises(NotFound):
        tickets.answer_ticket(ticket.id, actor=outsider, answer="x", close=False, now=NOW)
