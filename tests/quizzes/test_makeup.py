"""The make-up window (补考) through the builder's page and the player's API: a trainer adds it for those who
failed or were absent (or for chosen people); each invited person gets one make-up attempt even with the regular
attempts used up; others are refused with a reason; the close counts a make-up pass as LMS_MAKEUP_CLEARS_FAIL says;
a make-up window added after the period's close is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.announcements.models import InboxMessage
from lms.announcements.reminders import run_reminders
from lms.assessment import services as assessment
from lms.assessment.models import Outcome
from lms.attempts import regrade
from lms.attempts import services as attempts
from lms.attempts.key_corrections import KeyCorrection
from lms.attempts.models import Attempt, QuestionKeyCorrection
from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.quizzes.test_builder import form
from tests.support.clock import server_clock
from tests.support.quiz_files import sync, write_quiz
from tests.support.web import api_headers, post_form

BANK = "title: 演示题库\nkind: bank\nquestions:\n" + "".join(
    f"  - {{id: t{n}, type: truefalse, tags: [终端], difficulty: 2, stem: 终端判断{n}, answer: true}}\n"
    for n in range(1, 7)) + "".join(
    f"  - {{id: b{n}, type: single, tags: [宽带], difficulty: 3, stem: 宽带单选{n}, options: [对, 错], answer: A}}\n"
    for n in range(1, 5))
IN_WINDOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
AFTER_CLOSE = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
IN_MAKEUP = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Dec 11, 10:00 local
AFTER_MAKEUP = datetime(2026, 12, 13, 2, 0, tzinfo=UTC)
MAKEUP = {"makeup_opens": "2026-12-10T00:00", "makeup_closes": "2026-12-12T23:59"}


@pytest.fixture
def people(app, make_user):
    write_quiz(app, "demo", BANK)
    sync(app)
    return {"trainer": make_user("trainer"), "failed": make_user("manager"), "passed": make_user("manager"),
            "absent": make_user("manager")}


def as_user(client, auth, user):
    auth.logout()
    auth.login(user)


def sit(client, slug: str, *, right: bool) -> tuple[int, dict]:
    """Start and submit an attempt through the player's API, all right or all wrong."""
    started = client.post(f"/api/v1/quizzes/{slug}/attempts", json={}, headers=api_headers(client))
    if started.status_code != 201:
        return started.status_code, started.get_json()
    state = started.get_json()
    paper = db.session.get(Attempt, state["id"]).paper
    def wrong(question: dict) -> list[str]:
        if question["type"] == "truefalse":
            return ["F" if question["correct"] == ["T"] else "T"]
        return [next(o["id"] for o in question["options"] if o["id"] not in question["correct"])]

    answers = {q["id"]: {"choices": q["correct"] if right else wrong(q)} for q in paper["questions"]}
    done = client.post(f"/api/v1/attempts/{state['id']}/submit", json={"answers": answers}, headers=api_headers(client))
    assert done.status_code == 200, done.get_json()
    return 201, done.get_json()


@pytest.fixture
def december_test(monkeypatch, client, auth, people):
    """December's test built and published by the trainer; in its window one manager fails, one passes, one is
    absent; then the window closes. Returns (slug, clock)."""
    clock = server_clock(monkeypatch, IN_WINDOW)
    auth.login(people["trainer"])
    assert post_form(client, "/quizzes/builder/new", form()).status_code == 302
    slug = db.session.scalar(select(Quiz.slug).where(Quiz.managed_by == "browser"))
    post_form(client, f"/quizzes/builder/{slug}/publish", {}, token_from=f"/quizzes/builder/{slug}")
    as_user(client, auth, people["failed"])
    assert sit(client, slug, right=False)[0] == 201
    as_user(client, auth, people["passed"])
    assert sit(client, slug, right=True)[0] == 201
    auth.logout()
    clock.now = AFTER_CLOSE
    return slug, clock


def add_makeup(client, auth, trainer, slug, **fields):
    as_user(client, auth, trainer)
    return post_form(client, f"/quizzes/builder/{slug}", form(**{**MAKEUP, **fields}))


