"""The quiz player in a real Chromium at phone width: answer, reload, go offline, come back, run out of time."""

from __future__ import annotations

from sqlalchemy import select

from lms.attempts.models import Attempt, AttemptAnswer
from lms.extensions import db
from tests.browser.quiz_pages import SHORT_QUIZ, TIME_LIMIT, open_quiz, open_ten_minute_test
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def saved_answers(attempt_id: int) -> dict[str, AttemptAnswer]:
    db.session.rollback()  # a fresh transaction: see what the server committed
    return {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))}


def test_answers_survive_reload_and_offline_and_the_timer_submits(app, make_user, page):
    from playwright.sync_api import expect

    person = make_user("manager")
    open_quiz(app, page, person, SHORT_QUIZ)
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
    expect(page.locator("#quiz-done-score")).to_have_text("75 / 100")


def test_a_server_error_keeps_the_change_queued_until_it_is_saved(app, make_user, page):
    """A 502/503 from a load balancer during a restart is not a refusal: the page retries the same change."""
    from playwright.sync_api import expect

    person = open_ten_minute_test(app, make_user, page)
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


def test_signed_out_mid_test_the_page_keeps_the_change_and_sends_it_after_signing_in(app, make_user, page):
    """The session ends while a change is on its way (signed out elsewhere, expired): the page must not drop the
    change as refused. It keeps it, asks to be reopened, and sends it once the person has signed in again."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    person = open_ten_minute_test(app, make_user, page)
    page.get_by_label("8号").check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id))

    page.context.clear_cookies()  # the session is gone
    page.get_by_label("15号").check()
    expect(page.locator("#quiz-reopen")).to_be_visible()
    expect(page.locator("#quiz-save-status")).to_have_text("1 条答案待上传")
    queued = page.evaluate("id => JSON.parse(localStorage.getItem('quiz:' + id + ':queue'))", attempt_id)
    assert [(item["qid"], item["body"]) for item in queued] == [("q1", {"choices": ["C"]})]
    assert saved_answers(attempt_id)["q1"].choices == ["B"]

    page.locator("#quiz-reopen-link").click()
    page.wait_for_url("**/login**")
    page.fill("input[name=employee_no]", person.employee_no)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/quizzes/timed/take")
    expect(page.get_by_label("15号")).to_be_checked()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存", timeout=10_000)
    assert saved_answers(attempt_id)["q1"].choices == ["C"]


def test_signed_in_again_in_another_tab_the_expired_page_keeps_the_change(app, make_user, page):
    """Signing out and in again in another tab gives the session a new CSRF token: the open test page's token is
    refused. That is not a refusal of the answer: the page keeps it and sends it once reopened."""
    from playwright.sync_api import expect

    person = open_ten_minute_test(app, make_user, page)
    expect(page.locator("#q-q1")).to_be_visible()
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id))

    other = page.context.new_page()
    other.goto("/")
    with other.expect_navigation():  # the sign-out form of the (folded, at phone width) menu
        other.locator("form[action$='/logout']").evaluate("form => form.submit()")
    sign_in(other, person)
    other.close()

    page.get_by_label("8号").check()
    expect(page.locator("#quiz-reopen")).to_be_visible()
    assert "q1" not in saved_answers(attempt_id)
    page.locator("#quiz-reopen-link").click()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存", timeout=10_000)
    assert saved_answers(attempt_id)["q1"].choices == ["B"]
