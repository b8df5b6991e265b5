"""The test builder's edits through its pages: a section, a draw row and a taken-over file's own question removed
(shown again, nothing saved), the keys a taken-over file holds that the form does not (description, max_score,
partial_credit) kept by a save, an own question moved into a bank (picked instead; the started attempt keeps its
paper), and a published test whose window has not opened shown as scheduled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from lms.attempts.models import Attempt
from lms.extensions import db
from lms.quizzes import bank_services
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.models import BankQuestion, Quiz, QuizVersion
from tests.quizzes.test_builder import BANK, form
from tests.support.clock import server_clock
from tests.support.quiz_files import sync, write_quiz
from tests.support.web import api_headers, post_form

FILE_QUIZ = """\
title: 2026年11月渠道政策月考
kind: monthly
period: 2026-11
opens: 2026-11-01T00:00
closes: 2026-11-08T23:59
time_limit_minutes: 30
max_score: 50
pass_score: 40
partial_credit: true
description: 请独立完成，不得翻阅资料。
shuffle_questions: false
sections:
  - title: 政策
    questions:
      - {id: q1, type: single, stem: 终端补贴政策的有效期是？, options: [当月有效, 次月有效], answer: A}
      - {id: q2, type: truefalse, stem: 80 分为及格。, answer: true}
  - title: 操作
    questions:
      - {id: q3, type: fill, stem: 终端订货系统又称 ____ 系统。, answer: [B2B]}
"""
EDIT = "/quizzes/builder/monthly-2026-11"


def file_form(**changes: Any) -> dict[str, Any]:
    """The taken-over quiz's form as its page shows it (own questions by id in each section)."""
    data: dict[str, Any] = {
        "kind": "monthly", "title": "2026年11月渠道政策月考", "period": "2026-11", "opens": "2026-11-01T00:00",
        "closes": "2026-11-08T23:59", "time_limit_minutes": "30", "pass_score": "40", "attempts_allowed": "1",
        "review": "after_close", "certificate": "y", "description": "请独立完成，不得翻阅资料。",
        "sections-0-title": "政策", "sections-0-own": ["q1", "q2"],
        "sections-1-title": "操作", "sections-1-own": ["q3"], "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def taken_over(app, client, auth, make_user, monkeypatch):
    """The file's quiz, taken over in the browser by a signed-in trainer; the clock in its window."""
    write_quiz(app, "monthly-2026-11", FILE_QUIZ)
    sync(app)
    server_clock(monkeypatch, datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    trainer = make_user("trainer")
    auth.login(trainer)
    assert post_form(client, f"{EDIT}/take-over", {}, token_from=EDIT).status_code == 302
    return trainer


@pytest.fixture
def bank(app):
    write_quiz(app, "demo", BANK)
    sync(app)


def current(slug: str = "monthly-2026-11") -> Quiz:
    db.session.expire_all()
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug))


def test_a_section_and_a_draw_row_are_removed_without_saving_and_the_last_section_stays(client, auth, make_user,
                                                                                        bank):
    auth.login(make_user("trainer"))
    page = client.get("/quizzes/builder/new").get_data(as_text=True)
    assert 'value="remove_section:0"' not in page  # one section: it cannot be removed
    assert 'value="remove_draw:0:0"' in page

    shown = post_form(client, "/quizzes/builder/new", form(action="remove_section:0")).get_data(as_text=True)
    assert 'value="宽带"' in shown  # the second section remains, under its own field names
    assert 'value="终端"' not in shown
    assert 'value="remove_section:1"' not in shown  # now the last one
    assert "<dd id=\"summary-questions\">2</dd>" in shown
    assert db.session.scalar(select(Quiz)) is None  # nothing saved

    shown = post_form(client, "/quizzes/builder/new", form(action="remove_draw:1:0")).get_data(as_text=True)
    assert 'id="sections-1-draws-0-bank"' not in shown
    assert "<dd id=\"summary-questions\">4</dd>" in shown

    alone = {k: v for k, v in form(action="remove_section:0").items() if not k.startswith("sections-1")}
    shown = post_form(client, "/quizzes/builder/new", alone).get_data(as_text=True)
    assert 'value="终端"' in shown  # the last section is never removed


def test_a_save_keeps_a_taken_over_files_max_score_and_partial_credit_and_edits_its_description(client, taken_over):
    page = client.get(EDIT).get_data(as_text=True)
    assert "请独立完成，不得翻阅资料。</textarea>" in page
    saved = post_form(client, EDIT, file_form(description="限时完成。", title="11月月考（改）"))
    assert saved.status_code == 302
    quiz = current()
    definition = quiz.current_version.definition
    assert quiz.current_version.number == 2
    assert (definition["max_score"], definition["partial_credit"]) == (50.0, True)
    assert definition["description"] == "限时完成。"
    assert (quiz.builder_data["max_score"], quiz.builder_data["partial_credit"]) == (50.0, True)


