"""GIFT questions score as Moodle scores them, end to end: imported, drawn onto a paper, answered, graded."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.attempts.rules import draw_paper, grade_paper
from lms.quizzes.definitions import QuizDefinition, Section
from lms.quizzes.importers import parse_file
from lms.quizzes.question_types import Answer
from lms.quizzes.rules import validate_spec
from lms.quizzes.specs import QuestionSpec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def imported(text: str) -> QuestionSpec:
    [question] = parse_file(text.encode(), "bank.gift").questions
    return question


def score(spec: QuestionSpec, answer: Answer, *, partial: bool = False) -> float:
    """The score (0..100) of one answer to a paper holding only this question, options in authoring order."""
    definition = QuizDefinition(
        slug="t", title="t", kind="practice", period=None, opens_at=None, closes_at=None, time_limit_seconds=600,
        pass_score=80, max_score=100, attempts_allowed=None, review_policy="immediately",
        sections=(Section(title="", questions=(spec,)),), shuffle_options=False, partial_credit=partial)
    paper = draw_paper(definition, {}, seed=1)
    [question] = paper["questions"]
    return grade_paper(paper, {question["id"]: answer}).score


def chosen(*letters: str) -> Answer:
    return Answer(choices=letters)


@pytest.mark.parametrize(
    ("gift", "answer", "expected"),
    [
        # Single choice where either "=" is right (Moodle), not "tick both".
        ("Q{=a =b ~c}", chosen("A"), 100), ("Q{=a =b ~c}", chosen("B"), 100), ("Q{=a =b ~c}", chosen("C"), 0),
        # A partly right option earns its fraction; a negative one earns nothing, never less.
        ("Q{=best ~%50%partly ~%-50%wrong}", chosen("B"), 50), ("Q{=best ~%50%partly ~%-50%wrong}", chosen("C"), 0),
        # Checkboxes: the chosen fractions summed and clamped to 0..100 %.
        ("Q{~%100%yellow ~%-50%red ~%-50%blue}", chosen("A"), 100),
        ("Q{~%100%yellow ~%-50%red ~%-50%blue}", chosen("A", "B"), 50),
        ("Q{~%100%yellow ~%-50%red ~%-50%blue}", chosen("B", "C"), 0),
        ("Q{~%50%a ~%50%b ~%-100%c}", chosen("A"), 50),
        ("Q{~%50%a ~%50%b ~%-100%c}", chosen("A", "B", "C"), 0),
        # Short answers: the fraction of the answer that matches; "*" is a wildcard.
        ("Q{=Frog =%50%Cat =%0%*#Completely wrong}", Answer(text="Cat"), 50),
        ("Q{=Frog =%50%Cat =%0%*#Completely wrong}", Answer(text="dog"), 0),
        ("Q{=Fr*g}", Answer(text="Frosting"), 100),
        # Numbers are compared as numbers, with tolerances, ranges and fractions.
        ("Q{#3}", Answer(text="3.0"), 100),
        ("Q{#3:0.5}", Answer(text="3.4"), 100), ("Q{#3:0.5}", Answer(text="3.6"), 0),
        ("Q{#1..5}", Answer(text="4.9"), 100),
        ("Q{#=1822:0 =%50%1822:2}", Answer(text="1823"), 50),
        ("Q{#3:2~#Completely wrong}", Answer(text="9"), 0),
    ],
)
def test_gift_questions_score_as_moodle_scores_them(gift: str, answer: Answer, expected: float) -> None:
    assert score(imported(gift), answer) == expected


@pytest.mark.parametrize("path", sorted([*FIXTURES.glob("moodle/gift/*.txt"), *FIXTURES.glob("gift/*.txt"),
                                         *FIXTURES.glob("moodle/aiken/*.txt")]), ids=lambda path: path.name)
def test_every_question_imported_from_moodle_fixtures_passes_the_bank_checks(path: Path) -> None:
    result = parse_file(path.read_bytes(), path.name)
    assert result.questions
    assert [problem for spec in result.questions for problem in validate_spec(spec)] == []