def test_a_make_up_for_those_who_failed_or_were_absent(client, auth, people, december_test):
    slug, clock = december_test
    auth.login(people["trainer"])
    analysis = client.get(f"/reports/quizzes/{slug}").get_data(as_text=True)
    assert f'href="/quizzes/builder/{slug}#makeup"' in analysis  # 安排补考, from the item analysis
    page = client.get(f"/quizzes/builder/{slug}").get_data(as_text=True)
    assert "正式考试中未及格 1 人、缺考 1 人" in page
    failed_list = page[page.index("未及格的人员（1）"):page.index("缺考的人员（1）")]
    assert f"{people['failed'].employee_no} {people['failed'].name}" in failed_list  # whom, not only how many
    assert f"{people['absent'].employee_no} {people['absent'].name}" in page[page.index("缺考的人员（1）"):]
    assert add_makeup(client, auth, people["trainer"], slug).status_code == 302

    clock.now = IN_MAKEUP
    run_reminders(now=IN_MAKEUP)
    notified = set(db.session.scalars(select(InboxMessage.user_id).where(InboxMessage.kind == "quiz_makeup")))
    assert notified == {people["failed"].id, people["absent"].id}

    # The one who failed has used their single attempt, and still gets the make-up (once).
    as_user(client, auth, people["failed"])
    status, body = sit(client, slug, right=True)
    assert status == 201
    assert body["passed"] is True
    again = client.post(f"/api/v1/quizzes/{slug}/attempts", json={}, headers=api_headers(client))
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "used_up")
    # The one who passed is not invited: refused with the reason.
    as_user(client, auth, people["passed"])
    refused = client.post(f"/api/v1/quizzes/{slug}/attempts", json={}, headers=api_headers(client))
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "not_invited")
    assert "补考" in refused.get_json()["error"]["message"]
    # The absent one takes it and fails again.
    as_user(client, auth, people["absent"])
    assert sit(client, slug, right=False)[0] == 201
    makeups = db.session.scalars(select(Attempt).where(Attempt.makeup.is_(True))).all()
    assert sorted(a.user_id for a in makeups) == sorted([people["failed"].id, people["absent"].id])

    as_user(client, auth, people["trainer"])
    assert "已补考 2 人，其中通过 1 人" in client.get(f"/quizzes/builder/{slug}").get_data(as_text=True)

    # The close waits for the make-up window, then counts the make-up pass (the default setting).
    with pytest.raises(Exception, match="窗口尚未结束"):
        assessment.close_month("2026-12", now=IN_MAKEUP)
    db.session.rollback()
    assessment.close_month("2026-12", now=AFTER_MAKEUP)
    outcomes = {o.user_id: o for o in db.session.scalars(select(Outcome).where(Outcome.period == "2026-12"))}
    assert outcomes[people["failed"].id].status == "PASS"
    assert outcomes[people["failed"].id].note == "补考成绩"
    assert outcomes[people["absent"].id].status == "FAIL"
    assert outcomes[people["passed"].id].status == "PASS"


def test_when_a_make_up_pass_does_not_clear_the_fail_it_is_noted_beside_it(app, client, auth, people,
                                                                           december_test):
    slug, clock = december_test
    app.config["LMS_MAKEUP_CLEARS_FAIL"] = False
    auth.login(people["trainer"])
    assert "补考通过不改变本月的不及格结果" in client.get(f"/quizzes/builder/{slug}").get_data(as_text=True)
    assert add_makeup(client, auth, people["trainer"], slug, makeup_audience="failed").status_code == 302
    clock.now = IN_MAKEUP
    as_user(client, auth, people["absent"])  # only those who failed, this time
    refused = client.post(f"/api/v1/quizzes/{slug}/attempts", json={}, headers=api_headers(client))
    assert refused.get_json()["error"]["code"] == "not_invited"
    as_user(client, auth, people["failed"])
    assert sit(client, slug, right=True)[1]["passed"] is True
    auth.logout()
    assessment.close_month("2026-12", now=AFTER_MAKEUP)
    outcome = db.session.scalar(select(Outcome).where(Outcome.user_id == people["failed"].id))
    assert outcome.status == "FAIL"
    assert outcome.note.startswith("补考 100 分")


