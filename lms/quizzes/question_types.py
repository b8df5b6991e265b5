"""The question-type registry: each type validates an answer and grades itself. Pure functions, no framework.

A *paper question* is the frozen, shuffled form of a question on one attempt (a dict, see
``lms.attempts.rules.draw_paper``): options carry display ids ("A", "B", …) and the key lists the correct ids.
A new type is a new class registered in ``TYPES``; the API and the page do not change.

Multiple choice is all-or-nothing by default. With the quiz's ``partial_credit`` (漏选给分、错选无分): choosing any
wrong option scores 0; choosing only correct options scores the question's points times the share of the correct
options chosen (or the sum of their weights, when the source gave per-option weights such as GIFT's ``~%50%``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

MAX_FILL_LENGTH = 500


class AnswerRejected(ValueError):
    """The answer is not a possible answer to this question (unknown option id, wrong shape)."""


@dataclass(frozen=True)
class Answer:
    choices: tuple[str, ...] = ()
    text: str | None = None

    @property
    def is_blank(self) -> bool:
        return not self.choices and not (self.text or "").strip()


@dataclass(frozen=True)
class QuestionGrade:
    points: float
    max_points: float

    @property
    def correct(self) -> bool:
        return self.points >= self.max_points


def normalize_fill(text: str) -> str:
    """Full-width → half-width (NFKC), case folded, inner whitespace collapsed, ends trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", folded).strip()


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        raise NotImplementedError

    def grade(self, question: dict[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        raise NotImplementedError


def _choices(question: Mapping[str, Any], payload: dict[str, Any]) -> tuple[str, ...]:
    raw = payload.get("choices")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise AnswerRejected("choices must be a list of option ids")
    valid = {o["id"] for o in question["options"]}
    unknown = [c for c in raw if c not in valid]
    if unknown:
        raise AnswerRejected(f"unknown option id(s): {', '.join(unknown[:5])}")
    return tuple(sorted(set(raw)))


class SingleChoice(QuestionType):
    name, label = "single", "单选题"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        choices = _choices(question, payload)
        if len(choices) > 1:
            raise AnswerRejected("a single-choice question takes one option")
        return Answer(choices=choices)

    def grade(self, question: dict[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        right = answer is not None and list(answer.choices) == sorted(question["correct"])
        return QuestionGrade(points if right else 0.0, points)


class MultipleChoice(QuestionType):
    name, label = "multiple", "多选题"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return Answer(choices=_choices(question, payload))

    def grade(self, question: dict[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        correct = set(question["correct"])
        chosen = set(answer.choices) if answer is not None else set()
        if chosen == correct:
            return QuestionGrade(points, points)
        if not partial_credit or not chosen or not chosen <= correct:
            return QuestionGrade(0.0, points)  # all-or-nothing, or a wrong option chosen (错选无分)
        weights = question.get("weights")
        share = sum(max(0.0, float(weights[c])) for c in chosen) if weights else len(chosen) / len(correct)
        return QuestionGrade(min(points, points * min(1.0, share)), points)


class TrueFalse(QuestionType):
    name, label = "truefalse", "判断题"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        choices = _choices(question, payload)
        if len(choices) > 1:
            raise AnswerRejected("a true/false question takes one option")
        return Answer(choices=choices)

    def grade(self, question: dict[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        right = answer is not None and list(answer.choices) == list(question["correct"])
        return QuestionGrade(points if right else 0.0, points)


class FillIn(QuestionType):
    name, label = "fill", "填空题"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        text = payload.get("text")
        if text is None:
            return Answer(text=None)
        if not isinstance(text, str):
            raise AnswerRejected("text must be a string")
        if len(text) > MAX_FILL_LENGTH:
            raise AnswerRejected(f"an answer is at most {MAX_FILL_LENGTH} characters")
        return Answer(text=text)

    def grade(self, question: dict[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        given = normalize_fill(answer.text or "") if answer is not None else ""
        accepted = {normalize_fill(a) for a in question["accepted"]}
        return QuestionGrade(points if given and given in accepted else 0.0, points)


TYPES: dict[str, QuestionType] = {t.name: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), FillIn())}


def question_type(name: str) -> QuestionType:
    try:
        return TYPES[name]
    except KeyError:
        raise AnswerRejected(f"unknown question type {name!r}") from None
