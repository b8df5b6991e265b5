"""Every registered type, through the interfaces that use it: a paper is drawn, answered as the API takes answers,
graded, shown in words, analysed and corrected — with no code outside the type knowing which type it is."""

from __future__ import annotations

import pytest

from lms.attempts.key_corrections import check_correction, corrected_question, question_info, source_indexes
from lms.attempts.rules import correct_answer_texts, draw_paper, grade_paper, public_question
from lms.quizzes.definitions import QuizDefinition, Section
from lms.quizzes.question_types import TYPES, AnswerRejected, KeyCorrection, question_type
from lms.quizzes.rules import validate_spec
from lms.quizzes.specs import QUESTION_TYPES, QuestionSpec

SPECS = {
    "single": QuestionSpec("s", "single", "选一个", options=("甲", "乙", "丙"), correct=(1,)),
    "multiple": QuestionSpec("m", "multiple", "选几个", options=("甲", "乙", "丙"), correct=(0, 2)),
    "truefalse": QuestionSpec("t", "truefalse", "对吗", truth=False),
    "fill": QuestionSpec("f", "fill", "填", accepted=("5G", "五G")),
    "numeric": QuestionSpec("n", "numeric", "多少元", numbers=((199.0, 0.0), (200.0, 1.0))),
}


def paper_for(spec: QuestionSpec, *, partial: bool = False) -> dict:
    definition = QuizDefinition(
        slug="t", title="t", kind="practice", period=None, opens_at=None, closes_at=None, time_limit_seconds=600,
        pass_score=80, max_score=100, attempts_allowed=None, review_policy="immediately",
        sections=(Section(title="", questions=(spec,)),), partial_credit=partial)
    return draw_paper(definition, {}, seed=7)


def test_the_registry_is_the_list_of_types() -> None:
    assert tuple(TYPES) == QUESTION_TYPES
    assert set(SPECS) == set(TYPES)


@pytest.mark.parametrize("name", list(SPECS))
def test_each_type_goes_from_paper_to_grade_to_words_to_correction(name: str) -> None:
    spec = SPECS[name]
    assert validate_spec(spec) == []
    paper = paper_for(spec)
    [question] = paper["questions"]
    kind = question_type(name)
    assert public_question(question)["answer"] == kind.answer_kind
    assert "correct" not in public_question(question)
    assert "numbers" not in public_question(question)
    right, wrong = kind.sample_answer(question, True), kind.sample_answer(question, False)
    graded = grade_paper(paper, {question["id"]: kind.parse_answer(question, right)})
    assert graded.score == 100.0
    assert grade_paper(paper, {question["id"]: kind.parse_answer(question, wrong)}).score == 0.0
    assert correct_answer_texts(question)  # the review shows the key in words
    info = question_info(question, 0)
    assert info.type == name
    if kind.answer_kind == "text":
        correction = KeyCorrection(question["id"], accepted=("x",), numbers=((1.0, 0.0),))
        assert check_correction(name, 0, correction) == []
        fixed = corrected_question(question, correction)
        assert grade_paper({**paper, "questions": [fixed]}, {question["id"]: kind.parse_answer(
            question, {"text": "1" if name == "numeric" else "x"})}).score == 100.0
    else:
        chosen = right["choices"]
        assert source_indexes(question, chosen) == info.correct


def test_numeric_compares_numbers_not_text() -> None:
    paper = paper_for(SPECS["numeric"])
    [question] = paper["questions"]
    kind = question_type("numeric")
    for typed, score in [("199", 100.0), ("199.0", 100.0), ("１９９", 100.0), ("200,5", 100.0), ("201", 100.0),
                         ("201.5", 0.0), ("198", 0.0), ("一百九十九", 0.0), ("", 0.0)]:
        answer = kind.parse_answer(question, {"text": typed})
        assert grade_paper(paper, {question["id"]: answer}).score == score, typed
    assert correct_answer_texts(question) == ["199", "200±1"]


def test_weights_score_as_moodle_scores_them_whatever_the_quiz_policy() -> None:
    # GIFT {=best ~%50%partly ~wrong}: the half-right answer scores half.
    single = QuestionSpec("w", "single", "q", options=("best", "partly", "wrong"), correct=(0,),
                          weights=(1.0, 0.5, 0.0))
    # GIFT {~%100%yellow ~%-50%red ~%-50%blue}: checkboxes; a wrong tick costs half.
    multiple = QuestionSpec("c", "multiple", "q", options=("yellow", "red", "blue"), correct=(0,),
                            weights=(1.0, -0.5, -0.5))
    # GIFT {=a =b ~c}: either is right.
    either = QuestionSpec("e", "single", "q", options=("a", "b", "c"), correct=(0, 1), weights=(1.0, 1.0, 0.0))
    assert validate_spec(single) == validate_spec(multiple) == validate_spec(either) == []
    cases = [(single, ["partly"], 50.0), (single, ["best"], 100.0), (single, ["wrong"], 0.0),
             (multiple, ["yellow"], 100.0), (multiple, ["yellow", "red"], 50.0), (multiple, ["red", "blue"], 0.0),
             (either, ["a"], 100.0), (either, ["b"], 100.0), (either, ["c"], 0.0)]
    for spec, texts, score in cases:
        for partial in (False, True):
            paper = paper_for(spec, partial=partial)
            [question] = paper["questions"]
            ids = [o["id"] for o in question["options"] if o["text"] in texts]
            answer = question_type(spec.type).parse_answer(question, {"choices": ids})
            assert grade_paper(paper, {question["id"]: answer}).score == score, (spec.key, texts, partial)


