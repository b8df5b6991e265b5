"""Tab-switch evidence in Chromium: a reload, an offline spell, a hidden page that comes back by a new load and a
screen that timed out are recorded as what they were, and only a real switch (hidden, then visible again) counts.

Playwright keeps every page of a headless Chromium "visible" by design (microsoft/playwright#2286): bringing a second
page to the front does not hide the first. The switch tests therefore open a second page in the same context and
bring it to the front as a person would, and make the test page see what a real browser then reports
(``document.visibilityState`` "hidden", a ``visibilitychange`` event). The reload, the offline spell and the page
load are real.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from lms.attempts import rules
from lms.attempts.models import Attempt, AttemptEvent
from lms.extensions import db
from tests.browser.quiz_pages import TEN_MINUTE_QUIZ, open_quiz
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

SET_VISIBILITY = """state => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => state === 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
NO_WAKE_LOCK = "Object.defineProperty(Navigator.prototype, 'wakeLock', {configurable: true, get: () => undefined});"
OLD_AND_NEW_SWITCH_KINDS = ("tab_switch", "tab_hidden", "fullscreen_exit")


def open_test(app, make_user, page, *, limit=None):
    text = TEN_MINUTE_QUIZ
    if limit is not None:
        text = text.replace("shuffle_questions: false", f"shuffle_questions: false\ntab_switch_limit: {limit}")
    person = make_user("manager", county="城区", grid="东城网格")
    open_quiz(app, page, person, text)
    page.get_by_label("8号").check()
    page.wait_for_selector("#quiz-save-status:text-is('已保存')")
    db.session.rollback()
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id))
    return person, attempt_id


def events(attempt_id):
    db.session.rollback()  # a fresh transaction: what the server committed
    return [(e.kind, e.detail or {}) for e in db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind != "answer_saved")
        .order_by(AttemptEvent.at, AttemptEvent.id))]


def wait_for_kinds(attempt_id, *kinds, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        found = events(attempt_id)
        if all(kind in [k for k, _d in found] for kind in kinds) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def switches(found):
    return [kind for kind, _detail in found if kind in OLD_AND_NEW_SWITCH_KINDS]


def switch_away_and_back(page, seconds=1.0):
    """Open another page in the same browser, bring it to the front, come back after ``seconds``."""
    other = page.context.new_page()
    other.goto("/")
    other.bring_to_front()
    page.evaluate(SET_VISIBILITY, "hidden")
    other.wait_for_timeout(seconds * 1000)
    page.bring_to_front()
    page.evaluate(SET_VISIBILITY, "visible")
    other.close()


def test_a_reload_and_an_offline_spell_are_not_switches(app, make_user, page):
    from playwright.sync_api import expect

    _person, attempt_id = open_test(app, make_user, page)

    page.reload()
    expect(page.get_by_label("8号")).to_be_checked()
    page.context.set_offline(True)
    expect(page.locator("#quiz-offline")).to_be_visible()
    page.get_by_label("房补").check()
    page.wait_for_timeout(2000)
    page.context.set_offline(False)
    expect(page.locator("#quiz-offline")).to_be_hidden(timeout=10_000)

    found = wait_for_kinds(attempt_id, "page_leave", "page_reload", "offline", "online")
    kinds = [kind for kind, _detail in found]
    assert switches(found) == []
    assert {"page_leave", "page_reload", "offline", "online"} <= set(kinds), kinds
    reload_detail = dict(found)["page_reload"]
    assert reload_detail["navigation"] == "reload"
    assert "hidden_seconds" not in reload_detail
    assert dict(found)["online"]["seconds"] >= 1
    # The offline event was queued and sent after the connection came back, dated when it happened.
    db.session.rollback()
    offline, online = (db.session.scalars(select(AttemptEvent).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == kind)).one() for kind in ("offline", "online"))
    assert (online.at - offline.at).total_seconds() >= 1

    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    page.locator("#quiz-done-link").click()
    expect(page.locator(".quiz-result-score")).to_be_visible()
    expect(page.locator(".status-warn")).to_have_count(0)  # no "切屏 n 次" warning
    expect(page.get_by_text("刷新或重新打开答题页 1 次、断网 1 次（不计入切屏）")).to_be_visible()