def test_own_questions_are_shown_and_one_is_removed_by_a_save(client, taken_over):
    page = client.get(EDIT).get_data(as_text=True)
    assert "终端补贴政策的有效期是？" in page
    assert 'value="remove_question:0:q2"' in page
    assert 'name="sections-1-own" value="q3"' in page
    shown = post_form(client, EDIT, file_form(action="remove_question:0:q2")).get_data(as_text=True)
    assert 'name="sections-0-own" value="q2"' not in shown
    assert current().current_version.number == 1  # shown again, not saved
    assert post_form(client, EDIT, file_form(**{"sections-0-own": ["q1"]})).status_code == 302
    quiz = current()
    assert quiz.current_version.number == 2
    keys = [[q["key"] for q in s["questions"]] for s in quiz.current_version.definition["sections"]]
    assert keys == [["q1"], ["q3"]]
    # A forged id brings nothing: the form names questions, it never brings their content.
    post_form(client, EDIT, file_form(**{"sections-1-own": ["q3", "q9"]}))
    assert [q["id"] for q in current().builder_data["sections"][1]["questions"]] == ["q3"]


def test_an_own_question_moved_to_a_bank_becomes_a_picked_bank_question_and_attempts_keep_their_paper(
        app, client, auth, make_user, taken_over):
    mine = bank_services.create_bank("我的题库", by=taken_over, now=datetime(2026, 11, 2, tzinfo=UTC))
    auth.logout()
    auth.login(make_user("manager"))
    started = client.post("/api/v1/quizzes/monthly-2026-11/attempts", json={}, headers=api_headers(client))
    assert started.status_code == 201
    auth.logout()
    auth.login(taken_over)

    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="move_question:0:q2"' in page
    moved = post_form(client, EDIT, file_form(**{"action": "move_question:0:q2", "sections-0-move_bank": mine.slug,
                                                  "title": "11月月考（移题）"}))
    assert moved.status_code == 302
    row = db.session.scalar(select(BankQuestion).where(BankQuestion.bank_id == mine.id))
    assert row.spec["stem"] == "80 分为及格。"
    quiz = current()
    assert quiz.title == "11月月考（移题）"  # the form's other edits are saved with the move
    section = quiz.builder_data["sections"][0]
    assert [q["id"] for q in section["questions"]] == ["q1"]
    assert section["picked"] == [f"{mine.slug}/{row.key}"]
    assert quiz.current_version.number == 2
    assert db.session.get(Attempt, started.get_json()["id"]).quiz_version.number == 1
    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="move_question:0:q2"' not in page

    # The bank question is edited like any other; the next save takes its new content.
    bank_services.edit_question(row, replace(spec_from_json(row.spec), stem="80 分及格。"), by=taken_over,
                                now=datetime(2026, 11, 3, tzinfo=UTC))
    post_form(client, EDIT, file_form(**{"sections-0-own": ["q1"], "sections-0-picked": [f"{mine.slug}/{row.key}"],
                                         "title": "11月月考（移题）"}))
    stems = [q["stem"] for q in current().current_version.definition["sections"][0]["questions"]]
    assert stems == ["终端补贴政策的有效期是？", "80 分及格。"]


def test_a_move_without_a_bank_is_refused_and_writes_nothing(client, taken_over):
    refused = post_form(client, EDIT, file_form(action="move_question:0:q2"))
    assert refused.status_code == 200
    assert "请选择要移入的题库" in refused.get_data(as_text=True)
    assert db.session.scalar(select(BankQuestion)) is None
    assert current().current_version.number == 1


def test_a_published_test_whose_window_is_to_come_is_scheduled(client, auth, make_user, bank, monkeypatch):
    server_clock(monkeypatch, datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    auth.login(make_user("trainer"))
    assert post_form(client, "/quizzes/builder/new", form()).status_code == 302
    edit = "/quizzes/builder/monthly-2026-12"
    assert "发布（将于 2026-12-01 00:00 开放）" in client.get(edit).get_data(as_text=True)
    published = post_form(client, f"{edit}/publish", {}, token_from=edit, follow_redirects=True)
    page = published.get_data(as_text=True)
    assert "考试已排期：将于 2026-12-01 00:00 开放" in page
    assert "已排期：2026-12-01 00:00 开放" in page
    assert "已排期：2026-12-01 00:00 开放" in client.get("/quizzes/builder").get_data(as_text=True)
    assert current("monthly-2026-12").status == "published"  # derived: no status of its own

    server_clock(monkeypatch, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    assert "已排期" not in client.get("/quizzes/builder").get_data(as_text=True)
    assert db.session.scalar(select(QuizVersion.opens_at).where(QuizVersion.quiz_id == current(
        "monthly-2026-12").id)) is not None
