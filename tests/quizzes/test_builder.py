"""The test builder through its pages: a trainer builds a monthly test from a bank, the summary refuses an
over-draw, a preview attempt never counts, publishing shows it to managers, an edit after attempts makes a new
version, and a file's quiz is taken over (the sync then skips its file)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from lms.attempts import services as attempts
from lms.attempts.models import Attempt
from lms.audit.models import AuditEntry
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.quizzes import authoring
from lms.quizzes.models import Quiz, QuizVersion
from lms.reports.queries.analytics import quiz_analysis, quiz_overview
from tests.support.clock import server_clock
from tests.support.quiz_files import MONTHLY, sync, write_quiz
from tests.support.web import api_headers, post_form

BANK = "title: 演示题库\nkind: bank\nquestions:\n" + "".join(
    f"  - {{id: t{n}, type: truefalse, tags: [终端], difficulty: 2, stem: 终端判断{n}, answer: true}}\n"
    for n in range(1, 7)) + "".join(
    f"  - {{id: b{n}, type: single, tags: [宽带], difficulty: 3, stem: 宽带单选{n}, options: [对, 错], answer: A}}\n"
    for n in range(1, 5))


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "kind": "monthly", "title": "2026年12月渠道政策月考", "period": "2026-12", "opens": "2026-12-01T00:00",
        "closes": "2026-12-08T23:59", "time_limit_minutes": "30", "pass_score": "80", "attempts_allowed": "1",
        "review": "after_close", "shuffle_questions": "y", "shuffle_options": "y", "certificate": "y",
        "sections-0-title": "终端", "sections-0-draws-0-bank": "demo", "sections-0-draws-0-count": "4",
        "sections-0-draws-0-tags": "终端", "sections-0-draws-0-difficulty_min": "1",
        "sections-0-draws-0-difficulty_max": "5",
        "sections-1-title": "宽带", "sections-1-draws-0-bank": "demo", "sections-1-draws-0-count": "2",
        "sections-1-draws-0-tags": "宽带", "sections-1-draws-0-difficulty_min": "1",
        "sections-1-draws-0-difficulty_max": "5", "sections-1-draws-0-points": "2", "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def bank(app):
    write_quiz(app, "demo", BANK)
    sync(app)


@pytest.fixture
def december(monkeypatch, bank):
    """The bank, and the server's clock in December's window."""
    return server_clock(monkeypatch, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))


@pytest.mark.usefixtures("december")
def test_a_trainer_builds_previews_and_publishes_a_monthly_test(client, auth, make_user):
    trainer, manager = make_user("trainer"), make_user("manager")
    auth.login(trainer)
    page = client.get("/quizzes/builder/new").get_data(as_text=True)
    assert 'name="opens"' in page  # the policy's window, prefilled
    assert "2026-12-01T00:00" in page

    refused = post_form(client, "/quizzes/builder/new", form(**{"sections-0-draws-0-count": "10"}))
    assert refused.status_code == 200
    assert "题库「演示题库」中符合条件的题只有 6 道，本节要抽 10 道" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Quiz).where(Quiz.slug == "monthly-2026-12")) is None

    saved = post_form(client, "/quizzes/builder/new", form())
    assert saved.status_code == 302
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "monthly-2026-12"))
    assert (quiz.status, quiz.managed_by, quiz.current_version.number) == ("draft", "browser", 1)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "quiz.created")) is not None

    # A draft: the manager cannot see it, open it or start it.
    auth.logout()
    auth.login(manager)
    assert "2026年12月渠道政策月考" not in client.get("/quizzes").get_data(as_text=True)
    assert client.get(f"/quizzes/{quiz.slug}").status_code == 404
    assert client.post(f"/api/v1/quizzes/{quiz.slug}/attempts", json={},
                       headers=api_headers(client)).status_code == 404
    auth.logout()

    # Preview: the real player's API resumes the trial attempt; it is never official and earns nothing.
    auth.login(trainer)
    started = post_form(client, f"/quizzes/builder/{quiz.slug}/preview", {}, token_from=f"/quizzes/builder/{quiz.slug}")
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/quizzes/{quiz.slug}/take")
    assert "预览" in client.get(f"/quizzes/{quiz.slug}/take").get_data(as_text=True)
    state = client.post(f"/api/v1/quizzes/{quiz.slug}/attempts", json={}, headers=api_headers(client)).get_json()
    assert len(state["questions"]) == 6
    assert state["official"] is False
    paper = db.session.get(Attempt, state["id"]).paper  # the key, to pass: a passed preview still earns nothing
    answers = {q["id"]: {"choices": q["correct"]} for q in paper["questions"]}
    done = client.post(f"/api/v1/attempts/{state['id']}/submit", json={"answers": answers},
                       headers=api_headers(client))
    assert done.status_code == 200, done.get_json()
    preview = db.session.get(Attempt, state["id"])
    assert preview.is_preview
    assert not preview.official
    assert preview.passed
    assert db.session.scalar(select(Certificate).where(Certificate.attempt_id == preview.id)) is None

    published = post_form(client, f"/quizzes/builder/{quiz.slug}/publish", {},
                          token_from=f"/quizzes/builder/{quiz.slug}")
    assert published.status_code == 302
    db.session.expire_all()
    assert db.session.get(Quiz, quiz.id).status == "published"
    auth.logout()

    auth.login(manager)
    assert "2026年12月渠道政策月考" in client.get("/quizzes").get_data(as_text=True)
    mine = client.post(f"/api/v1/quizzes/{quiz.slug}/attempts", json={}, headers=api_headers(client))
    assert mine.status_code == 201
    assert mine.get_json()["official"] is True
    auth.logout()

    # An edit once people have started: a new version; the started attempt keeps its own.
    auth.login(trainer)
    edited = post_form(client, f"/quizzes/builder/{quiz.slug}", form(**{"sections-0-draws-0-count": "3"}))
    assert edited.status_code == 302
    versions = db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)).all()
    assert sorted(v.number for v in versions) == [1, 2]
    assert db.session.get(Attempt, mine.get_json()["id"]).quiz_version.number == 1
    page = client.get(f"/quizzes/builder/{quiz.slug}").get_data(as_text=True)
    assert "v2" in page
    assert "v1" in page


def test_the_summary_endpoint_answers_the_form_as_it_stands(client, auth, make_user, bank):
    auth.login(make_user("trainer"))
    response = post_form(client, "/quizzes/builder/summary", form(**{"sections-1-draws-0-count": "9"}),
                         token_from="/quizzes/builder/new")
    body = response.get_json()
    assert body["ok"] is False
    assert "只有 4 道，本节要抽 9 道" in body["html"]
    fine = post_form(client, "/quizzes/builder/summary", form(), token_from="/quizzes/builder/new").get_json()
    assert fine["ok"] is True
    assert fine["questions"] == 6
    assert fine["papers"] == 15 * 6


def test_bad_input_is_refused_with_a_message_and_nothing_written(client, auth, make_user, bank):
    auth.login(make_user("trainer"))
    response = post_form(client, "/quizzes/builder/new", form(title="", time_limit_minutes="abc"))
    assert response.status_code == 200
    assert "请填写标题" in response.get_data(as_text=True)
    assert db.session.scalar(select(Quiz).where(Quiz.managed_by == "browser")) is None


def test_a_file_quiz_is_read_only_until_taken_over_and_then_the_sync_skips_its_file(app, client, auth, make_user):
    write_quiz(app, "monthly-2026-11", MONTHLY)
    sync(app)
    auth.login(make_user("trainer"))
    page = client.get("/quizzes/builder/monthly-2026-11").get_data(as_text=True)
    assert "在浏览器中接管" in page
    assert 'name="title"' not in page
    taken = post_form(client, "/quizzes/builder/monthly-2026-11/take-over", {},
                      token_from="/quizzes/builder/monthly-2026-11")
    assert taken.status_code == 302
    assert 'name="title"' in client.get("/quizzes/builder/monthly-2026-11").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "quiz.taken_over")) is not None

    write_quiz(app, "monthly-2026-11", MONTHLY.replace("2026年11月渠道政策月考", "文件里改过的标题"))
    result = sync(app)
    report = next(r for r in result.reports if r.source == "quizzes")
    assert report.skipped == ["monthly-2026-11"]
    assert "skipped" in report.summary()
    db.session.expire_all()
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "monthly-2026-11"))
    assert quiz.title == "2026年11月渠道政策月考"
    assert quiz.current_version.number == 1
    assert quiz.retired_at is None
    (app.config["LMS_QUIZZES_DIR"] and write_quiz(app, "monthly-2026-11", MONTHLY)).unlink()
    sync(app)
    db.session.expire_all()
    assert db.session.scalar(select(Quiz).where(Quiz.slug == "monthly-2026-11")).retired_at is None


@pytest.mark.usefixtures("december")
def test_a_preview_reaches_no_standing_report_or_item_analysis(app, make_user):
    trainer, admin = make_user("trainer"), make_user("admin")
    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    with app.test_request_context():
        data = {"kind": "monthly", "title": "预览不计", "period": "2026-12", "time_limit_minutes": 30,
                "pass_score": 80, "attempts_allowed": 1, "review": "after_close",
                "sections": [{"title": "一", "picked": [], "draw": [
                    {"bank": "demo", "count": 2, "tags": ["终端"], "difficulty": [1, 5]}]}]}
        quiz = authoring.create_quiz(trainer, data, now=now)
        authoring.publish_quiz(trainer, quiz, now=now)
        preview = attempts.start_preview(trainer, quiz, now=now)
        attempts.finish_attempt(preview.id, now=now, status="submitted", reason="submit")
        assert quiz_analysis(quiz, admin).attempts == 0
        assert next(r for r in quiz_overview(admin) if r.slug == quiz.slug).attempts == 0
        assert [s for s in attempts.standings_for(trainer, now=now) if s.attempt is not None] == []
