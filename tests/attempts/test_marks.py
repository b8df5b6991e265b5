"""Marks as people read them: a question's points are its share of the test's max score, and numbers print without
a trailing ".0"."""

from __future__ import annotations

import pytest

from lms.attempts import rules
from lms.core.templating import format_number
from tests.support.web import api_headers

THREE_WEIGHTED = """\
title: 分值练习
kind: practice
time_limit_minutes: 10
shuffle_questions: false
shuffle_options: false
questions:
  - {id: q1, type: truefalse, stem: 甲, answer: true, points: 2}
  - {id: q2, type: truefalse, stem: 乙, answer: true}
  - {id: q3, type: truefalse, stem: 丙, answer: true}
  - {id: q4, type: truefalse, stem: 丁, answer: true, points: 3}
"""


@pytest.mark.parametrize(("value", "places", "shown"), [
    (80.0, 2, "80"), (92.5, 2, "92.5"), (92.50001, 2, "92.5"), (100, 2, "100"), (6.666666, 2, "6.67"),
    (0.005, 2, "0.01"), (79.95, 1, "80"), (20.0, 1, "20"), (0.0, 2, "0"), (-0.001, 2, "0"), (None, 2, ""),
    (2.675, 2, "2.68"),  # half up in decimals, not the float's 2.67499…
])
def test_numbers_print_as_people_write_them(value, places, shown):
    assert format_number(value, places) == shown


@pytest.mark.parametrize(("points", "total", "max_score", "scaled"), [
    (5, 100, 100, 5.0), (1, 20, 100, 5.0), (2, 4, 100, 50.0), (1, 3, 100, 33.33), (2, 3, 100, 66.67),
    (1, 8, 100, 12.5), (1, 0, 100, 0.0), (7, 70, 50, 5.0),
])
def test_a_question_is_shown_as_its_share_of_the_max_score(points, total, max_score, scaled):
    assert rules.scaled_points(points, total, max_score) == scaled


def test_the_paper_tells_the_page_each_question_s_share_of_100(client, make_quiz, make_user, auth, clock):
    make_quiz("weighted", THREE_WEIGHTED)
    auth.login(make_user("manager"))
    state = client.post("/api/v1/quizzes/weighted/attempts", headers=api_headers(client)).get_json()
    shares = {q["id"]: q["scaled_points"] for q in state["questions"]}
    assert shares == {"q1": 28.57, "q2": 14.29, "q3": 14.29, "q4": 42.86}
    assert [q["points"] for q in state["questions"]] == [2, 1, 1, 3]  # raw points stay for API clients
    assert sum(shares.values()) == pytest.approx(100, abs=0.02)
