"""The question-type registry. Pure functions, no framework.

Each type (``lms.quizzes.types.*``) carries what differs between question kinds — validation, drawing onto a paper,
the answer it takes, grading, the key in words, key corrections — see ``lms.quizzes.types.base``. A new type is one
class registered in ``TYPES`` and one answer-field partial in the question editor; the API, the player (it renders by
``answer_kind``), the review, the item analysis and the regrade do not change.
"""

from __future__ import annotations

from lms.quizzes.types.base import (
    MAX_FILL_LENGTH,
    Answer,
    AnswerRejected,
    KeyCorrection,
    QuestionGrade,
    QuestionType,
)
from lms.quizzes.types.choice import MultipleChoice, SingleChoice
from lms.quizzes.types.fill import FillIn, normalize_fill
from lms.quizzes.types.numeric import Numeric
from lms.quizzes.types.truefalse import TRUE_FALSE_OPTIONS, TrueFalse

__all__ = [
    "MAX_FILL_LENGTH",
    "TRUE_FALSE_OPTIONS",
    "TYPES",
    "Answer",
    "AnswerRejected",
    "KeyCorrection",
    "QuestionGrade",
    "QuestionType",
    "normalize_fill",
    "question_type",
]

TYPES: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), FillIn(), Numeric())
}


def question_type(name: str) -> QuestionType:
    try:
        return TYPES[name]
    except KeyError:
        raise AnswerRejected(f"unknown question type {name!r}") from None
