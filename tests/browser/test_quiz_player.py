"""The quiz player in a real Chromium at phone width: answer, reload, go offline, come back, run out of time."""

from __future__ import annotations

from sqlalchemy import select

from lms.attempts.models import Attempt, AttemptAnswer
from lms.extensions import db
from tests.attempts.quiz_files import sync, write_quiz
from tests.support.browser import BROWSER_MARKS, sign_in

TIME_LIMIT = 25

SHORT_QUIZ = f"""\
title: 计时练习
kind: practice
time_limit_seconds: {TIME_LIMIT}
shuffle_questions: false
shuffle_options: false
questions:
  - id: q1
    type: single
    stem: 渠道经理每月统一培训在几号前完成？
    options: [5号, 8号, 15号]
    answer: B
  - id: q2
    type: multiple
    stem: 以下哪些属于酬金？
    options: [房补, 综合激励, 话费]
    answer: AB
  - id: q3
    type: truefalse
    stem: 79.9 分为及格。
    answer: false
  - id: q4
    type: fill
    stem: 终端订货系统又称 ____ 系统。
    answer: [B2B]
"""

pytestmark = BROWSER_MARKS


def saved_answers(attempt_id: int) -> dict[str, AttemptAnswer]:
    db.session.rollback()  # a fresh transaction: see what the server committed
    return {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))}


def test_answers_survive_reload_and_offline_and_the_timer_submits(app, make_user, page):
    from playwright.sync_api import expect

    write_quiz(app, "timed", SHORT_QUIZ)
    sync(app)
    person = make_user("manager")

    sign_in(page, person)

    page.goto("/quizzes/timed/take")
    expect(page.locator("#q-q1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    page.get_by_label("8号").check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id))
    assert saved_answers(attempt_id)["q1"].choices == ["B"]

    page.reload()
    expect(page.get_by_label("8号")).to_be_checked()

    page.context.set_offline(True)
    page.get_by_label("房补").check()
    page.get_by_label("综合激励").check()
    page.locator("input[name=q4]").fill("b2b")
    page.locator("input[name=q4]").press("Tab")
    expect(page.locator("#quiz-offline")).to_be_visible()
    queued = page.evaluate("id => JSON.parse(localStorage.getItem('quiz:' + id + ':queue')).length", attempt_id)
    assert queued >= 1  # kept in the browser while offline

    page.context.set_offline(False)
    expect(page.locator("#quiz-offline")).to_be_hidden(timeout=10_000)
    expect(page.locator("#quiz-save-status")).to_have_text("已保存", timeout=10_000)
    answers = saved_answers(attempt_id)
    assert answers["q2"].choices == ["A", "B"]
    assert answers["q4"].text == "b2b"

    expect(page.locator("#quiz-done")).to_be_visible(timeout=(TIME_LIMIT + 10) * 1000)
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.finish_reason) == ("submitted", "timer")
    assert attempt.score == 75.0  # q1, q2, q4 right; q3 unanswered
    expect(page.locator("#quiz-done-score")).to_contain_text("75.0")


def test_a_server_error_keeps_the_change_queued_until_it_is_saved(app, make_user, page):
    """A 502/503 from a load balancer during a restart is not a refusal: the page retries the same change."""
    from playwright.sync_api import expect

    write_quiz(app, "timed", SHORT_QUIZ.replace(f"time_limit_seconds: {TIME_LIMIT}", "time_limit_seconds: 600"))
    sync(app)
    person = make_user("manager")
    sign_in(page, person)
    page.goto("/quizzes/timed/take")
    expect(page.locator("#q-q1")).to_be_visible()

    failures = {"left": 2}

    def flaky(route):
        if route.request.method == "PUT" and failures["left"] > 0:
            failures["left"] -= 1
            route.fulfill(status=503, body="upstream restarting")
        else:
            route.continue_()

    page.route("**/api/v1/attempts/*/answers/*", flaky)
    page.get_by_label("8号").check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存", timeout=20_000)
    assert failures["left"] == 0  # both 503s were seen, and the change was sent again after them
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id))
    assert saved_answers(attempt_id)["q1"].choices == ["B"]
