"""The wrong-answer book: practice counts right answers on different days, mastered items leave the book until a
newer wrong answer, the right answer is given in words, and the check API is the person's own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.attempts import queries, rules
from tests.support.quiz_files import MONTHLY, PRACTICE
from tests.support.web import api_headers, post_form

PRACTICE_NOW = PRACTICE.replace("time_limit_minutes: 10", "time_limit_minutes: 10\nreview: immediately")
DAY = date(2026, 11, 28)


@pytest.mark.parametrize(("before", "correct", "today", "after"), [
    (rules.Practice(), True, DAY, rules.Practice(1, DAY, False)),
    (rules.Practice(1, DAY, False), True, DAY, rules.Practice(1, DAY, False)),  # once a day
    (rules.Practice(1, DAY, False), True, DAY + timedelta(days=1), rules.Practice(2, DAY + timedelta(days=1), True)),
    (rules.Practice(1, DAY, False), True, DAY + timedelta(days=9), rules.Practice(2, DAY + timedelta(days=9), True)),
    (rules.Practice(1, DAY, False), False, DAY, rules.Practice(0, None, False)),  # a wrong answer starts over
    (rules.Practice(2, DAY, True), False, DAY, rules.Practice(0, None, True)),  # mastered stays mastered
])
def test_practice_counts_right_answers_on_different_days(before, correct, today, after):
    assert rules.after_practice(before, correct=correct, today=today) == after


@pytest.mark.parametrize(("question", "words"), [
    ({"type": "truefalse", "options": [{"id": "T", "text": "正确"}, {"id": "F", "text": "错误"}], "correct": ["F"]},
     ["错误"]),
    ({"type": "multiple", "options": [{"id": "A", "text": "房补"}, {"id": "B", "text": "话费"},
                                      {"id": "C", "text": "综合激励"}], "correct": ["A", "C"]}, ["房补", "综合激励"]),
    ({"type": "fill", "options": [], "correct": [], "accepted": ["B2B", "企业间电子商务"]}, ["B2B", "企业间电子商务"]),
])
def test_the_right_answer_is_given_in_words(question, words):
    assert rules.correct_answer_texts(question) == words


@pytest.fixture
def wrong_attempt(client, auth, make_user, make_quiz, clock):
    """A manager's finished practice attempt with q1, q2 and q4 wrong and q3 right."""
    make_quiz("practice-basics", PRACTICE_NOW)
    person = make_user("manager")
    auth.login(person)
    attempt = client.post("/api/v1/quizzes/practice-basics/attempts", headers=api_headers(client)).get_json()
    for qid, body in {"q1": {"choices": ["B"]}, "q3": {"choices": ["T"]}}.items():
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/{qid}", data=json.dumps(body),
                   headers=api_headers(client))
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    clock.advance(minutes=1)
    return person, attempt["id"]


def check(client, attempt_id, question_id, **answer):
    return client.post("/api/v1/wrong-answers/check", headers=api_headers(client),
                       data=json.dumps({"attempt_id": attempt_id, "question_id": question_id, **answer}))


def test_the_check_api_grades_and_says_the_answer_in_words(client, wrong_attempt):
    _person, attempt_id = wrong_attempt
    wrong = check(client, attempt_id, "q1", choices=["B"]).get_json()
    assert wrong["correct"] is False
    assert wrong["answer_html"] == ["当月有效"]
    assert wrong["correct_choices"] == ["A"]
    assert "11月终端政策" in wrong["explanation_html"]
    assert (wrong["correct_days"], wrong["mastery_days"], wrong["mastered"]) == (0, 2, False)
    right = check(client, attempt_id, "q1", choices=["A"]).get_json()
    assert (right["correct"], right["correct_days"], right["newly_mastered"]) == (True, 1, False)
    assert check(client, attempt_id, "q4", text="b2b").get_json()["answer_html"] == ["B2B", "企业间电子商务"]


