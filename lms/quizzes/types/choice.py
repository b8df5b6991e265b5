"""Single and multiple choice. Pure.

Without weights, single choice has one right option, and multiple choice is all-or-nothing, or — with the quiz's
``partial_credit`` (漏选给分、错选无分) — any wrong option scores 0 and only right options score the share of the
right options chosen. With weights (Moodle's fractions), the question scores as they say: single — the chosen
option's fraction; multiple — the chosen options' fractions summed, clamped to 0..1; the quiz's policy does not
apply. Moodle's ``{=a =b ~c}`` (either is right) is a single-choice question with weights (1, 1, 0).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from lms.quizzes.specs import LETTERS, QuestionSpec
from lms.quizzes.types.base import (
    Answer,
    KeyCorrection,
    QuestionGrade,
    QuestionType,
    aligned_feedback,
    chosen_ids,
    fraction_points,
    one_choice,
)


class _Choice(QuestionType):
    def validate(self, spec: QuestionSpec, where: str) -> list[str]:
        problems = []
        if len(spec.options) < 2:
            problems.append(f"{where}question {spec.key} needs at least two options")
        if len(spec.options) > len(LETTERS):
            problems.append(f"{where}question {spec.key} has more than {len(LETTERS)} options")
        if not spec.correct or any(not 0 <= i < len(spec.options) for i in spec.correct):
            problems.append(f"{where}question {spec.key}: the answer must name existing options")
        elif self.name == "single" and spec.weights is None and len(spec.correct) != 1:
            # Several fully right options are Moodle's {=a =b ~c}; an import writes them as weights (1, 1, 0).
            problems.append(f"{where}question {spec.key}: a single-choice question has exactly one answer")
        if spec.weights is not None:
            if len(spec.weights) != len(spec.options):
                problems.append(f"{where}question {spec.key}: one weight per option")
            elif any(not -1 <= w <= 1 for w in spec.weights):
                problems.append(f"{where}question {spec.key}: weights are fractions between -1 and 1")
        return problems

    def to_paper(self, spec: QuestionSpec, rng: random.Random, *, shuffle_options: bool) -> dict[str, Any]:
        order = list(range(len(spec.options)))
        feedback = aligned_feedback(spec, len(spec.options))
        if shuffle_options:
            rng.shuffle(order)
        # Display ids are positions on this paper, so an id never reveals the authoring order.
        ids = {original: LETTERS[position] for position, original in enumerate(order)}
        return {"options": [{"id": ids[i], "text": spec.options[i], "source_index": i} for i in order],
                "correct": sorted(ids[i] for i in spec.correct),
                "weights": {ids[i]: spec.weights[i] for i in order} if spec.weights is not None else None,
                "feedback": {ids[i]: text for i, text in enumerate(feedback)} if feedback else None}

    def correction_problems(self, option_count: int, correction: KeyCorrection) -> list[str]:
        problems = []
        if any(not 0 <= i < option_count for i in correction.correct):
            problems.append("所选选项不存在")
        if not correction.correct:
            problems.append("请至少选择一个正确选项")
        elif self.name == "single" and len(correction.correct) != 1:
            problems.append("单选题和判断题只能有一个正确答案")
        return problems

    def apply_correction(self, question: Mapping[str, Any], correction: KeyCorrection) -> dict[str, Any]:
        fixed = dict(question)
        wanted = set(correction.correct)
        fixed["correct"] = sorted(o["id"] for o in question.get("options", []) if o.get("source_index") in wanted)
        fixed["weights"] = None  # the old fractions belong to the old key
        return fixed

    def sample_answer(self, question: Mapping[str, Any], right: bool) -> dict[str, Any]:
        if right:
            return {"choices": list(question["correct"])[: 1 if self.answer_kind == "choice" else None]}
        wrong = [o["id"] for o in question["options"] if o["id"] not in question["correct"]]
        return {"choices": wrong[:1]}


class SingleChoice(_Choice):
    name, label, answer_kind = "single", "单选题", "choice"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return one_choice(question, payload, kind="single-choice")

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        if answer is None or len(answer.choices) != 1:
            return QuestionGrade(0.0, points)
        [chosen] = answer.choices
        weights = question.get("weights")
        if weights:
            return fraction_points(points, float(weights.get(chosen, 0.0)))
        return QuestionGrade(points if chosen in question["correct"] else 0.0, points)


class MultipleChoice(_Choice):
    name, label, answer_kind = "multiple", "多选题", "choices"

    def parse_answer(self, question: Mapping[str, Any], payload: dict[str, Any]) -> Answer:
        return Answer(choices=chosen_ids(question, payload))

    def grade(self, question: Mapping[str, Any], answer: Answer | None, *, partial_credit: bool = False
              ) -> QuestionGrade:
        points = float(question["points"])
        chosen = set(answer.choices) if answer is not None else set()
        weights = question.get("weights")
        if weights:
            return fraction_points(points, sum(float(weights.get(c, 0.0)) for c in chosen))
        correct = set(question["correct"])
        if chosen == correct:
            return QuestionGrade(points, points)
        if not partial_credit or not chosen or not chosen <= correct:
            return QuestionGrade(0.0, points)  # all-or-nothing, or a wrong option chosen (错选无分)
        return QuestionGrade(points * len(chosen) / len(correct), points)
