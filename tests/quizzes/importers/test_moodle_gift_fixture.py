"""The examples file that ships with Moodle's GIFT importer, read end to end: a real file written by other people."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lms.quizzes.importers import ImportResult, Skipped, parse_file
from lms.quizzes.specs import QuestionSpec

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "gift" / "moodle-examples.gift.txt"


@pytest.fixture(scope="module")
def result() -> ImportResult:
    # No skip when it is missing: the conformance check must not pass by not running.
    return parse_file(FIXTURE.read_bytes(), FIXTURE.name)


def by_line(result: ImportResult, line: int) -> QuestionSpec:
    [question] = [q for q in result.questions if q.source == f"{FIXTURE.name}:{line}"]
    return question


def skipped_at(result: ImportResult, line: int) -> Skipped:
    [item] = [s for s in result.skipped if s.line == line]
    return item


def test_every_representable_question_is_imported_by_type(result: ImportResult) -> None:
    assert result.format == "gift"
    assert Counter(q.type for q in result.questions) == {"single": 16, "fill": 9, "truefalse": 5, "multiple": 2}
    assert len(result.questions) == 32


def test_every_other_question_is_skipped_by_name_with_a_reason(result: ImportResult) -> None:
    assert len(result.skipped) == 11
    assert all(item.name.strip() and item.reason.strip() and item.line > 0 for item in result.skipped)
    # Nothing is lost silently: each question block of the file is either imported or skipped, exactly once.
    lines = sorted([int(q.source.rsplit(":", 1)[1]) for q in result.questions] + [s.line for s in result.skipped])
    assert len(lines) == len(set(lines)) == 43


@pytest.mark.parametrize(
    ("line", "name", "reason_part"),
    [
        (16, "When was Ulysses S. Grant born?", "误差范围（1822:1，±1）"),
        (55, "Matching Question.", "配对题"),
        (61, "Match the following countries with their…", "配对题"),
        (72, "What is the value of pi (to 3 decimal pl…", "误差范围"),
        (74, "What is the value of pi (to 3 decimal pl…", "取值区间（3.141..3.142）"),
        (76, "When was Ulysses S. Grant born?", "数值题"),
        (123, "Jesus' hometown", "部分分（75%）"),
        (177, "Match the following countries with their…", "配对题"),
        (195, "Jesus' hometown (Short answer ex.)", "部分分"),
        (202, "Numerical example", "误差范围"),
    ],
)
def test_skipped_questions_named_by_title_or_text(result: ImportResult, line: int, name: str,
                                                  reason_part: str) -> None:
    item = skipped_at(result, line)
    assert item.name == name
    assert reason_part in item.reason


def test_missing_word_question_has_a_blank_where_the_braces_were(result: ImportResult) -> None:
    question = by_line(result, 29)
    assert question.type == "single"
    assert question.stem == "The American holiday of Thanksgiving is celebrated on the ＿＿＿ Thursday of November."
    assert question.options == ("second", "third", "fourth")
    assert question.correct == (2,)


def test_titled_question_keeps_its_title_and_feedback(result: ImportResult) -> None:
    question = by_line(result, 184)
    assert question.extra["title"] == "Grant's Tomb"
    assert question.stem == "Grant is ＿＿＿ in Grant's tomb."
    assert question.feedback == ("No one is buried there.", "Right answer!", "We hope not!")


def test_partial_credit_weights_are_kept_as_fractions(result: ImportResult) -> None:
    hometown = by_line(result, 117)
    assert (hometown.type, hometown.correct) == ("single", (3,))
    assert hometown.weights == (0.0, 0.25, 0.5, 1.0)
    assert hometown.stem == "Jesus Christ was from ＿＿＿."
    entombed = by_line(result, 136)
    assert (entombed.type, entombed.correct, entombed.weights) == ("multiple", (1, 2), (-0.5, 0.5, 0.5, -0.5))


def test_true_false_feedback_is_kept_per_choice(result: ImportResult) -> None:
    question = by_line(result, 113)
    assert (question.type, question.truth) == ("truefalse", False)
    assert question.feedback == ("No one is buried in Grant's tomb.", "")  # shown to whoever answers "true"


def test_control_characters_escaped_in_the_file_survive_as_text(result: ImportResult) -> None:
    question = by_line(result, 148)
    assert question.extra["title"] == "GIFT Control Characters"
    # Markdown: "#", "{" and "}" and the backslash stay escaped so they render as themselves.
    assert question.options == ("~", "=", "\\#", "\\{", "\\}", "\\\\")
    assert question.correct == (5,)
    equals = by_line(result, 143)
    assert equals.options == ("= 2 + 2", "= 2 + 3", "= 2 + 4")


def test_exact_numerical_answers_become_fill_in(result: ImportResult) -> None:
    assert by_line(result, 70).accepted == ("1822",)
    four = by_line(result, 85)
    assert (four.type, four.stem, four.accepted) == ("fill", "What's 2 plus 2?", ("4",))


def test_markdown_marker_is_recorded(result: ImportResult) -> None:
    question = by_line(result, 108)
    assert question.stem == "Who's buried in **Grant's tomb**?"
    assert question.extra["format"] == "markdown"
    assert question.accepted == ("no one", "nobody")
