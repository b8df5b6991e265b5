"""No N+1: each report page issues the same number of statements for 3 people as for 30 (counted with a
``before_cursor_execute`` listener while the page renders)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.core.clock import utcnow
from tests.reports.conftest import periods_now, picks_for
from tests.support.databases import statements_run as counting


@pytest.fixture
def two_sizes(managers, monthly_quiz, sit, close, make_user):
    """County 小县 with 3 managers and county 大县 with 30; everyone fails two closed periods (all on the risk
    board), and this month some are taking the test."""
    small = managers(3, county="小县", grid="甲网格")
    large = managers(30, county="大县", grid="乙网格")
    (_p1, p2, p3), current = periods_now()
    for period in (p2, p3):
        quiz = monthly_quiz(period)
        for person in small + large:
            sit(person, quiz, picks_for(2), tab_switches=1)
        close(period)
    now = utcnow()
    quiz = monthly_quiz(current, opens=now - timedelta(days=1), closes=now + timedelta(days=3))
    for person in small[:2] + large[:20]:
        sit(person, quiz, picks_for(0), started=now - timedelta(hours=1))
    return {"small": small, "large": large, "period": p3, "quiz": quiz,
            "small_sup": make_user("supervisor", county="小县", grid=None),
            "large_sup": make_user("supervisor", county="大县", grid=None), "trainer": make_user("trainer")}


def statements_for(auth, user, url):
    auth.login(user)
    auth.client.get(url)  # warm: first-request work (e.g. loading translations) is not the page's
    with counting() as statements:
        response = auth.client.get(url)
    assert response.status_code == 200, url
    assert len(statements) > 3  # the listener saw the page's queries
    auth.logout()
    return len(statements)


@pytest.mark.parametrize("page", ["/reports/", "/reports/export.xlsx", "/reports/periods/{period}",
                                  "/reports/periods/{period}/export.xlsx"])
def test_supervisor_pages_cost_the_same_for_3_or_30_people(auth, two_sizes, page):
    url = page.format(period=two_sizes["period"])
    small = statements_for(auth, two_sizes["small_sup"], url)
    large = statements_for(auth, two_sizes["large_sup"], url)
    assert small == large


def test_person_page_costs_the_same_for_few_or_many_attempts(auth, two_sizes, sit, monthly_quiz):
    few, many = two_sizes["small"][2], two_sizes["large"][0]  # no attempt this month, and one
    for period in ("2025-01", "2025-02", "2025-03"):
        sit(many, monthly_quiz(period), picks_for(1), tab_switches=3)
    admin = two_sizes["trainer"]
    assert statements_for(auth, admin, f"/reports/people/{few.id}") == \
        statements_for(auth, admin, f"/reports/people/{many.id}")


def test_item_analysis_costs_the_same_for_3_or_30_attempts(auth, two_sizes, monthly_quiz, sit):
    few, many = monthly_quiz("2025-05"), monthly_quiz("2025-06")
    for person in two_sizes["small"]:
        sit(person, few, picks_for(1))
    for person in two_sizes["large"]:
        sit(person, many, picks_for(1))
    trainer = two_sizes["trainer"]
    assert statements_for(auth, trainer, f"/reports/quizzes/{few.slug}") == \
        statements_for(auth, trainer, f"/reports/quizzes/{many.slug}")
