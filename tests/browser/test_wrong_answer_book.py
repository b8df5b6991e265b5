"""The wrong-answer book (错题本) in Chromium: 检查 answers in place (the page neither reloads nor moves, the choice
stays), the right answer is given in words, and items leave the book once mastered (marked by the person, or right
in practice on two different days). Without JavaScript the form still works and comes back at the same item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.attempts import services
from lms.attempts.models import SUBMITTED
from tests.browser.quiz_pages import FOUR, SINGLE, practice_quiz
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import server_clock
from tests.support.quiz_files import sync, write_quiz

pytestmark = BROWSER_MARKS

BOOK_QUIZ = practice_quiz("错题练习", (
    ("q1", SINGLE + "    explanation: 每月 8 号前完成。\n"), *FOUR[1:],
    ("q5", "    type: truefalse\n    stem: 补贴当月有效。\n    answer: true\n")), review=True)
# Stems of the questions answered wrong below (q5 is answered right: not in the book).
WRONG = ("渠道经理每月统一培训在几号前完成", "以下哪些属于酬金", "79.9 分为及格", "终端订货系统又称")


@pytest.fixture
def clock(monkeypatch):
    return server_clock(monkeypatch, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))


@pytest.fixture
def booked(app, make_user, clock):
    """A manager who got q1–q4 wrong in a finished practice attempt."""
    write_quiz(app, "book", BOOK_QUIZ)
    sync(app)
    person = make_user("manager")
    attempt, _created = services.start_attempt(person, "book", now=clock.now)
    for qid, body in {"q1": {"choices": ["A"]}, "q2": {"choices": ["A"]}, "q3": {"choices": ["T"]},
                      "q5": {"choices": ["T"]}}.items():
        services.save_answer(person.id, attempt.id, qid, body, now=clock.now)
    services.finish_attempt(attempt.id, now=clock.now, status=SUBMITTED, reason="submit")
    clock.advance(minutes=5)
    return person, attempt.id


def item(page, stem):
    return page.locator(".wa-item", has_text=stem)


def test_check_answers_in_place_and_gives_the_answer_in_words(booked, page):
    from playwright.sync_api import expect

    person, _attempt_id = booked
    sign_in(page, person)
    page.goto("/wrong-answers")
    for stem in WRONG:
        expect(item(page, stem)).to_have_count(1)
    expect(item(page, "补贴当月有效")).to_have_count(0)

    page.evaluate("window.stillThisPage = true")
    truefalse = item(page, "79.9 分为及格")
    truefalse.scroll_into_view_if_needed()
    expect(truefalse.locator(".quiz-opt-id")).to_have_count(0)  # 正确 / 错误, no T. / F.
    truefalse.get_by_label("正确", exact=True).check()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    truefalse.get_by_role("button", name="检查").click()
    expect(truefalse.locator(".wa-result")).to_contain_text("还不对，再想想。")
    expect(truefalse.locator(".wa-result")).to_contain_text("正确答案：错误")
    assert page.evaluate("window.stillThisPage") is True  # no reload
    assert page.evaluate("window.scrollY") == scrolled  # not back to the top
    expect(truefalse.get_by_label("正确", exact=True)).to_be_checked()  # the choice is kept
    expect(truefalse.locator(".quiz-opt", has_text="错误").locator(".wa-mark")).to_be_visible()

    single = item(page, "渠道经理每月统一培训")
    single.get_by_label("8号").check()
    single.get_by_role("button", name="检查").click()
    expect(single.locator(".wa-result")).to_contain_text("回答正确！")
    expect(single.locator(".wa-result")).to_contain_text("正确答案：8号")
    expect(single.locator(".wa-result")).to_contain_text("每月 8 号前完成。")
    expect(single.locator(".wa-progress")).to_have_text("已在 1 天答对（共需 2 天）")

    several = item(page, "以下哪些属于酬金")
    several.get_by_role("button", name="检查").click()
    expect(several.locator(".wa-result")).to_contain_text("正确答案：房补；综合激励")

    fill = item(page, "终端订货系统又称")
    fill.locator("input[name=text]").fill("b2b")
    fill.get_by_role("button", name="检查").click()
    expect(fill.locator(".wa-result")).to_contain_text("回答正确！")
    expect(fill.locator(".wa-result")).to_contain_text("正确答案：B2B")
    answers = [t.split("正确答案：")[1].split("\n")[0] for t in page.locator(".wa-result").all_inner_texts()]
    assert answers == ["8号", "房补；综合激励", "错误", "B2B"]  # words, never an option's letter
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_the_check_comes_back_at_the_same_item_with_the_choice(booked, page, live_server):
    from playwright.sync_api import expect

    person, _attempt_id = booked
    context = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                               base_url=live_server, java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, person)
    plain.goto("/wrong-answers")
    truefalse = item(plain, "79.9 分为及格")
    truefalse.get_by_label("正确", exact=True).check()
    truefalse.get_by_role("button", name="检查").click()
    plain.wait_for_load_state()
    assert plain.url.endswith("#" + truefalse.get_attribute("id"))
    truefalse = item(plain, "79.9 分为及格")
    expect(truefalse.locator(".wa-result")).to_contain_text("正确答案：错误")
    expect(truefalse.get_by_label("正确", exact=True)).to_be_checked()
    assert plain.evaluate("window.scrollY") > 0  # at the item, not the top of the page
    box = truefalse.bounding_box()
    assert box is not None
    assert box["y"] < 740
    assert box["y"] + box["height"] > 0
    context.close()


def test_a_person_marks_an_item_mastered_and_puts_it_back(booked, page):
    from playwright.sync_api import expect

    person, _attempt_id = booked
    sign_in(page, person)
    page.goto("/wrong-answers")
    item(page, "79.9 分为及格").get_by_role("button", name="标记为已掌握").click()
    expect(page.locator(".flash")).to_contain_text("已移到“已掌握”。")
    expect(item(page, "79.9 分为及格")).to_have_count(0)
    mastered = page.locator("#wa-mastered")
    expect(mastered.locator("summary")).to_have_text("已掌握（1）")
    mastered.locator("summary").click()
    expect(mastered).to_contain_text("79.9 分为及格")
    expect(mastered).to_contain_text("正确答案：错误")
    expect(mastered).to_contain_text("本人标记为已掌握")
    mastered.get_by_role("button", name="移回错题本").click()
    expect(item(page, "79.9 分为及格")).to_have_count(1)
    expect(page.locator("#wa-mastered")).to_have_count(0)


def test_right_on_two_different_days_in_practice_leaves_the_book(booked, page, clock):
    from playwright.sync_api import expect

    person, _attempt_id = booked
    sign_in(page, person)
    page.goto("/wrong-answers")
    single = item(page, "渠道经理每月统一培训")
    for _ in range(2):  # twice on one day counts once
        single.get_by_label("8号").check()
        # The second answer's text is the first's: wait for its response, or the clock may move before it lands.
        with page.expect_response(lambda response: response.url.endswith("/api/v1/wrong-answers/check")):
            single.get_by_role("button", name="检查").click()
        expect(single.locator(".wa-progress")).to_have_text("已在 1 天答对（共需 2 天）")
    clock.advance(days=1)
    page.reload()
    single = item(page, "渠道经理每月统一培训")
    single.get_by_label("8号").check()
    single.get_by_role("button", name="检查").click()
    expect(single.locator(".wa-result")).to_contain_text("已掌握")
    page.reload()
    expect(item(page, "渠道经理每月统一培训")).to_have_count(0)
    page.locator("#wa-mastered summary").click()
    expect(page.locator("#wa-mastered")).to_contain_text("练习中在不同的 2 天答对")

