"""Pages around the player: the list, the result, the wrong-answer book, supervisors' view and accommodations,
the sweep command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.attempts import services
from lms.attempts.models import Accommodation, Attempt
from lms.extensions import db
from tests.support.clock import Clock, server_clock
from tests.support.quiz_files import MONTHLY, PRACTICE
from tests.support.web import api_headers, post_form


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return server_clock(monkeypatch, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))


def take_monthly(client, answers):
    attempt = client.post("/api/v1/quizzes/monthly-2026-11/attempts", headers=api_headers(client)).get_json()
    for qid, body in answers.items():
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/{qid}", data=json.dumps(body),
                   headers=api_headers(client))
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    return attempt["id"]


def test_the_list_home_panel_and_result_for_a_manager(client, auth, make_user, make_quiz, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    make_quiz("practice-basics", PRACTICE)
    auth.login(make_user("manager"))
    page = client.get("/quizzes").get_data(as_text=True)
    assert "2026年11月渠道政策月考" in page
    assert "练习测验" in page
    assert "未参加" in client.get("/").get_data(as_text=True)
    assert client.get("/quizzes/monthly-2026-11/take").status_code == 200
    attempt_id = take_monthly(client, {"q1": {"choices": ["A"]}, "q2": {"choices": ["F"]}})
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert '<p class="quiz-result-score">50 <span class="muted">/ 100</span></p>' in result
    assert "未通过" in result
    assert "答错 1 题" in result
    assert "✔" not in result  # the window is still open: no key yet
    assert "考试窗口关闭后公布" in result
    clock.now = datetime(2026, 11, 9, 1, 0, tzinfo=UTC)
    assert "✔ 正确答案" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "<strong>50</strong>" in client.get("/").get_data(as_text=True)


def test_the_wrong_answer_book_and_practice_from_it(client, auth, make_user, make_quiz, clock):
    make_quiz("practice-basics", PRACTICE)
    auth.login(make_user("manager"))
    attempt = client.post("/api/v1/quizzes/practice-basics/attempts", headers=api_headers(client)).get_json()
    client.put(f"/api/v1/attempts/{attempt['id']}/answers/q1", data=json.dumps({"choices": ["B"]}),
               headers=api_headers(client))
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))
    book = client.get("/wrong-answers").get_data(as_text=True)
    for stem in ("终端补贴政策的有效期是", "以下哪些属于酬金项目", "终端订货系统又称"):
        assert stem in book
    wrong = post_form(client, "/wrong-answers", {"attempt_id": attempt["id"], "question_id": "q1", "choice": "B"})
    assert "还不对" in wrong.get_data(as_text=True)
    right = post_form(client, "/wrong-answers", {"attempt_id": attempt["id"], "question_id": "q1", "choice": "A"})
    assert "回答正确" in right.get_data(as_text=True)


def test_supervisors_see_their_county_only_and_grant_extra_time_with_a_reason(client, auth, make_user, make_quiz,
                                                                             clock):
    make_quiz("monthly-2026-11", MONTHLY)
    mine = make_user("manager", county="城区", grid="东城网格", name="张三")
    other = make_user("manager", county="郊县", grid="北网格", name="李四")
    supervisor = make_user("supervisor", county="城区", grid=None)
    auth.login(mine)
    attempt = client.post("/api/v1/quizzes/monthly-2026-11/attempts", headers=api_headers(client)).get_json()
    client.post(f"/api/v1/attempts/{attempt['id']}/events", data=json.dumps({"kind": "tab_hidden"}),
                headers=api_headers(client))
    auth.logout()
    auth.login(supervisor)
    page = client.get("/quizzes/monthly-2026-11/people").get_data(as_text=True)
    assert "张三" in page
    assert "李四" not in page
    refused = post_form(client, "/quizzes/monthly-2026-11/people",
                        {"employee_no": other.employee_no, "kind": "exempt", "reason": "病假"},
                        follow_redirects=True)
    assert "不在您的管理范围内" in refused.get_data(as_text=True)
    post_form(client, "/quizzes/monthly-2026-11/people",
              {"employee_no": mine.employee_no, "kind": "extra_time", "minutes": "10", "reason": "视力障碍"})
    granted = db.session.scalar(select(Accommodation))
    assert (granted.kind, granted.minutes, granted.reason, granted.created_by_id) == (
        "extra_time", 10, "视力障碍", supervisor.id)
    db.session.expire_all()
    running = db.session.get(Attempt, attempt["id"])
    assert running.deadline_at == clock.now + timedelta(minutes=40)
    evidence = client.get(f"/attempts/{attempt['id']}").get_data(as_text=True)
    assert "页面隐藏（旧版记录，含刷新）" in evidence  # the legacy kind an API client sent, in words
    assert "延长 10 分钟" in evidence
    assert "tab_hidden" not in evidence
    assert "extra_time" not in evidence
    assert client.get(f"/api/v1/attempts/{attempt['id']}").status_code == 404  # the API is the owner's


def test_an_exempt_person_cannot_start(client, auth, make_user, make_quiz, clock):
    quiz = make_quiz("monthly-2026-11", MONTHLY)
    person = make_user("manager")
    services.grant_accommodation(make_user("trainer"), person, quiz, kind="exempt", reason="外出培训", minutes=None,
                                 now=clock.now)
    auth.login(person)
    response = client.post("/api/v1/quizzes/monthly-2026-11/attempts", headers=api_headers(client))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "exempt"


def test_the_sweep_finishes_expired_attempts_from_saved_answers(app, runner, make_user, make_quiz, clock):
    make_quiz("practice-basics", PRACTICE)
    people = [make_user("manager") for _ in range(3)]
    started = [services.start_attempt(person, "practice-basics", now=clock.now)[0] for person in people]
    question = next(q for q in started[0].paper["questions"] if q["key"] == "q1")
    services.save_answer(people[0].id, started[0].id, "q1", {"choices": question["correct"]}, now=clock.now)
    services.submit_attempt(people[2], started[2].id, {}, now=clock.now)
    assert services.finish_expired_attempts(clock.now + timedelta(seconds=660)) == 0  # grace not over yet
    assert services.finish_expired_attempts(clock.now + timedelta(seconds=661)) == 2
    assert services.finish_expired_attempts(clock.now + timedelta(seconds=700)) == 0
    first = db.session.get(Attempt, started[0].id)
    assert (first.status, first.score, first.finish_reason) == ("expired", 25.0, "deadline")
    assert db.session.get(Attempt, started[2].id).status == "submitted"
    clock.now += timedelta(days=1)
    services.start_attempt(people[0], "practice-basics", now=clock.now - timedelta(hours=2))
    result = runner.invoke(args=["attempts", "sweep"])
    assert "1 expired attempt(s) finished" in result.output
