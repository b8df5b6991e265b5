"""Fill-in (short answer): the typed text compared with each accepted text. Pure.

Texts are compared after full-width → half-width (NFKC), case folding and collapsing inner whitespace; ``*`` in an
accepted text matches any run of characters, as in Moodle's short answer (``Fr*g`` accepts "Frog" and "Frag").
With weights (Moodle's fractions, one per accepted text), the best matching text's fraction scores.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
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


def normalize_fill(text: str) -> str:
    """Full-width → half-width (NFKC), case folded, inner whitespace collapsed, ends trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", folded).strip()


@functools.lru_cache(maxsize=4096)
def _pattern(accepted: str) -> re.Pattern[str] | str:
    normal = normalize_fill(accepted)
    if "*" not in normal:
        return normal
    # Each literal run escaped; "*" alone is the wildcard. Runs of stars are one star: no nested repetition.
    return re.compile(".*".join(re.escape(part) for part in re.split(r"\*+", normal)), re.DOTALL)


def text_matches(given: str, accepted: str) -> bool:
    """Does the typed text (already normalised) match one accepted text?"""
    pattern = _pattern(accepted)
    return given == pattern if isinstance(pattern, str) else pattern.fullmatch(given) is not None


class FillIn(QuestionType):
    name, label, answer_kind = "fill", "填空题", "text"

    def validate(self, spec: QuestionSpec, where: str) -> list[str]:
        problems = []
        if not [a for a in spec.accepted if a.strip()]:
            problems.append(f"{where}question {spec.key}: a fill-in question needs at least one accepted answer")
        if spec.weights is not None and len(spec.weights) != len(spec.accepted):
            problems.append(f"{where}question {spec.key}: one weight per accepted answer")
        elif spec.weights is not None and not any(w > 0 for w in spec.weights):
            problems.append(f"{where}question {spec.key}: at least one accepted answer must earn points")
        return problems

    def to_paper(self, spec: QuestionSpec, rng: random.Random, *, shuffle_options: bool) -> dict[str, Any]:
        return {"accepted": list(spec.accepted),
                "weights": list(spec.weights) if spec.weights is not None else None,
                "feedback": aligned_feedback(spec, len(spec.accepted))}

    def matched(self, question: Mapping[str, Any], answer: Answer | None) -> list[int]:
        given = normalize_fill(answer.text or "") if answer is not None else ""
        return [index for index, text in enumerate(question["accepted"]) if given and text_matches(given, text)]

    def feedback_for(self, question: Mapping[str, Any], answer: Answer | None) -> list[str]:
        return best_match_feedback(question, self.matched(question, answer))

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return text_answer(payload)

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        weights = question.get("weights") or [1.0] * len(question["accepted"])
        found = [float(weights[index]) for index in self.matched(question, answer) if index < len(weights)]
        return fraction_points(points, max(found)) if found else QuestionGrade(0.0, points)

    def correct_texts(self, question: Mapping[str, Any]) -> list[str]:
        weights = question.get("weights")
        return [text for index, text in enumerate(question.get("accepted") or [])
                if not weights or float(weights[index]) >= 1]

    def key_info(self, question: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return (), ()

    def correction_problems(self, option_count: int, correction: KeyCorrection) -> list[str]:
        return [] if [a for a in correction.accepted if a.strip()] else ["填空题至少需要一个可接受的答案"]

    def apply_correction(self, question: Mapping[str, Any], correction: KeyCorrection) -> dict[str, Any]:
        return {**question, "accepted": [a.strip() for a in correction.accepted if a.strip()], "weights": None}

    def sample_answer(self, question: Mapping[str, Any], right: bool) -> dict[str, Any]:
        return {"text": self.correct_texts(question)[0].replace("*", "") if right else "不知道"}
