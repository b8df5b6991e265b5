"""The examples file that ships with Moodle's GIFT importer, read end to end: a real file written by other people."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lms.core.markdown import render_inline
from lms.quizzes.importers import ImportResult, parse_file
from lms.quizzes.specs import QuestionSpec

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "gift" / "moodle-examples.gift.txt"


@pytest.fixture(scope="module")
def result() -> ImportResult:
    # No skip when it is missing: the conformance check must not pass by not running.
    return parse_file(FIXTURE.read_bytes(), FIXTURE.name)


def by_line(result: ImportResult, line: int) -> QuestionSpec:
    [question] = [q for q in result.questions if q.source == f"{FIXTURE.name}:{line}"]
    return question


def test_every_representable_question_is_imported_by_type(result: ImportResult) -> None:
    assert result.format == "gift"
    assert Counter(q.type for q in result.questions) == {"single": 16, "fill": 9, "numeric": 8, "truefalse": 5,
                                                         "multiple": 2}
    assert result.refused == []


def test_only_matching_questions_are_skipped_and_nothing_is_lost(result: ImportResult) -> None:
    assert [(item.line, item.name) for item in result.skipped] == [
        (55, "Matching Question."),
        (61, "Match the following countries with their…"),
        (177, "Match the following countries with their…"),
    ]
    assert all("配对题" in item.reason for item in result.skipped)
    # Each question block of the file is either imported or skipped, exactly once.
    lines = sorted([int(q.source.rsplit(":", 1)[1]) for q in result.questions] + [s.line for s in result.skipped])
    assert len(lines) == len(set(lines)) == 43


def test_missing_word_question_has_a_blank_where_the_braces_were(result: ImportResult) -> None:
    question = by_line(result, 29)
    assert question.type == "single"
    assert render_inline(question.stem) == (
        "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.")
    assert question.options == ("second", "third", "fourth")
    assert question.correct == (2,)


def test_titled_question_keeps_its_title_and_feedback(result: ImportResult) -> None:
    question = by_line(result, 184)
    assert question.extra["title"] == "Grant's Tomb"
    assert render_inline(question.stem) == "Grant is _____ in Grant's tomb."
    assert question.feedback == ("No one is buried there.", "Right answer!", "We hope not!")


def test_partial_credit_weights_are_kept_as_fractions(result: ImportResult) -> None:
    hometown = by_line(result, 117)
    assert (hometown.type, hometown.correct) == ("single", (3,))
    assert hometown.weights == (0.0, 0.25, 0.5, 1.0)
    assert render_inline(hometown.stem) == "Jesus Christ was from _____."
    entombed = by_line(result, 136)
    assert (entombed.type, entombed.correct, entombed.weights) == ("multiple", (1, 2), (-0.5, 0.5, 0.5, -0.5))
    misspelled = by_line(result, 123)
    assert (misspelled.type, misspelled.accepted) == ("fill", ("Nazareth", "Nazereth", "Bethlehem"))
    assert misspelled.weights == (1.0, 0.75, 0.25)


def test_true_false_feedback_is_kept_per_choice(result: ImportResult) -> None:
    question = by_line(result, 113)
    assert (question.type, question.truth) == ("truefalse", False)
    assert question.feedback == ("No one is buried in Grant's tomb.", "")  # shown to whoever answers "true"


def test_control_characters_escaped_in_the_file_survive_as_text(result: ImportResult) -> None:
    question = by_line(result, 148)
    assert question.extra["title"] == "GIFT Control Characters"
    assert [render_inline(option) for option in question.options] == ["~", "=", "#", "{", "}", "\\"]
    assert question.correct == (5,)
    equals = by_line(result, 143)
    assert [render_inline(option) for option in equals.options] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]


@pytest.mark.parametrize(
    ("line", "numbers", "weights"),
    [
        (16, ((1822, 1),), None),
        (70, ((1822, 0),), None),
        (72, ((3.1415, 0.0005),), None),
        (74, ((3.1415, 0.0005),), None),
        (76, ((1822, 0), (1822, 2)), (1.0, 0.5)),
        (85, ((4, 0),), None),
        (175, ((1822, 5),), None),
        (202, ((1822, 0), (1822, 2)), (1.0, 0.5)),
    ],
)
def test_numerical_questions_keep_tolerances_ranges_and_partial_credit(
        result: ImportResult, line: int, numbers: tuple[tuple[float, float], ...],
        weights: tuple[float, ...] | None) -> None:
    question = by_line(result, line)
    assert (question.type, question.numbers, question.weights) == ("numeric", numbers, weights)


def test_markdown_marker_is_applied(result: ImportResult) -> None:
    question = by_line(result, 108)
    assert question.stem == "Who's buried in **Grant's tomb**?"
    assert question.extra["format"] == "markdown"
    assert question.accepted == ("no one", "nobody")
