"""Words, not codes, on the assessment pages: ledger kinds, the rules that wrote an entry, outcomes, quiz kinds and
how an attempt ended show in Chinese (English in the English UI), and numbers print as people write them
(80, not 80.0). Read in Chromium, as people see them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.assessment import rules, services
from lms.extensions import db
from lms.org.models import Unit
from lms.quizzes.models import QUIZ_KINDS
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.quizzes import after_close

FINISH_REASONS = ("submit", "timer", "tab_limit", "deadline")
CODES = (*rules.LEDGER_KINDS, *rules.RULES, *rules.OUTCOMES, *QUIZ_KINDS, *FINISH_REASONS)
# A code shown as a word of its own (a CSS class or a URL in the markup is not read by anyone).
CODE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(c) for c in sorted(CODES, key=len, reverse=True)) + r")(?![\w-])")
TRAILING_ZERO = re.compile(r"\b\d+\.0\b")


@pytest.fixture
def county(managers, monthly_quiz, take, make_user):
    east = managers(4, county="城区", grid="东城网格")
    for period in ("2026-10", "2026-11"):
        take(monthly_quiz(period), {east[0]: 50, **{p: 80 + 5 * i for i, p in enumerate(east[1:])}})
        services.close_month(period, now=after_close(period))
    return {"east": east, "county_sup": make_user("supervisor", county="城区", grid=None),
            "city_sup": make_user("supervisor", county=None, grid=None),
            "county_id": db.session.scalar(select(Unit.id).where(Unit.name == "城区"))}


def shown_codes(text: str) -> list[str]:
    return sorted({m.group(1) for m in CODE.finditer(text)})


@pytest.mark.parametrize("code", ["R2-consecutive-fail v1", "cash_penalty", "submit", "monthly", "PASS"])
def test_the_check_sees_a_code(code):
    assert shown_codes(f"2026-12-04 · {code}")


@pytest.mark.parametrize("text", ["现金处罚 200", "2026-11 月考", "/assessment/2026-11", "kind-cash_penalty"])
def test_the_check_ignores_words_and_markup(text):
    assert not shown_codes(text)


@pytest.mark.browser
@BROWSER_MARKS[1]
def test_assessment_pages_show_words_and_plain_numbers(page, county):
    person = county["east"][0]
    problems = []

    def read(url: str, *, numbers: bool = True) -> None:
        assert page.goto(url).status == 200, url
        text = page.locator("main").inner_text()
        problems.extend(f"{url}: code {code!r}" for code in shown_codes(text))
        if numbers:
            problems.extend(f"{url}: {n!r}" for n in sorted(set(TRAILING_ZERO.findall(text))))

    sign_in(page, person)
    read("/assessment/mine")
    assert "连续" in page.locator("main").inner_text()  # the penalty's reason is there to be read
    page.context.clear_cookies()
    sign_in(page, county["county_sup"])
    for url in ("/assessment/", "/assessment/2026-11", "/assessment/2026-11/ranking", "/assessment/2026-11/ledger",
                f"/assessment/2026-11/notice/{county['county_id']}", "/assessment/deductions/new"):
        read(url)
    page.goto("/assessment/2026-11/ledger")
    assert "连续两个月及以上不及格：现金处罚（第1版）" in page.locator("main").inner_text()  # the rule, in words
    # the report pages print scores with one decimal on purpose (the report's own format): codes only
    read(f"/reports/people/{person.id}", numbers=False)
    read("/reports/periods/2026-11", numbers=False)
    page.goto(f"/reports/people/{person.id}")
    assert "本人交卷" in page.locator("main").inner_text()  # how the attempt ended
    assert not problems, "\n".join(problems)


@pytest.fixture
def awaiting_close(managers, monthly_quiz, take):
    """October's test, its window over and the month not closed yet."""
    people = managers(4)
    take(monthly_quiz("2026-10"), {people[0]: 40, **dict.fromkeys(people[1:], 90)})


@pytest.mark.usefixtures("awaiting_close")
def test_the_close_preview_names_the_rules_in_words(auth, client, make_user):
    auth.login(make_user("supervisor", county=None, grid=None))
    page = client.get("/assessment/2026-10/preview").get_data(as_text=True)
    assert "首次不及格：通报批评（第1版）" in page
    assert "R2-" not in page
    assert "R7-" not in page
