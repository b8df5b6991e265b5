"""Writing quiz files into the test's quizzes folder and syncing them, as a trainer would; ``make_quiz`` does both."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms.core.sync import run_sync
from lms.quizzes.services import get_quiz

PRACTICE = """\
title: 练习测验
kind: practice
time_limit_minutes: 10
shuffle_questions: false
shuffle_options: false
questions:
  - id: q1
    type: single
    stem: 终端补贴政策的有效期是？
    options: [当月有效, 次月有效, 长期有效, 以通知为准]
    answer: A
    points: 5
    explanation: 见《11月终端政策》。
  - id: q2
    type: multiple
    stem: 以下哪些属于酬金项目？
    options: [房补, 综合激励, 话费, 计提酬金]
    answer: ABD
    points: 5
  - id: q3
    type: truefalse
    stem: 80 分为及格。
    answer: true
    points: 5
  - id: q4
    type: fill
    stem: 终端订货系统又称 ____ 系统。
    answer: [B2B, 企业间电子商务]
    points: 5
"""

MONTHLY = """\
title: 2026年11月渠道政策月考
kind: monthly
period: 2026-11
opens: 2026-11-01T00:00
closes: 2026-11-08T23:59
time_limit_minutes: 30
shuffle_questions: false
shuffle_options: false
questions:
  - id: q1
    type: single
    stem: 终端补贴政策的有效期是？
    options: [当月有效, 次月有效]
    answer: A
  - id: q2
    type: truefalse
    stem: 80 分为及格。
    answer: true
"""


def write_quiz(app: Flask, slug: str, text: str, folder: str = "") -> Path:
    path = Path(app.config["LMS_QUIZZES_DIR"]) / folder / f"{slug}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def sync(app: Flask) -> Any:
    result = run_sync(dict(app.config))
    assert not result.problems, result.problems
    return result


@pytest.fixture
def make_quiz(app: Flask) -> Callable[..., Any]:
    """``make_quiz("slug", yaml_text)`` writes the file and runs the sync; returns the Quiz."""

    def make(slug: str, text: str) -> Any:
        write_quiz(app, slug, text)
        sync(app)
        return get_quiz(slug)

    return make