def test_a_make_up_for_chosen_people_names_managers_only(client, auth, people, december_test):
    slug, clock = december_test
    refused = add_makeup(client, auth, people["trainer"], slug, makeup_audience="chosen",
                         makeup_people="NOBODY1")
    assert refused.status_code == 200
    assert "NOBODY1" in refused.get_data(as_text=True)
    assert add_makeup(client, auth, people["trainer"], slug, makeup_audience="chosen",
                      makeup_people=f"{people['passed'].employee_no}，").status_code == 302
    clock.now = IN_MAKEUP
    as_user(client, auth, people["failed"])
    assert client.post(f"/api/v1/quizzes/{slug}/attempts", json={},
                       headers=api_headers(client)).get_json()["error"]["code"] == "not_invited"
    as_user(client, auth, people["passed"])
    assert sit(client, slug, right=True)[0] == 201


def test_a_make_up_window_added_after_the_close_is_refused(client, auth, people, december_test):
    slug, _clock = december_test
    assessment.close_month("2026-12", now=AFTER_CLOSE + timedelta(hours=1))
    refused = add_makeup(client, auth, people["trainer"], slug)
    assert refused.status_code == 200
    assert "已结账" in refused.get_data(as_text=True)
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    assert "makeup" not in (quiz.builder_data or {})


def test_the_invited_manager_s_page_offers_the_make_up_once(client, auth, people, december_test):
    slug, clock = december_test
    add_makeup(client, auth, people["trainer"], slug)
    clock.now = IN_MAKEUP
    as_user(client, auth, people["failed"])
    page = client.get(f"/quizzes/{slug}").get_data(as_text=True)
    assert "补考窗口" in page
    assert "开始补考" in page
    as_user(client, auth, people["passed"])
    page = client.get(f"/quizzes/{slug}").get_data(as_text=True)
    assert "开始补考" not in page
    assert "查看成绩" in page


def test_a_corrected_key_reaches_the_papers_drawn_afterwards_and_the_preview_is_not_regraded(
        client, auth, people, december_test):
    slug, clock = december_test
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    trainer = people["trainer"]
    preview = attempts.start_preview(trainer, quiz, now=IN_WINDOW)
    attempts.finish_attempt(preview.id, now=IN_WINDOW, status="submitted", reason="submit")
    drawn = sorted({q["id"] for a in db.session.scalars(select(Attempt).where(Attempt.is_preview.is_(False)))
                    for q in a.paper["questions"] if q["type"] == "truefalse"})
    for question in drawn:  # the key said "true"; it is "false"
        plan = regrade.apply_regrade(quiz, KeyCorrection(question, correct=(1,)), actor=trainer, now=AFTER_CLOSE)
        assert preview.id not in {c.attempt_id for c in plan.changes}
        assert plan.papers <= 2  # the managers' papers only, never the trainer's trial
    db.session.expire_all()
    trial = db.session.get(Attempt, preview.id).paper["questions"]
    assert all(q["correct"] == ["T"] for q in trial if q["type"] == "truefalse")  # the trial is left as it was
    assert sorted(db.session.scalars(select(QuestionKeyCorrection.question_id))) == drawn

    add_makeup(client, auth, trainer, slug)
    clock.now = IN_MAKEUP
    as_user(client, auth, people["absent"])
    state = client.post(f"/api/v1/quizzes/{slug}/attempts", json={}, headers=api_headers(client)).get_json()
    paper = db.session.get(Attempt, state["id"]).paper
    true_false = {q["id"]: q["correct"] for q in paper["questions"] if q["type"] == "truefalse"}
    assert true_false  # the make-up draws 4 of the 6 true/false questions
    assert true_false == {q: (["F"] if q in drawn else ["T"]) for q in true_false}
