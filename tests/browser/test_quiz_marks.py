"""Marks agree in Chromium: each question shows its share of the test's 100 points, and numbers print as people
write them (75, 92.5, 10 分钟), never 75.0 or "1分" on a test out of 100."""

from __future__ import annotations

import re

from tests.browser.quiz_pages import FILL, SINGLE, TRUE_FALSE, open_quiz, practice_quiz
from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

# Raw points 2 + 1 + 1 = 4: on a test out of 100 they are 50, 25 and 25.
WEIGHTED = practice_quiz("分值练习", (("q1", SINGLE + "    points: 2\n"), ("q2", TRUE_FALSE), ("q3", FILL)),
                         review=True)


def test_points_are_shares_of_100_and_numbers_have_no_trailing_zero(app, make_user, page):
    from playwright.sync_api import expect

    open_quiz(app, page, make_user("manager"), WEIGHTED, slug="weighted", take=False)

    page.goto("/quizzes/weighted")
    facts = page.locator(".quiz-facts")
    expect(facts).to_contain_text("10 分钟")
    expect(facts).to_contain_text("80 / 100")
    assert ".0" not in facts.inner_text()

    page.goto("/quizzes/weighted/take")
    heads = page.locator(".quiz-q-head")
    expect(heads).to_have_count(3)
    assert [re.sub(r"\s+", " ", h).strip() for h in heads.all_inner_texts()] == [
        "1. 单选题 50 分", "2. 判断题 25 分", "3. 填空题 25 分"]

    page.get_by_label("8号").check()
    page.get_by_label("正确").check()  # wrong: 79.9 fails
    page.locator("input[name=q3]").fill("B2B")
    page.locator("input[name=q3]").press("Tab")
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    expect(page.locator("#quiz-done-score")).to_have_text("75 / 100")

    page.locator("#quiz-done-link").click()
    expect(page.locator(".quiz-result-score")).to_have_text(re.compile(r"^\s*75\s*/\s*100\s*$"))
    expect(page.get_by_text("（及格线 80）")).to_be_visible()
    marks = [re.sub(r"\s+", " ", t).strip() for t in page.locator(".quiz-marks").all_inner_texts()]
    assert marks == ["50 / 50 分", "0 / 25 分", "25 / 25 分"]
