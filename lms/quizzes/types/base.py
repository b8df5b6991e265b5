"""What every question type is: the contract of the registry (``lms.quizzes.question_types``). Pure.

A type owns everything that differs between question kinds, so a new type is one class (and one editor template):
- the spec: ``validate`` (its own problems), ``to_paper`` (the frozen, shuffled form on one attempt: options with
  display ids, the key, weights);
- answers: ``answer_kind`` (what the player shows and the API takes: one option, several options, or text),
  ``parse_answer``, ``grade``;
- the key in words and as data: ``correct_texts`` (the review page), ``key_info`` (authoring-order options and key,
  for item analysis and regrades), ``correction_problems`` / ``apply_correction`` (a trainer fixes a wrong key).

A *paper question* is a dict (see ``lms.attempts.rules.draw_paper``): ``options`` carry display ids ("A", "B", …)
and ``source_index`` (authoring order), ``correct`` lists the right display ids, ``weights`` (when the source gave
fractions) maps display id → fraction for choices, or is a list beside ``accepted`` / ``numbers``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from lms.quizzes.specs import QuestionSpec

MAX_FILL_LENGTH = 500
AnswerKind = Literal["choice", "choices", "text"]


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


@dataclass(frozen=True)
class KeyCorrection:
    """A corrected key for one question: option indexes in authoring order (true/false: 0 true, 1 false), the
    accepted texts of a fill-in question, or the (value, tolerance) pairs of a numeric one."""

    question_id: str
    correct: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    numbers: tuple[tuple[float, float], ...] = ()


def fraction_points(points: float, fraction: float) -> QuestionGrade:
    """A Moodle fraction of the question's points, clamped to 0..1."""
    return QuestionGrade(points * min(1.0, max(0.0, fraction)), points)


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]  # Chinese source, shown with _()
    answer_kind: ClassVar[AnswerKind]

    def validate(self, spec: QuestionSpec, where: str) -> list[str]:
        return []

    def to_paper(self, spec: QuestionSpec, rng: random.Random, *, shuffle_options: bool) -> dict[str, Any]:
        """The type's part of a paper question: options, correct, weights, accepted, numbers."""
        raise NotImplementedError

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        raise NotImplementedError

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        raise NotImplementedError

    def correct_texts(self, question: Mapping[str, Any]) -> list[str]:
        """The right answer in words, as the person saw the options; never the option letters."""
        right = set(question.get("correct") or [])
        return [option["text"] for option in question["options"] if option["id"] in right]

    def key_info(self, question: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """The options in authoring order and the right ones' indexes, whatever shuffle the paper had."""
        ordered = sorted(question.get("options", []), key=lambda o: o.get("source_index", 0))
        right = set(question.get("correct", []))
        return (tuple(o["text"] for o in ordered),
                tuple(sorted(o.get("source_index", 0) for o in question.get("options", []) if o["id"] in right)))

    def source_indexes(self, question: Mapping[str, Any], choices: list[str]) -> tuple[int, ...]:
        by_id = {o["id"]: o.get("source_index", 0) for o in question.get("options", [])}
        return tuple(sorted(by_id[c] for c in choices if c in by_id))

    def correction_problems(self, option_count: int, correction: KeyCorrection) -> list[str]:
        raise NotImplementedError

    def apply_correction(self, question: Mapping[str, Any], correction: KeyCorrection) -> dict[str, Any]:
        raise NotImplementedError

    def sample_answer(self, question: Mapping[str, Any], right: bool) -> dict[str, Any]:
        """An answer payload the API accepts: a right one, or a wrong one (demo data and tests)."""
        raise NotImplementedError

    def feedback_for(self, question: Mapping[str, Any], answer: Answer | None) -> list[str]:
        """The author's feedback on the answer given (Markdown; GIFT's ``#…``, Moodle XML's answer feedback):
        the chosen options' feedback, by default."""
        feedback = question.get("feedback") or {}
        if answer is None or not isinstance(feedback, Mapping):
            return []
        return [feedback[c] for c in answer.choices if feedback.get(c)]


def aligned_feedback(spec: QuestionSpec, count: int) -> list[str] | None:
    """Per-answer feedback kept beside the answers it belongs to (None when the author wrote none)."""
    return list(spec.feedback) if spec.feedback and len(spec.feedback) == count else None


def best_match_feedback(question: Mapping[str, Any], matched: list[int]) -> list[str]:
    """The feedback of the best-scoring answer that matched (text and numeric types)."""
    feedback = question.get("feedback")
    if not matched or not isinstance(feedback, list):
        return []
    weights = question.get("weights") or [1.0] * len(feedback)
    best = max(matched, key=lambda index: float(weights[index]) if index < len(weights) else 0.0)
    return [feedback[best]] if best < len(feedback) and feedback[best] else []


def chosen_ids(question: Mapping[str, Any], payload: dict[str, Any]) -> tuple[str, ...]:
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


def one_choice(question: Mapping[str, Any], payload: dict[str, Any], *, kind: str) -> Answer:
    """At most one option (single choice, true or false)."""
    choices = chosen_ids(question, payload)
    if len(choices) > 1:
        raise AnswerRejected(f"a {kind} question takes one option")
    return Answer(choices=choices)


def text_answer(payload: dict[str, Any]) -> Answer:
    text = payload.get("text")
    if text is None:
        return Answer(text=None)
    if not isinstance(text, str):
        raise AnswerRejected("text must be a string")
    if len(text) > MAX_FILL_LENGTH:
        raise AnswerRejected(f"an answer is at most {MAX_FILL_LENGTH} characters")
    return Answer(text=text)
