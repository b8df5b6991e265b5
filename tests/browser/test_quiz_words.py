"""No internal codes in the quiz pages, in Chromium: question types, quiz kinds, finish reasons, event kinds and
statuses read as words (Chinese, or English in the English UI), and a true-or-false question shows 正确 / 错误 without
T. / F. in front. The codes are taken from the code's own enums, so a new one is checked too."""

from __future__ import annotations

import re

from lms.attempts import evidence
from lms.attempts.models import ACCOMMODATION_KINDS, ATTEMPT_STATUSES
from lms.quizzes.models import QUIZ_KINDS
from lms.quizzes.question_types import TYPES
from tests.browser.quiz_pages import open_quiz
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

CODES = sorted({*QUIZ_KINDS, *TYPES, *evidence.FINISH_REASONS, *evidence.EVENT_LABELS, *ACCOMMODATION_KINDS,
                *ATTEMPT_STATUSES}, key=len, reverse=True)
CODE = re.compile(r"(?<![A-Za-z0-9_.-])(" + "|".join(map(re.escape, CODES)) + r")(?![A-Za-z0-9_-])")
# In the English UI "offline", "practice" or "submitted" are plain English; codes there are the joined words.
ENGLISH_CODE = re.compile(r"\b(" + "|".join(re.escape(c) for c in CODES if re.search(r"[_-]", c) or c == "truefalse")
                          + r")\b")
LETTER_TF = re.compile(r"(?:^|\s)[TF]\.\s")


def codes_in(page, *, english: bool = False) -> list[str]:
    return (ENGLISH_CODE if english else CODE).findall(page.locator("main").inner_text())


def test_the_quiz_pages_read_in_words(app, make_user, page):
    from playwright.sync_api import expect

    person = make_user("manager", county="城区", grid="东城网格")
    open_quiz(app, page, person, take=False)

    page.goto("/quizzes/timed")
    expect(page.locator(".quiz-facts")).to_contain_text("练习")
    assert codes_in(page) == []

    page.goto("/quizzes/timed/take")
    truefalse = page.locator("#q-q3")
    expect(truefalse.locator(".quiz-q-head")).to_contain_text("判断题")
    expect(truefalse.locator(".quiz-opt-id")).to_have_count(0)
    assert not LETTER_TF.search(truefalse.inner_text())
    assert codes_in(page) == []
    truefalse.get_by_label("错误").check()
    page.get_by_label("8号").check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    page.goto("/quizzes/timed/take?lang=en")
    expect(page.locator("#q-q3 .quiz-q-head")).to_contain_text("True or false")
    expect(page.locator("#q-q3 .quiz-opt-id")).to_have_count(0)
    assert codes_in(page, english=True) == []
    page.goto("/quizzes/timed/take")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    page.locator("#quiz-done-link").click()
    expect(page.locator(".quiz-result-score")).to_be_visible()
    result_url = page.url
    answers = page.locator("section", has_text="79.9 分为及格").locator("li").all_inner_texts()
    assert [a.split()[0] for a in answers] == ["正确", "错误"]
    assert codes_in(page) == []

    page.goto(result_url + "?lang=en")
    expect(page.locator("main")).to_contain_text("Right")
    assert codes_in(page, english=True) == []
    page.goto("/quizzes/timed?lang=en")
    expect(page.locator(".quiz-facts")).to_contain_text("Practice")
    assert codes_in(page, english=True) == []
    page.goto("/quizzes/timed?lang=zh_CN")

    page.context.clear_cookies()
    sign_in(page, make_user("supervisor", county="城区", grid=None))
    page.goto("/quizzes/timed/people")
    expect(page.locator("main")).to_contain_text(person.employee_no)
    assert codes_in(page) == []
    page.goto(result_url)
    expect(page.locator("main")).to_contain_text("答题记录")
    assert codes_in(page) == []
