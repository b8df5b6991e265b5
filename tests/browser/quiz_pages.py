"""The practice quizzes the browser tests of the quiz pages use, and opening one as a signed-in person.

The questions are the same few everywhere (a single and a multiple choice, a true-or-false, a fill-in), so each test
states only what is special about its quiz: its time limit, whether answers show at once, extra fields or questions.
"""

from __future__ import annotations

from typing import Any

from tests.support.browser import sign_in
from tests.support.quiz_files import sync, write_quiz

SINGLE = """\
    type: single
    stem: 渠道经理每月统一培训在几号前完成？
    options: [5号, 8号, 15号]
    answer: B
"""
MULTIPLE = """\
    type: multiple
    stem: 以下哪些属于酬金？
    options: [房补, 综合激励, 话费]
    answer: AB
"""
TRUE_FALSE = """\
    type: truefalse
    stem: 79.9 分为及格。
    answer: false
"""
FILL = """\
    type: fill
    stem: 终端订货系统又称 ____ 系统。
    answer: [B2B]
"""
# q1 right is 8号, q2 right is 房补 + 综合激励, q3 right is 错误 (79.9 fails), q4 right is B2B.
FOUR = (("q1", SINGLE), ("q2", MULTIPLE), ("q3", TRUE_FALSE), ("q4", FILL))


def practice_quiz(title: str, questions: tuple[tuple[str, str], ...] = FOUR, *,
                  limit: str = "time_limit_minutes: 10", review: bool = False) -> str:
    """A practice quiz file: questions in their order, options unshuffled; ``questions`` are (id, YAML body)."""
    head = (f"title: {title}\nkind: practice\n{limit}\n" + ("review: immediately\n" if review else "")
            + "shuffle_questions: false\nshuffle_options: false\nquestions:\n")
    return head + "".join(f"  - id: {qid}\n{body}" for qid, body in questions)


TIME_LIMIT = 25
SHORT_QUIZ = practice_quiz("计时练习", limit=f"time_limit_seconds: {TIME_LIMIT}")
"""The timed quiz: 25 seconds, to see the timer submit."""
TEN_MINUTE_QUIZ = practice_quiz("计时练习", limit="time_limit_seconds: 600")
"""The same quiz with ten minutes on the clock: time enough for whatever a test does."""


def open_quiz(app: Any, page: Any, person: Any, text: str = TEN_MINUTE_QUIZ, *, slug: str = "timed",
              take: bool = True) -> None:
    """Write and sync the quiz ``text`` as ``slug``, sign ``person`` in, and open its take page (``take``)."""
    write_quiz(app, slug, text)
    sync(app)
    sign_in(page, person)
    if take:
        page.goto(f"/quizzes/{slug}/take")


def open_ten_minute_test(app: Any, make_user: Any, page: Any, **person: Any) -> Any:
    """A manager signed in, on the take page of the short quiz with ten minutes on the clock; returns them."""
    manager = make_user("manager", **person)
    open_quiz(app, page, manager)
    return manager
