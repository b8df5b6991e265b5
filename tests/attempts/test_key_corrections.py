"""Correcting a key, with plain papers: the correction lands on each paper's own shuffled option ids, and a bad
correction is refused before anything is regraded."""

from __future__ import annotations

import pytest

from lms.attempts.key_corrections import (
    KeyCorrection,
    ScoreChange,
    changed_only,
    check_correction,
    corrected_paper,
    corrected_question,
    question_info,
    source_indexes,
)

SHUFFLED = {"id": "q1", "type": "single", "options": [
    {"id": "A", "text": "以通知为准", "source_index": 3}, {"id": "B", "text": "当月有效", "source_index": 0},
    {"id": "C", "text": "次月有效", "source_index": 1}, {"id": "D", "text": "长期有效", "source_index": 2}],
    "correct": ["B"], "weights": None, "accepted": []}


def test_a_corrected_key_lands_on_each_papers_own_option_ids():
    fixed = corrected_question(SHUFFLED, KeyCorrection("q1", correct=(3,)))
    assert fixed["correct"] == ["A"]
    assert SHUFFLED["correct"] == ["B"]  # the stored paper is not changed in place


def test_corrections_for_true_false_and_fill_in():
    truefalse = {"id": "q4", "type": "truefalse", "options": [], "correct": ["T"]}
    assert corrected_question(truefalse, KeyCorrection("q4", correct=(1,)))["correct"] == ["F"]
    fill = {"id": "q5", "type": "fill", "accepted": ["200"]}
    fixed = corrected_question(fill, KeyCorrection("q5", accepted=(" 200元 ", "", "200")))
    assert fixed["accepted"] == ["200元", "200"]


def test_corrected_paper_says_whether_it_held_the_question():
    paper = {"questions": [SHUFFLED]}
    assert corrected_paper(paper, KeyCorrection("q1", correct=(0,)))[1] is True
    assert corrected_paper(paper, KeyCorrection("q9", correct=(0,)))[1] is False


@pytest.mark.parametrize(("kind", "correction", "problem"), [
    ("single", KeyCorrection("q", correct=(0, 1)), "只能有一个"),
    ("multiple", KeyCorrection("q", correct=()), "至少选择一个"),
    ("single", KeyCorrection("q", correct=(7,)), "不存在"),
    ("fill", KeyCorrection("q", accepted=("  ",)), "至少需要一个"),
])
def test_bad_corrections_are_refused(kind, correction, problem):
    assert any(problem in p for p in check_correction(kind, 4, correction))


def test_changes_list_outcome_changes_first():
    changes = [ScoreChange(1, 1, 90.0, 95.0, True, True), ScoreChange(2, 2, 70.0, 80.0, False, True),
               ScoreChange(3, 3, 60.0, 60.0, False, False)]
    assert [c.attempt_id for c in changed_only(changes)] == [2, 1]


def test_question_info_reads_a_shuffled_paper_question_in_authoring_order():
    info = question_info(SHUFFLED, 4)
    assert info.options == ("当月有效", "次月有效", "长期有效", "以通知为准")
    assert info.correct == (0,)
    assert info.position == 4
    assert source_indexes(SHUFFLED, ["A", "C", "Z"]) == (1, 3)
