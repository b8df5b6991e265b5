"""The assessment pages in a real Chromium at phone width (360 px): a manager reads a 200-yuan penalty, supervisors
read the ledger, the ranking and the period report without sideways scrolling, and a grid supervisor is shown
only their grid's part of a draft notice and no reversal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.assessment import services
from lms.extensions import db
from lms.org.models import Unit
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.quizzes import after_close

pytestmark = BROWSER_MARKS

PHONE = 360


@pytest.fixture
def county(managers, monthly_quiz, take, make_user):
    """One county, two grids of five; one manager per grid fails October and November (a 200-yuan penalty)."""
    east = managers(5, county="城区", grid="东城网格")
    west = managers(5, county="城区", grid="西城网格")
    for period in ("2026-10", "2026-11"):
        scores = {east[0]: 50, west[0]: 55}
        scores.update({p: 81 + 3 * i for i, p in enumerate(east[1:] + west[1:])})
        take(monthly_quiz(period), scores)
        services.close_month(period, now=after_close(period))
    return {
        "east": east, "west": west,
        "grid_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "county_sup": make_user("supervisor", county="城区", grid=None),
        "city_sup": make_user("supervisor", county=None, grid=None),
        "county_id": db.session.scalar(select(Unit.id).where(Unit.name == "城区")),
    }


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def column_cells(page, table: str, heading: str) -> list[dict]:
    """The boxes of one column's body cells, found by the column's heading (as a table or as cards)."""
    return page.evaluate("""([selector, heading]) => {
        const table = document.querySelector(selector);
        const headings = Array.from(table.tHead.rows[0].cells).map(c => c.textContent.trim());
        const index = headings.indexOf(heading);
        return Array.from(table.tBodies[0].rows).map(row => {
            const cell = row.cells[index];
            const box = cell.getBoundingClientRect();
            const rowBox = row.getBoundingClientRect();
            return {text: cell.textContent.trim(), width: box.width, left: box.left, right: box.right,
                    rowHeight: rowBox.height, label: cell.getAttribute('data-label')};
        });
    }""", [table, heading])


def test_a_managers_200_yuan_penalty_reads_on_a_phone(page, county):
    sign_in(page, county["east"][0])
    page.goto("/assessment/mine")
    assert scroll_width(page) <= PHONE
    reasons = column_cells(page, "table.ledger", "事由")
    penalty = next(cell for cell in reasons if "现金处罚200元" in cell["text"])
    assert penalty["width"] >= 150  # was 69 px: one or two characters a line
    assert penalty["right"] <= PHONE
    assert max(cell["rowHeight"] for cell in reasons) <= 240  # a row was 259 px for four short facts
    assert penalty["label"] == "事由"  # each value says what it is
    amount = page.locator("table.ledger tbody tr", has_text="现金处罚200元").first.locator("td", has_text="200").first
    assert amount.is_visible()
    assert amount.bounding_box()["x"] + amount.bounding_box()["width"] <= PHONE
    # the numbers read as people write them: 50, not 50.0
    assert re.search(r"\b50\b", page.locator("table").first.inner_text())
    assert "50.0" not in page.locator("main").inner_text()


def test_cards_keep_the_table_for_screen_readers(page, county):
    sign_in(page, county["east"][0])
    page.goto("/assessment/mine")
    ledger = page.locator("table.ledger")
    assert ledger.get_by_role("columnheader", name="事由").count() == 1
    assert ledger.get_by_role("row").count() == 1 + len(column_cells(page, "table.ledger", "事由"))
    assert ledger.get_by_role("cell", name=re.compile("现金处罚200元")).count() >= 1


def test_the_ranking_shows_yellow_cards_and_rewards_without_sideways_scrolling(page, county):
    sign_in(page, county["county_sup"])
    page.goto("/assessment/2026-11/ranking")
    assert scroll_width(page) <= PHONE
    bands = page.locator("table .kind")
    assert bands.count() >= 2
    for index in range(bands.count()):
        box = bands.nth(index).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE, bands.nth(index).inner_text()
    column = column_cells(page, "table", "黄牌/奖励")
    assert {"奖励", "黄牌警告"} <= {cell["text"] for cell in column}


def test_the_ledger_page_reads_on_a_phone(page, county):
    sign_in(page, county["county_sup"])
    page.goto("/assessment/2026-11/ledger")
    assert scroll_width(page) <= PHONE
    reasons = column_cells(page, "table.ledger", "事由")
    assert reasons
    assert min(cell["width"] for cell in reasons) >= 150
    reverse = page.get_by_role("link", name="冲销").first
    assert reverse.is_visible()  # a county supervisor decides appeals
    assert reverse.bounding_box()["x"] + reverse.bounding_box()["width"] <= PHONE


def test_the_period_report_fits_a_phone(page, county):
    sign_in(page, county["city_sup"])
    page.goto("/reports/periods/2026-11")
    assert page.locator("h1").inner_text().startswith("2026-11")
    assert scroll_width(page) <= PHONE


def test_between_phone_and_desktop_a_wide_table_scrolls_in_its_box_not_the_page(page, county):
    sign_in(page, county["city_sup"])
    for width in (600, 700, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        for url in ("/reports/periods/2026-11", "/assessment/2026-11/ledger", "/assessment/2026-11/ranking",
                    f"/reports/people/{county['east'][0].id}"):
            page.goto(url)
            assert scroll_width(page) <= width, (width, url)


def test_a_grid_supervisor_sees_their_grids_part_of_the_draft_and_no_reversal(page, county):
    sign_in(page, county["grid_sup"])
    page.goto(f"/assessment/2026-11/notice/{county['county_id']}")
    notice = page.locator(".notice").inner_text()
    assert county["east"][0].employee_no in notice
    assert all(person.employee_no not in notice for person in county["west"])
    page.goto("/assessment/2026-11/ledger")
    assert page.locator("table.ledger tbody tr").count() > 0
    assert page.get_by_role("link", name="冲销").count() == 0
    assert page.get_by_text("冲销", exact=True).count() == 0
    page.goto(f"/reports/people/{county['east'][0].id}")
    assert page.locator("#ledger table tbody tr").count() > 0
    assert page.get_by_text("冲销", exact=True).count() == 0  # the 冲销 disclosure of the county's page
