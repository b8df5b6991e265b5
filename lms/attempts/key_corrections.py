"""Reading a question off a paper and correcting its key, pure: the regrade (``lms.attempts.regrade``) and the
trainers' item analysis (``lms.reports.queries.analytics``) both see a paper question through ``question_info``.
A paper question's options are shuffled per paper; a corrected key names options by authoring order
(``source_index``), so one correction applies to every paper however it was shuffled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lms.quizzes.question_types import KeyCorrection, question_type

# --- a paper question ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    type: str
    stem: str
    options: tuple[str, ...]
    correct: tuple[int, ...]  # source option indexes (true/false: 0 true, 1 false)
    accepted: tuple[str, ...]
    lesson: str | None
    points: float
    position: int


def question_info(question: dict[str, Any], position: int) -> QuestionInfo:
    """What a paper question was (its authoring-order options and key), whatever shuffle the paper had."""
    options, correct = question_type(question["type"]).key_info(question)
    return QuestionInfo(question["id"], question["type"], question.get("stem", ""), options, correct,
                        tuple(question.get("accepted", [])), question.get("lesson"),
                        float(question.get("points", 1)), position)


def source_indexes(question: dict[str, Any], choices: list[str] | None) -> tuple[int, ...]:
    """Display ids chosen on one paper → the options' authoring-order indexes."""
    if not choices:
        return ()
    return question_type(question["type"]).source_indexes(question, choices)


# --- corrected keys ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreChange:
    attempt_id: int
    user_id: int
    old_score: float | None
    new_score: float
    old_passed: bool | None
    new_passed: bool

    @property
    def outcome_changed(self) -> bool:
        return bool(self.old_passed) != self.new_passed

    @property
    def delta(self) -> float:
        return round(self.new_score - (self.old_score or 0.0), 1)


def changed_only(changes: Iterable[ScoreChange]) -> list[ScoreChange]:
    """The changes worth showing: a different score or a different pass/fail, biggest first."""
    found = [c for c in changes if c.old_score != c.new_score or c.outcome_changed]
    return sorted(found, key=lambda c: (not c.outcome_changed, -abs(c.delta), c.attempt_id))


def check_correction(question_type_name: str, option_count: int, correction: KeyCorrection) -> list[str]:
    """Problems with a corrected key (empty when it can be applied)."""
    return question_type(question_type_name).correction_problems(option_count, correction)


def corrected_question(question: dict[str, Any], correction: KeyCorrection) -> dict[str, Any]:
    """A paper question with the corrected key, mapped onto this paper's shuffled option ids. The input is not
    changed (papers are JSON values; the caller stores the new one)."""
    return question_type(question["type"]).apply_correction(question, correction)


def stored_correction(question_id: str, stored: dict[str, Any]) -> KeyCorrection:
    """A correction as the regrade stores it ({"correct": [...], "accepted": [...], "numbers": [[v, t], ...]})."""
    return KeyCorrection(question_id, tuple(int(i) for i in stored.get("correct") or ()),
                         tuple(str(a) for a in stored.get("accepted") or ()),
                         tuple((float(v), float(t)) for v, t in stored.get("numbers") or ()))


def with_corrections(paper: dict[str, Any], corrections: Iterable[KeyCorrection]) -> dict[str, Any]:
    """A freshly drawn paper with every earlier correction of its quiz applied, in order (the latest wins)."""
    for correction in corrections:
        paper, _found = corrected_paper(paper, correction)
    return paper


def corrected_paper(paper: dict[str, Any], correction: KeyCorrection) -> tuple[dict[str, Any], bool]:
    """The paper with the question corrected, and whether the paper holds that question at all."""
    found = False
    questions = []
    for question in paper.get("questions", []):
        if question.get("id") == correction.question_id:
            found = True
            questions.append(corrected_question(question, correction))
        else:
            questions.append(question)
    return {**paper, "questions": questions}, found
