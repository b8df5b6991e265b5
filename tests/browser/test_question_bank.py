"""The question bank in a real Chromium, as a trainer does it at 1366 px: find a question by filter, open it, fix its
key and explanation (a new version in its history), retire another, tag three at once; the list at 360 px reads as
cards with nothing sideways. Screenshots go to LMS_WALK_SCREENSHOTS/banks/."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.checks import shot
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

GIFT = """::充值返还::预存话费返还分几个月到账？{~一次到账 =分12个月 ~分6个月#### 见政策第3条}

::实名登记::入网须实名登记。{T}

::最低档::5G 套餐的最低档是 {=59 =五十九} 元。

::终端补贴::合约机补贴由谁承担？{=市公司 ~渠道 ~客户}

::宽带提速::宽带提速需要换光猫吗？{F}

::积分兑换::积分可以兑换哪些？{~%50%话费 ~%50%流量 ~现金}
"""


def _overflow(page: Any) -> int:
    page.wait_for_load_state("load")  # measured with the stylesheets applied
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def _shot(page: Any, name: str) -> None:
    shot(page, "banks", name)


def test_trainer_finds_edits_retires_and_tags_questions(page, app, runner, make_user, write_lesson):
    write_lesson("policy/terminal.md", title="11月终端补贴政策")
    assert runner.invoke(args=["sync"]).exit_code == 0
    with app.app_context():
        from lms.quizzes import imports

        imports.import_questions(GIFT.encode(), "policy.gift", "policy", title="11月政策题库")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, make_user("trainer"))

    # Find the single-choice question about handset subsidies by type and text.
    page.goto("/quizzes/banks/policy")
    page.select_option("select[name=type]", "single")
    page.fill("input[name=q]", "补贴")
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("table.bank-questions tbody tr")
    page.wait_for_url("**type=single**")  # the filtered list, not the one the button was pressed on
    expect(rows).to_have_count(1)
    assert "单选题" in rows.first.inner_text()
    _shot(page, "list-filtered-1366")
    rows.first.locator("a").first.click()
    assert page.locator("h1").inner_text() == "终端补贴"
    assert "✔ 正确答案" in page.locator(".question-options li").first.inner_text()  # A. 市公司
    _shot(page, "question-1366")

    # Its key was wrong: 渠道 (B) is right; and the explanation says why. A new version, visible in the history.
    page.click("text=编辑")
    page.wait_for_url("**/edit")
    # only the single-choice part shows, once the editor's script has run
    expect(page.locator("fieldset[data-types='truefalse']")).to_be_hidden()
    page.uncheck("input[name=correct][value='0']")
    page.check("input[name=correct][value='1']")
    page.select_option("select[name=lesson]", label="11月终端补贴政策")
    page.fill("textarea[name=explanation]", "补贴由渠道承担，见11月终端政策。")
    page.click("button[data-add-option]")  # a seventh row appears without a reload
    expect(page.locator("[data-option-row]")).to_have_count(7)
    _shot(page, "edit-1366")
    page.click("form.question-form button[type=submit]")
    assert "已保存为第 2 版" in page.locator(".flash").inner_text()
    options = page.locator(".question-options li").all_inner_texts()
    assert "正确答案" not in options[0]
    assert "正确答案" in options[1]
    assert "补贴由渠道承担" in page.locator(".quiz-explanation").inner_text()
    assert page.locator("a", has_text="11月终端补贴政策").count() == 1  # the lesson by its title
    history = page.locator("table.question-history tbody tr").all_inner_texts()
    assert len(history) == 2
    assert "第 2 版" in history[0]
    assert "网页编辑" in history[0]
    _shot(page, "question-edited-1366")

    # Retire another question: it leaves the list of questions in use, and can be found among the retired.
    page.goto("/quizzes/banks/policy?q=宽带")
    page.locator("table.bank-questions tbody tr a").first.click()
    page.click("button:has-text('停用')")
    assert "已停用" in page.locator("main").inner_text()
    page.goto("/quizzes/banks/policy")
    assert page.locator("table.bank-questions tbody tr").count() == 5
    page.goto("/quizzes/banks/policy?status=retired")
    assert page.locator("table.bank-questions tbody tr").all_inner_texts()[0].find("宽带提速") >= 0

    # Tag three at once.
    page.goto("/quizzes/banks/policy")
    boxes = page.locator("table.bank-questions input[name=ids]")
    for index in range(3):
        boxes.nth(index).check()
    page.fill("#bulk-tag input[name=tag]", "重点")
    page.click("#bulk-tag button[type=submit]")
    assert "已为 3 道题添加标签“重点”" in page.locator(".flash").inner_text()
    page.select_option("select[name=tag]", "重点")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**tag=%E9%87%8D%E7%82%B9**")
    expect(page.locator("table.bank-questions tbody tr")).to_have_count(3)
    _shot(page, "list-tagged-1366")
    assert _overflow(page) <= 0

    # The same list on a phone: cards, nothing sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/quizzes/banks/policy")
    assert _overflow(page) <= 0
    assert page.locator("table.bank-questions.cards").count() == 1
    _shot(page, "list-360")
    page.locator("table.bank-questions tbody tr a").first.click()
    page.locator("text=编辑").first.wait_for()  # the question's page, not the list it was clicked on
    assert _overflow(page) <= 0
    _shot(page, "question-360")
    page.click("text=编辑")
    assert _overflow(page) <= 0
    _shot(page, "edit-360")
