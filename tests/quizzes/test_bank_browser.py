"""A question bank's page in a real Chromium: question types read as words (单选题), never as codes (single), and a
question's category is a tag like the others (终端, not category:终端)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

BANK = """title: 测试题库
kind: bank
questions:
  - {id: b1, type: single, category: 终端, tags: [终端, 入网], stem: 单选一, options: [甲, 乙], answer: A}
  - {id: b2, type: multiple, stem: 多选一, options: [甲, 乙, 丙], answer: [A, B]}
  - {id: b3, type: truefalse, stem: 判断一, answer: true}
  - {id: b4, type: fill, stem: 填空一 ____, answer: ["1"]}
"""


def test_bank_page_names_question_types_in_the_readers_language(page, app, runner, make_user):
    (Path(app.config["LMS_QUIZZES_DIR"]) / "bank-test.yaml").write_text(BANK, encoding="utf-8")
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    sign_in(page, make_user("trainer"))

    page.goto("/quizzes/banks/bank-test")
    types = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert types == ["单选题", "多选题", "判断题", "填空题"]
    assert re.search(r"\b(single|multiple|truefalse|fill)\b", page.locator("main").inner_text()) is None
    first_tags = page.locator("tbody tr").first.locator("td").nth(2).locator(".tag").all_inner_texts()
    assert first_tags == ["终端", "入网"]  # no "category:" prefix

    page.goto("/lang/en?next=/quizzes/banks/bank-test")
    assert page.locator("tbody tr td:nth-child(2)").all_inner_texts() == [
        "Single choice", "Multiple choice", "True or false", "Fill in the blank"]