def test_without_weights_the_quiz_policy_decides_multiple_choice() -> None:
    spec = QuestionSpec("m", "multiple", "q", options=("a", "b", "c", "d"), correct=(0, 1))
    for partial, score in ((False, 0.0), (True, 50.0)):
        paper = paper_for(spec, partial=partial)
        [question] = paper["questions"]
        ids = [o["id"] for o in question["options"] if o["text"] == "a"]
        assert grade_paper(paper, {question["id"]: question_type("multiple").parse_answer(
            question, {"choices": ids})}).score == score


def test_a_single_choice_with_two_answers_needs_weights() -> None:
    spec = QuestionSpec("s", "single", "q", options=("a", "b"), correct=(0, 1))
    assert any("exactly one answer" in p for p in validate_spec(spec))


def test_short_answer_wildcards_and_weights() -> None:
    spec = QuestionSpec("f", "fill", "q", accepted=("Fr*g", "Nazareth", "Naz*"), weights=(1.0, 1.0, 0.5))
    paper = paper_for(spec)
    [question] = paper["questions"]
    kind = question_type("fill")
    for typed, score in [("frog", 100.0), ("FRAG", 100.0), ("Frg", 100.0), ("frogs", 0.0), ("nazareth", 100.0),
                         ("Nazar", 50.0), ("x", 0.0), ("F.*g", 0.0)]:
        assert grade_paper(paper, {question["id"]: kind.parse_answer(question, {"text": typed})}).score == score, typed
    assert correct_answer_texts(question) == ["Fr*g", "Nazareth"]


def test_answers_of_the_wrong_shape_are_refused() -> None:
    [question] = paper_for(SPECS["single"])["questions"]
    with pytest.raises(AnswerRejected):
        question_type("single").parse_answer(question, {"choices": ["A", "B"]})
    [numeric] = paper_for(SPECS["numeric"])["questions"]
    with pytest.raises(AnswerRejected):
        question_type("numeric").parse_answer(numeric, {"text": 199})


@pytest.mark.parametrize(("spec", "problem"), [
    (QuestionSpec("n", "numeric", "q"), "at least one number"),
    (QuestionSpec("n", "numeric", "q", numbers=((1.0, -1.0),)), "tolerance"),
    (QuestionSpec("n", "numeric", "q", numbers=((1.0, 0.0),), weights=(0.5, 0.5)), "one weight per number"),
    (QuestionSpec("f", "fill", "q", accepted=("a",), weights=(0.0,)), "earn points"),
    (QuestionSpec("s", "single", "q", options=("a", "b"), correct=(0,), weights=(1.0, 2.0)), "between -1 and 1"),
])
def test_each_type_names_its_own_problems(spec: QuestionSpec, problem: str) -> None:
    assert any(problem in p for p in validate_spec(spec))


def test_the_authors_feedback_follows_the_answer_given() -> None:
    spec = QuestionSpec("s", "single", "q", options=("a", "b"), correct=(0,), feedback=("Right!", "No: a."))
    [question] = paper_for(spec)["questions"]
    kind = question_type("single")
    b = next(o["id"] for o in question["options"] if o["text"] == "b")
    assert kind.feedback_for(question, kind.parse_answer(question, {"choices": [b]})) == ["No: a."]
    tf = QuestionSpec("t", "truefalse", "q", truth=True, feedback=("if true", "if false"))
    [question] = paper_for(tf)["questions"]
    assert question_type("truefalse").feedback_for(question, question_type("truefalse").parse_answer(
        question, {"choices": ["F"]})) == ["if false"]
    num = QuestionSpec("n", "numeric", "q", numbers=((3.0, 0.0), (3.0, 1.0)), weights=(1.0, 0.5),
                       feedback=("Exactly.", "Close."))
    [question] = paper_for(num)["questions"]
    kind = question_type("numeric")
    assert kind.feedback_for(question, kind.parse_answer(question, {"text": "3"})) == ["Exactly."]
    assert kind.feedback_for(question, kind.parse_answer(question, {"text": "3.5"})) == ["Close."]
    assert kind.feedback_for(question, kind.parse_answer(question, {"text": "9"})) == []
