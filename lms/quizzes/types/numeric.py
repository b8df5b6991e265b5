"""Numeric (数值题): the typed number compared as a number with each key's value and tolerance. Pure.

Typed answers may use full-width digits, a decimal comma or thousands separators (``lms.quizzes.types.numbers``).
With weights (Moodle's fractions, one per key), the best matching key's fraction scores; without, any key scores
in full.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from lms.quizzes.specs import QuestionSpec
from lms.quizzes.types.base import (
    Answer,
    KeyCorrection,
    QuestionGrade,
    QuestionType,
    aligned_feedback,
    best_match_feedback,
    fraction_points,
    text_answer,
)
from lms.quizzes.types.numbers import format_key, matches, parse_number


class Numeric(QuestionType):
    name, label, answer_kind = "numeric", "数值题", "text"

    def validate(self, spec: QuestionSpec, where: str) -> list[str]:
        problems = []
        if not spec.numbers:
            problems.append(f"{where}question {spec.key}: a numeric question needs at least one number")
        if any(tolerance < 0 for _value, tolerance in spec.numbers):
            problems.append(f"{where}question {spec.key}: a tolerance cannot be negative")
        if spec.weights is not None and len(spec.weights) != len(spec.numbers):
            problems.append(f"{where}question {spec.key}: one weight per number")
        elif spec.weights is not None and not any(w > 0 for w in spec.weights):
            problems.append(f"{where}question {spec.key}: at least one number must earn points")
        return problems

    def to_paper(self, spec: QuestionSpec, rng: random.Random, *, shuffle_options: bool) -> dict[str, Any]:
        return {"numbers": [list(pair) for pair in spec.numbers],
                "accepted": [format_key(value, tolerance) for value, tolerance in spec.numbers],
                "weights": list(spec.weights) if spec.weights is not None else None,
                "feedback": aligned_feedback(spec, len(spec.numbers))}

    def matched(self, question: Mapping[str, Any], answer: Answer | None) -> list[int]:
        given = parse_number(answer.text or "") if answer is not None else None
        if given is None:
            return []
        return [index for index, (value, tolerance) in enumerate(question.get("numbers") or [])
                if matches(given, float(value), float(tolerance))]

    def feedback_for(self, question: Mapping[str, Any], answer: Answer | None) -> list[str]:
        return best_match_feedback(question, self.matched(question, answer))

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return text_answer(payload)  # any text is kept (a person may still be typing); grading reads the number

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        weights = question.get("weights") or [1.0] * len(question.get("numbers") or [])
        found = [float(weights[index]) for index in self.matched(question, answer) if index < len(weights)]
        return fraction_points(points, max(found)) if found else QuestionGrade(0.0, points)

    def correct_texts(self, question: Mapping[str, Any]) -> list[str]:
        weights = question.get("weights")
        return [format_key(float(v), float(t)) for index, (v, t) in enumerate(question.get("numbers") or [])
                if not weights or float(weights[index]) >= 1]

    def key_info(self, question: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return (), ()

    def correction_problems(self, option_count: int, correction: KeyCorrection) -> list[str]:
        if not correction.numbers:
            return ["数值题至少需要一个答案（如 3、3±0.5 或 1..5）"]
        return []

    def apply_correction(self, question: Mapping[str, Any], correction: KeyCorrection) -> dict[str, Any]:
        return {**question, "numbers": [list(pair) for pair in correction.numbers],
                "accepted": [format_key(v, t) for v, t in correction.numbers], "weights": None}

    def sample_answer(self, question: Mapping[str, Any], right: bool) -> dict[str, Any]:
        numbers = [(float(v), float(t)) for v, t in question["numbers"]]
        if right:
            return {"text": format_key(numbers[0][0], 0)}
        return {"text": format_key(max(v + t for v, t in numbers) + 1, 0)}  # beyond every key