@pytest.mark.parametrize("body", [{}, {"attempt_id": "1", "question_id": "q1"}, {"attempt_id": 1}])
def test_the_check_api_wants_an_attempt_and_a_question(client, wrong_attempt, body):
    response = client.post("/api/v1/wrong-answers/check", headers=api_headers(client), data=json.dumps(body))
    assert response.status_code == 422


def test_the_check_api_is_the_person_s_own(client, auth, make_user, wrong_attempt):
    _person, attempt_id = wrong_attempt
    auth.logout()
    auth.login(make_user("manager"))
    assert check(client, attempt_id, "q1", choices=["A"]).status_code == 404


def test_before_the_review_opens_there_is_nothing_to_practise(client, auth, make_user, make_quiz, clock):
    clock.now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # the monthly test's window is open: no key yet
    make_quiz("monthly-2026-11", MONTHLY)
    auth.login(make_user("manager"))
    attempt = client.post("/api/v1/quizzes/monthly-2026-11/attempts", headers=api_headers(client)).get_json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    assert check(client, attempt["id"], "q1", choices=["A"]).status_code == 403


def test_right_on_two_days_masters_an_item_and_a_newer_wrong_answer_brings_it_back(client, wrong_attempt, clock):
    person, attempt_id = wrong_attempt
    check(client, attempt_id, "q1", choices=["A"])
    clock.advance(days=1)
    assert check(client, attempt_id, "q1", choices=["A"]).get_json()["newly_mastered"] is True
    book = queries.wrong_answer_book(person, now=clock.now)
    assert [(e.question["id"], e.mastered) for e in book] == [("q1", True), ("q2", False), ("q4", False)]

    clock.advance(days=1)  # the same question wrong again in a new attempt
    again = client.post("/api/v1/quizzes/practice-basics/attempts", headers=api_headers(client)).get_json()
    client.post(f"/api/v1/attempts/{again['id']}/submit", headers=api_headers(client))
    clock.advance(minutes=1)
    book = queries.wrong_answer_book(person, now=clock.now)
    q1 = next(e for e in book if e.question["id"] == "q1")
    assert (q1.attempt.id, q1.mastered, q1.correct_days) == (again["id"], False, 0)
    assert check(client, again["id"], "q1", choices=["A"]).get_json()["correct_days"] == 1  # started over


def test_a_person_marks_an_item_mastered_and_back(client, wrong_attempt, clock):
    person, attempt_id = wrong_attempt
    response = post_form(client, "/wrong-answers/mastered", {"attempt_id": attempt_id, "question_id": "q2",
                                                             "mastered": "1", "next": "w-1-q4"},
                         token_from="/wrong-answers")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wrong-answers#w-1-q4")
    assert [e.question["id"] for e in queries.wrong_answer_book(person, now=clock.now) if e.mastered] == ["q2"]
    back = post_form(client, "/wrong-answers/mastered", {"attempt_id": attempt_id, "question_id": "q2",
                                                         "mastered": "0", "next": "javascript:alert(1)"},
                     token_from="/wrong-answers")
    assert back.headers["Location"].endswith("/wrong-answers#wa-list")  # an odd anchor is not echoed
    assert not any(e.mastered for e in queries.wrong_answer_book(person, now=clock.now))
    right_one = post_form(client, "/wrong-answers/mastered", {"attempt_id": attempt_id, "question_id": "q3",
                                                              "mastered": "1"}, token_from="/wrong-answers")
    assert right_one.status_code == 404  # answered right: not in the book


def test_the_no_script_check_keeps_the_choice_and_returns_to_the_item(client, wrong_attempt):
    _person, attempt_id = wrong_attempt
    page = post_form(client, "/wrong-answers", {"attempt_id": attempt_id, "question_id": "q2",
                                                "choice": ["A", "D"]}).get_data(as_text=True)
    assert f'action="/wrong-answers#w-{attempt_id}-q2"' in page
    assert page.count(" checked>") == 2
    assert "正确答案：房补；综合激励；计提酬金" in page
