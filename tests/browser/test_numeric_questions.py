"""The numeric type (数值题) in Chromium, by the people who use it: a trainer writes one in the bank's editor (keys as
trainers write them: 199, 3±0.5, 10..12) on a desktop and on a phone; a manager answers one on a 360 px phone with
the number pad, in full-width digits with a decimal comma, and the result page counts it right, shows the key as a
trainer wrote it and the author's feedback. Every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.checks import checked as page_checked
from tests.browser.quiz_pages import open_quiz, practice_quiz
from tests.browser.test_admin_org import PHONE, WIDE
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def checked(page, width: int, name: str) -> None:
    page_checked(page, width, name, folder="numeric")

NUMERIC = """\
    type: numeric
    stem: 某套餐月费 199 元，按 6 折计算每月多少元？
    answer: ["119.4", "119..120"]
    weights: [1, 0.5]
"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_a_trainer_writes_a_numeric_question(chromium, live_server, make_user, viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, make_user("trainer"))
    page.goto("/quizzes/banks")
    new_bank = page.locator("form[action$='/quizzes/banks/new']")
    new_bank.locator("input[name=title]").fill("Numeric bank")
    new_bank.get_by_role("button", name="新建").click()
    page.get_by_role("link", name="添加题目").click()
    page.select_option("#type", "numeric")
    expect(page.locator("#numbers")).to_be_visible()
    expect(page.locator("#accepted")).to_be_hidden()
    page.fill("#stem", "5G 套餐 199 元，打 6 折后每月多少元？")
    page.fill("#numbers", "119.4\n三块")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("“三块”不是数字")
    checked(page, width, "numeric-form-error")
    page.fill("#numbers", "119.4\n119..120")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("数值题")
    expect(page.locator("main")).to_contain_text("119.4 / 119.5±0.5")
    checked(page, width, "numeric-question")
    context.close()


def test_a_manager_answers_a_numeric_question_on_a_phone(app, chromium, live_server, make_user):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    quiz = practice_quiz("数值练习", (("n1", NUMERIC),), review=True)
    open_quiz(app, page, make_user("manager", county="城区", grid="东城网格"), quiz, slug="numeric", take=False)
    page.goto("/quizzes/numeric/take")
    box = page.locator("#q-n1")
    expect(box.locator(".quiz-q-head")).to_contain_text("数值题")
    field = box.locator("input.quiz-fill")
    assert field.get_attribute("inputmode") == "decimal"
    field.fill("１１９，４")  # full-width digits and a decimal comma, as a Chinese phone keyboard may type them
    field.dispatch_event("change")
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    checked(page, PHONE["width"], "numeric-take")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    page.locator("#quiz-done-link").click()
    expect(page.locator(".quiz-result-score")).to_contain_text("100")
    expect(page.locator("#r-1")).to_contain_text("答对")
    # The half-right range is not "the" key.
    expect(page.locator("#r-1 p.quiz-answer-right")).to_have_text("参考答案：119.4")
    checked(page, PHONE["width"], "numeric-result")
    context.close()
