"""The field's hooks: the menu's 门店工单 and 拜访扣分 badges count what waits for the person (and the folded 外勤
group shows their sum), and the supervisor's home page has a card with both, linking to the pages; a page counts
each once, however many places show it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms.field import tickets, visit_queries
from lms.field.visit_models import Ticket
from tests.support.databases import statements_run
from tests.support.visits import add_shop, pass_system_ops, record, visit_form

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)
B2B = {"system_ops": "不会在B2B订货"}


@pytest.fixture
def world(make_user: Any, tmp_path: Any) -> dict[str, Any]:
    manager = make_user("manager", county="城区", grid="东城网格")
    grid = make_user("supervisor", county="城区", grid="东城网格")
    other = make_user("supervisor", county="城区", grid="西城网格")
    shop = add_shop(manager)
    record(visit_form(shop, problems=B2B), manager, NOW, tmp_path)
    pass_system_ops(manager, finished_at=NOW + timedelta(days=1))
    record(visit_form(shop, problems=B2B), manager, NOW + timedelta(days=3), tmp_path)  # → an R3 candidate
    return {"manager": manager, "grid": grid, "other": other}


def test_the_badges_count_open_tickets_and_pending_candidates_of_the_person(world: dict[str, Any]) -> None:
    grid, other = world["grid"], world["other"]
    assert visit_queries.open_ticket_count(grid) == 2
    assert visit_queries.pending_candidate_count(grid) == 1
    assert (visit_queries.open_ticket_count(other), visit_queries.pending_candidate_count(other)) == (0, 0)
    first = visit_queries.tickets_to_handle(grid)[0]
    assert isinstance(first, Ticket)
    tickets.answer_ticket(first.id, actor=grid, answer="已上门培训", close=False, now=NOW + timedelta(days=4))
    assert visit_queries.open_ticket_count(grid) == 1  # answered: no longer waiting for the handler


def _summary_badge(page: str) -> str | None:
    found = re.search(r'<summary>外勤 <span class="badge">(\d+)</span></summary>', page)
    return found.group(1) if found else None


def test_the_menu_shows_the_badges_and_their_sum_on_the_folded_group(world: dict[str, Any], auth: Any) -> None:
    auth.login(world["grid"])
    page = auth.client.get("/").get_data(as_text=True)
    assert re.search(r'href="/field/tickets"[^>]*>门店工单 <span class="badge">2</span>', page)
    assert re.search(r'href="/field/r3"[^>]*>拜访扣分 <span class="badge">1</span>', page)
    assert _summary_badge(page) == "3"
    auth.logout()
    auth.login(world["other"])
    page = auth.client.get("/").get_data(as_text=True)
    assert _summary_badge(page) is None
    assert "<summary>外勤</summary>" in page


def test_the_supervisor_s_home_page_has_a_card_of_pending_field_work(world: dict[str, Any], auth: Any) -> None:
    auth.login(world["grid"])
    page = auth.client.get("/").get_data(as_text=True)
    assert "外勤待办" in page
    assert re.search(r'<a href="/field/tickets">待处理工单 2</a>', page)
    assert re.search(r'<a href="/field/r3">待确认扣分 1</a>', page)
    auth.logout()
    auth.login(world["other"])
    assert "外勤待办" not in auth.client.get("/").get_data(as_text=True)  # nothing waits: no card


def _counts_of(statements: list[str], table: str) -> int:
    return sum(f"count({table}.id)" in statement for statement in statements)


def test_the_supervisor_s_home_page_counts_each_once_for_the_menu_and_the_card(world: dict[str, Any],
                                                                               auth: Any) -> None:
    auth.login(world["grid"])
    with statements_run() as statements:
        page = auth.client.get("/").get_data(as_text=True)
    assert "外勤待办" in page
    assert _summary_badge(page) == "3"
    assert _counts_of(statements, "field_tickets") == 1
    assert _counts_of(statements, "field_deduction_candidates") == 1


def test_the_next_request_counts_afresh(world: dict[str, Any], auth: Any) -> None:
    grid = world["grid"]
    auth.login(grid)
    assert re.search(r'<a href="/field/tickets">待处理工单 2</a>', auth.client.get("/").get_data(as_text=True))
    first = visit_queries.tickets_to_handle(grid)[0]
    tickets.answer_ticket(first.id, actor=grid, answer="已上门培训", close=False, now=NOW + timedelta(days=4))
    page = auth.client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/field/tickets">待处理工单 1</a>', page)
    assert re.search(r'href="/field/tickets"[^>]*>门店工单 <span class="badge">1</span>', page)
