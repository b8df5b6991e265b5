"""Offline in Chromium: the offline state stays in sight while the person scrolls and answers, failed saves back off
(a few requests over several seconds, not a storm), and the queue goes out as soon as the connection is back."""

from __future__ import annotations

import time

from tests.browser.quiz_pages import TEN_MINUTE_QUIZ, open_quiz
from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

# Eight questions: enough to scroll at phone width, and to change answers many times while offline.
LONG_QUIZ = TEN_MINUTE_QUIZ + "".join(f"""\
  - id: t{n}
    type: truefalse
    stem: 第 {n} 条判断：培训须在每月 8 号前完成。
    answer: true
""" for n in range(1, 5))


def open_long_test(app, make_user, page):
    open_quiz(app, page, make_user("manager"), LONG_QUIZ, slug="long")
    page.get_by_label("8号").check()
    page.wait_for_selector("#quiz-save-status:text-is('已保存')")


def test_offline_saves_back_off_and_resume_at_once_when_back_online(app, make_user, page):
    from playwright.sync_api import expect

    open_long_test(app, make_user, page)
    tries: list[float] = []
    page.on("request", lambda r: tries.append(time.monotonic()) if "/answers/" in r.url else None)

    page.context.set_offline(True)
    started = time.monotonic()
    for label in ("A. 5号", "C. 15号", "B. 8号", "A. 5号", "C. 15号"):  # five changes of one answer, then three more
        page.get_by_role("radio", name=label, exact=True).check()
    for n in range(1, 4):
        page.locator(f"#q-t{n}").get_by_label("正确").check()
    page.wait_for_timeout(6000)
    offline_tries = len(tries)
    # About 1 + 1 + 2 + 4 s of waiting (with jitter) fit in the spell: at most a handful, not one per change
    # per few seconds (the old page sent ~20 in this spell and kept one retry loop per change).
    assert 1 <= offline_tries <= 5, [round(t - started, 2) for t in tries]
    expect(page.locator("#quiz-save-status")).to_have_text("8 条答案待上传")

    page.context.set_offline(False)
    back = time.monotonic()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存", timeout=5000)
    assert time.monotonic() - back < 3  # the online event sends at once: the backoff is not waited out


def test_the_offline_state_stays_in_sight_and_does_not_cover_the_answers(app, make_user, page):
    from playwright.sync_api import expect

    open_long_test(app, make_user, page)
    page.context.set_offline(True)
    page.get_by_label("15号").check()
    banner = page.locator("#quiz-offline")
    expect(banner).to_be_visible()

    last = page.locator("#q-t4").get_by_label("错误")
    last.focus()  # as a keyboard or a screen reader reaches the last question
    last.check()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = banner.bounding_box()
    assert box is not None
    assert box["y"] >= 0  # in sight at the bottom of the page
    assert box["y"] + box["height"] <= 740
    bar_bottom = page.locator("#quiz-bar").evaluate("el => el.getBoundingClientRect().bottom")
    page.locator("#q-t1").get_by_label("正确").focus()  # back up by keyboard: lands below the bar, not under it
    option_top = page.locator("#q-t1").get_by_label("正确").evaluate("el => el.getBoundingClientRect().top")
    assert option_top >= bar_bottom
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=10_000)