def test_switching_to_another_page_and_back_is_one_switch(app, make_user, page):
    from playwright.sync_api import expect

    _person, attempt_id = open_test(app, make_user, page)

    switch_away_and_back(page, seconds=1.5)

    found = wait_for_kinds(attempt_id, "tab_switch")
    assert switches(found) == ["tab_switch"]
    assert [kind for kind, _detail in found if kind in ("page_hidden", "tab_switch")] == ["page_hidden", "tab_switch"]
    assert dict(found)["tab_switch"]["seconds"] >= 1
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    page.locator("#quiz-done-link").click()
    expect(page.locator("p.status-warn")).to_have_text("切屏 1 次")


def test_the_switch_limit_counts_only_switches(app, make_user, page):
    """With a limit of 1, two reloads leave the test running; the second real switch submits it."""
    from playwright.sync_api import expect

    _person, attempt_id = open_test(app, make_user, page, limit=1)
    for _ in range(2):
        page.reload()
        expect(page.get_by_label("8号")).to_be_checked()
    switch_away_and_back(page, seconds=0.5)
    wait_for_kinds(attempt_id, "tab_switch")
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    switch_away_and_back(page, seconds=0.5)
    expect(page.locator("#quiz-done")).to_be_visible(timeout=10_000)
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.finish_reason) == ("submitted", "tab_limit")


def test_a_hidden_spell_that_ends_with_a_page_load_is_a_leave(app, make_user, page):
    """The page is hidden and never shown again: the person comes back by loading the test anew (a phone that
    dropped the background tab, or the test opened in another tab)."""
    from playwright.sync_api import expect

    _person, attempt_id = open_test(app, make_user, page)
    page.evaluate(SET_VISIBILITY, "hidden")
    wait_for_kinds(attempt_id, "page_hidden")
    page.wait_for_timeout(1200)
    again = page.context.new_page()
    again.goto("/quizzes/timed/take")
    expect(again.get_by_label("8号")).to_be_checked()

    found = wait_for_kinds(attempt_id, "page_return")
    assert switches(found) == []
    assert dict(found)["page_return"]["hidden_seconds"] >= 1


def test_a_screen_that_timed_out_is_not_a_switch(app, make_user, page, monkeypatch):
    """No wake lock (refused, or an older browser) and no touch for the screen timeout before the page went dark:
    the screen timed out; the person did not switch away."""
    monkeypatch.setattr(rules, "SCREEN_TIMEOUT_SECONDS", 2)
    page.add_init_script(NO_WAKE_LOCK)
    _person, attempt_id = open_test(app, make_user, page)
    page.wait_for_timeout(2500)  # no input
    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(1000)
    page.evaluate(SET_VISIBILITY, "visible")

    found = wait_for_kinds(attempt_id, "screen_off")
    assert switches(found) == []
    assert dict(found)["screen_off"]["idle_seconds"] >= 2


def test_with_the_wake_lock_held_a_long_idle_spell_is_still_a_switch(app, make_user, page, monkeypatch):
    """The page holds a screen wake lock: the screen cannot time out, so a spell after a long idle is a switch."""
    monkeypatch.setattr(rules, "SCREEN_TIMEOUT_SECONDS", 1)
    _person, attempt_id = open_test(app, make_user, page)
    assert page.evaluate("navigator.wakeLock !== undefined")
    page.wait_for_timeout(1500)
    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(500)
    page.evaluate(SET_VISIBILITY, "visible")
    assert switches(wait_for_kinds(attempt_id, "tab_switch")) == ["tab_switch"]


def test_supervisors_read_the_evidence_in_words(app, make_user, page):
    from playwright.sync_api import expect

    person, attempt_id = open_test(app, make_user, page)
    page.reload()
    expect(page.get_by_label("8号")).to_be_checked()
    switch_away_and_back(page, seconds=1.2)
    wait_for_kinds(attempt_id, "page_reload", "tab_switch")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    expect(page.locator("#quiz-done")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, make_user("supervisor", county="城区", grid=None))
    page.goto("/quizzes/timed/people")
    row = page.locator("tr", has_text=person.employee_no)
    expect(row).to_contain_text("1 次")  # the switch, a warning
    expect(row.locator(".status-warn")).to_have_text("1 次")
    expect(row).to_contain_text("刷新或重新打开答题页 1 次（不计入切屏）")
    page.goto(f"/attempts/{attempt_id}")
    evidence = page.locator("section", has_text="答题记录").inner_text()
    for words in ("开始作答", "第 1 题", "离开答题页（刷新、跳转或关闭）", "刷新答题页", "页面转入后台", "切屏",
                  "本人交卷"):
        assert words in evidence, words
    for code in ("tab_switch", "page_reload", "page_leave", "answer_saved", "submit", "reason", "{"):
        assert code not in evidence, code
