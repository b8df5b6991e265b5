"""True or false: two fixed options, T (正确) and F (错误). Pure."""

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
    one_choice,
)

TRUE_FALSE_OPTIONS = (("T", "正确"), ("F", "错误"))


class TrueFalse(QuestionType):
    name, label, answer_kind = "truefalse", "判断题", "choice"

    def validate(self, spec: QuestionSpec, where: str) -> list[str]:
        return [] if spec.truth is not None else [f"{where}question {spec.key}: answer must be true or false"]

    def to_paper(self, spec: QuestionSpec, rng: random.Random, *, shuffle_options: bool) -> dict[str, Any]:
        feedback = aligned_feedback(spec, 2)  # (if answered true, if answered false)
        return {"options": [{"id": oid, "text": text} for oid, text in TRUE_FALSE_OPTIONS],
                "correct": ["T" if spec.truth else "F"],
                "feedback": {"T": feedback[0], "F": feedback[1]} if feedback else None}

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return one_choice(question, payload, kind="true/false")

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        right = answer is not None and list(answer.choices) == list(question["correct"])
        return QuestionGrade(points if right else 0.0, points)

    def key_info(self, question: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return ("正确", "错误"), tuple(0 if c == "T" else 1 for c in question.get("correct", []))

    def source_indexes(self, question: Mapping[str, Any], choices: list[str]) -> tuple[int, ...]:
        return tuple(sorted(0 if c == "T" else 1 for c in choices))

    def correction_problems(self, option_count: int, correction: KeyCorrection) -> list[str]:
        if any(i not in (0, 1) for i in correction.correct):
            return ["所选选项不存在"]
        if len(correction.correct) != 1:
            return ["单选题和判断题只能有一个正确答案"]
        return []

    def apply_correction(self, question: Mapping[str, Any], correction: KeyCorrection) -> dict[str, Any]:
        return {**question, "correct": ["T" if i == 0 else "F" for i in correction.correct]}

    def sample_answer(self, question: Mapping[str, Any], right: bool) -> dict[str, Any]:
        [key] = question["correct"]
        return {"choices": [key if right else ("F" if key == "T" else "T")]}
