"""Each question type grades itself: plain values in, points out."""

from __future__ import annotations

import pytest

from lms.quizzes.question_types import Answer, AnswerRejected, normalize_fill, question_type


def choice_question(qtype: str, correct: list[str], points: float = 4, weights: dict | None = None) -> dict:
    return {"id": "q", "type": qtype, "points": points, "correct": correct, "weights": weights, "accepted": [],
            "options": [{"id": letter, "text": letter} for letter in "ABCD"]}


@pytest.mark.parametrize(("chosen", "points"), [
    (["B"], 4.0), (["A"], 0.0), ([], 0.0),
])
def test_single_choice(chosen, points):
    grade = question_type("single").grade(choice_question("single", ["B"]), Answer(tuple(chosen)))
    assert grade.points == points
    assert grade.max_points == 4


@pytest.mark.parametrize(("chosen", "partial", "points"), [
    (["A", "B", "D"], False, 4.0),   # exactly right
    (["A", "B"], False, 0.0),        # all-or-nothing by default
    (["A", "B", "C"], False, 0.0),
    (["A", "B", "D"], True, 4.0),
    (["A", "B"], True, 4 * 2 / 3),   # 漏选给分: share of the correct options chosen
    (["A"], True, 4 / 3),
    (["A", "C"], True, 0.0),         # 错选无分
    (["A", "B", "C", "D"], True, 0.0),
    ([], True, 0.0),
])
def test_multiple_choice(chosen, partial, points):
    grade = question_type("multiple").grade(choice_question("multiple", ["A", "B", "D"]), Answer(tuple(sorted(chosen))),
                                            partial_credit=partial)
    assert grade.points == pytest.approx(points)
    assert grade.correct is (points == 4.0)


def test_multiple_choice_weights_from_the_source_give_partial_credit():
    question = choice_question("multiple", ["A", "B"], points=2, weights={"A": 0.5, "B": 0.5, "C": -1, "D": -1})
    assert question_type("multiple").grade(question, Answer(("A",)), partial_credit=True).points == 1.0
    assert question_type("multiple").grade(question, Answer(("A", "C")), partial_credit=True).points == 0.0


@pytest.mark.parametrize(("chosen", "points"), [(["T"], 1.0), (["F"], 0.0), ([], 0.0)])
def test_true_false(chosen, points):
    question = {"id": "q", "type": "truefalse", "points": 1, "correct": ["T"],
                "options": [{"id": "T", "text": "正确"}, {"id": "F", "text": "错误"}]}
    assert question_type("truefalse").grade(question, Answer(tuple(chosen))).points == points


@pytest.mark.parametrize(("given", "points"), [
    ("B2B", 2.0), ("b2b", 2.0), ("ｂ２ｂ", 2.0), ("  B2B  ", 2.0), ("Ｂ２Ｂ", 2.0),
    ("企业间电子商务", 2.0), ("B2C", 0.0), ("", 0.0), ("B 2 B", 0.0),
])
def test_fill_in_normalizes_width_case_and_spaces(given, points):
    question = {"id": "q", "type": "fill", "points": 2, "accepted": ["B2B", "企业间电子商务"], "options": []}
    assert question_type("fill").grade(question, Answer(text=given)).points == points


def test_unanswered_scores_zero_for_every_type():
    for qtype, question in {
        "single": choice_question("single", ["A"]), "multiple": choice_question("multiple", ["A"]),
        "truefalse": {**choice_question("truefalse", ["T"]), "options": [{"id": "T"}, {"id": "F"}]},
        "fill": {"id": "q", "type": "fill", "points": 1, "accepted": ["x"], "options": []},
    }.items():
        assert question_type(qtype).grade(question, None).points == 0.0


@pytest.mark.parametrize(("qtype", "payload"), [
    ("single", {"choices": ["E"]}), ("single", {"choices": ["A", "B"]}), ("single", {"choices": "A"}),
    ("multiple", {"choices": [None]}), ("fill", {"text": ["x"]}), ("fill", {"text": "x" * 501}),
])
def test_impossible_answers_are_rejected(qtype, payload):
    question = choice_question(qtype, ["A"]) if qtype != "fill" else {"type": "fill", "options": [], "accepted": []}
    with pytest.raises(AnswerRejected):
        question_type(qtype).parse_answer(question, payload)


def test_normalize_fill():
    assert normalize_fill("ＡＢＣ　１２３") == "abc 123"
