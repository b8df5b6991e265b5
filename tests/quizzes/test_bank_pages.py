"""The trainers' question-bank pages through the test client: a new bank, questions created and edited (each edit a
revision, papers already drawn unchanged), retired and restored, tagged in bulk, found by filters; GIFT names kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.attempts import usage
from lms.attempts.rules import draw_paper
from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.extensions import db
from lms.quizzes import imports, queries, services
from lms.quizzes.bank_views import as_paper
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.importers import xlsx_template
from lms.quizzes.models import BankQuestion, BankQuestionRevision, QuestionBank
from tests.support.attempts import graded_attempt
from tests.support.web import post_form

GIFT = """::话费预存::预存话费返还分几个月到账？{~一次到账 =分12个月 ~分6个月#### 见政策第3条}

// [tag:终端]
入网须实名登记。{T}

::无名填空::5G 套餐的最低档是 {=59 =五十九} 元。
"""


def _choice(**changes: Any) -> dict[str, Any]:
    data = {"type": "single", "name": "", "stem": "以下哪项正确？", "options-0": "甲", "options-1": "乙",
            "options-2": "", "options-3": "", "options-4": "", "options-5": "", "correct": ["0"],
            "accepted": "", "points": "2", "explanation": "因为甲。", "tags": "终端, 政策", "difficulty": "3",
            "lesson": ""}
    data.update(changes)
    return data


def _bank(client: Any, title: str = "11月政策题库") -> QuestionBank:
    response = post_form(client, "/quizzes/banks/new", {"title": title}, token_from="/quizzes/banks")
    assert response.status_code == 302
    return db.session.scalars(select(QuestionBank).where(QuestionBank.title == title)).one()


def test_trainer_creates_a_bank_and_a_question_then_edits_it_as_a_new_revision(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    assert bank.slug == "bank"
    assert bank.source_path is None
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(name="甲乙题"))
    assert response.status_code == 302, response.get_data(as_text=True)
    question = db.session.scalars(select(BankQuestion)).one()
    assert (question.name, question.key, question.type, question.tags) == ("甲乙题", "q1", "single", ["终端", "政策"])

    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "以下哪项正确" in page
    assert "正确答案" in page
    assert "因为甲" in page
    assert "第 1 版" in page

    response = post_form(client, f"/questions/{question.id}/edit",
                         _choice(name="甲乙题", correct=["1"], explanation="其实是乙。"))
    assert response.status_code == 302
    db.session.expire_all()
    spec = spec_from_json(question.spec)
    assert spec.correct == (1,)
    assert spec.explanation == "其实是乙。"
    numbers = [r.number for r in db.session.scalars(select(BankQuestionRevision).order_by(BankQuestionRevision.number))]
    assert numbers == [1, 2]
    assert "第 2 版" in client.get(f"/questions/{question.id}").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"bank.created", "question.created", "question.edited"} <= actions


def test_a_paper_drawn_before_an_edit_keeps_the_question_it_drew(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice())
    question = db.session.scalars(select(BankQuestion)).one()
    before = as_paper(spec_from_json(question.spec))
    post_form(client, f"/questions/{question.id}/edit", _choice(stem="改过的题干", correct=["1"]))
    db.session.expire_all()
    assert before["stem"] == "以下哪项正确？"
    assert before["correct"] == ["A"]
    assert as_paper(spec_from_json(question.spec))["correct"] == ["B"]
    assert draw_paper.__doc__  # papers are drawn from specs copied onto the attempt (lms.attempts.rules)


def test_bad_input_is_named_in_chinese_and_nothing_is_written(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(correct=[]))
    assert response.status_code == 200
    assert "请勾选正确选项" in response.get_data(as_text=True)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(correct=["0", "1"]))
    assert "单选题只能有一个正确选项" in response.get_data(as_text=True)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new",
                         _choice(type="fill", accepted=""))
    assert "填空题至少需要一个参考答案" in response.get_data(as_text=True)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(points="-1", stem=""))
    assert response.status_code == 200
    assert db.session.scalars(select(BankQuestion)).first() is None


def test_true_false_and_fill_in_questions_from_the_form(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(type="truefalse", truth="false"))
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(type="fill", accepted="59\n五十九"))
    tf, fill = db.session.scalars(select(BankQuestion).order_by(BankQuestion.id))
    assert spec_from_json(tf.spec).truth is False
    assert spec_from_json(tf.spec).options == ()
    assert spec_from_json(fill.spec).accepted == ("59", "五十九")
    assert "59 / 五十九" in client.get(f"/questions/{fill.id}").get_data(as_text=True)


def test_numeric_questions_from_the_form(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new",
                         _choice(type="numeric", numbers="三块\n3"))
    assert "“三块”不是数字" in response.get_data(as_text=True)
    response = post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(type="numeric", numbers=""))
    assert "数值题至少需要一个答案" in response.get_data(as_text=True)
    assert db.session.scalars(select(BankQuestion)).first() is None
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new",
              _choice(type="numeric", numbers="199\n３±０.５\n10..12"))
    question = db.session.scalars(select(BankQuestion)).one()
    assert question.type == "numeric"
    assert spec_from_json(question.spec).numbers == ((199.0, 0.0), (3.0, 0.5), (11.0, 1.0))
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "数值题" in page
    assert "199 / 3±0.5 / 11±1" in page
    edit = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert "199\n3±0.5\n11±1" in edit  # the form shows the keys as a trainer writes them


def test_retire_restore_and_bulk_tag(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    for n in range(3):
        post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(stem=f"题{n}", tags=""))
    ids = list(db.session.scalars(select(BankQuestion.id).order_by(BankQuestion.id)))
    post_form(client, f"/questions/{ids[0]}/retire", {}, token_from=f"/questions/{ids[0]}")
    assert [r.question.id for r in queries.bank_questions(bank=bank.slug)] == ids[1:]
    assert [r.question.id for r in queries.bank_questions(bank=bank.slug, retired=True)] == ids[:1]
    assert ids[0] not in {s.key for s in services.bank_questions({bank.slug})[bank.slug]}
    post_form(client, f"/questions/{ids[0]}/restore", {}, token_from=f"/questions/{ids[0]}")
    response = post_form(client, "/questions/tag", {"ids": [str(i) for i in ids], "tag": "重点", "action": "add"},
                         token_from=f"/quizzes/banks/{bank.slug}")
    assert response.status_code == 302
    db.session.expire_all()
    assert all(q.tags == ["重点"] for q in db.session.scalars(select(BankQuestion)))
    assert [r.question.id for r in queries.bank_questions(tag="重点")] == ids
    post_form(client, "/questions/tag", {"ids": [str(ids[0])], "tag": "重点", "action": "remove"},
              token_from=f"/quizzes/banks/{bank.slug}")
    db.session.expire_all()
    assert db.session.get(BankQuestion, ids[0]).tags == []
    actions = list(db.session.scalars(select(AuditEntry.action)))
    assert actions.count("question.tagged") == 2
    assert "question.retired" in actions
    assert "question.restored" in actions


def test_the_list_filters_and_searches(client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(stem="关于宽带的题", difficulty="5"))
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(type="truefalse", truth="true",
                                                                           stem="关于终端的题"))
    page = client.get(f"/quizzes/banks/{bank.slug}?q=宽带").get_data(as_text=True)
    assert "关于宽带的题" in page
    assert "关于终端的题" not in page
    page = client.get(f"/quizzes/banks/{bank.slug}?type=truefalse").get_data(as_text=True)
    assert "关于终端的题" in page
    assert "关于宽带的题" not in page
    page = client.get("/questions?difficulty=5&usage=unused").get_data(as_text=True)
    assert "关于宽带的题" in page
    assert "关于终端的题" not in page
    assert "判断题" in client.get("/questions").get_data(as_text=True)
    assert client.get("/questions?difficulty=9").status_code == 200  # a wrong filter is named, never a 500


def test_usage_and_weak_questions_come_from_the_papers_drawn(client, auth, make_user, monthly_quiz):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    for n in range(3):
        post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice(stem=f"题{n}"))
    q1, q2, _q3 = (spec_from_json(q.spec) for q in db.session.scalars(select(BankQuestion).order_by(BankQuestion.id)))
    quiz = monthly_quiz("2026-11")
    finished = utcnow()
    for n in range(6):  # six people drew q1 and q2; one of them got q1 right, all got q2 right
        paper = {"questions": [{"id": f"{bank.slug}.{q.key}", "key": q.key, "bank": bank.slug} for q in (q1, q2)]}
        results = {f"{bank.slug}.q1": {"points": 2, "earned": 2 if n == 0 else 0, "correct": n == 0},
                   f"{bank.slug}.q2": {"points": 2, "earned": 2, "correct": True}}
        attempt = graded_attempt(make_user("manager"), quiz, score=50, finished_at=finished)
        attempt.paper, attempt.results = paper, results
        db.session.add(attempt)
        db.session.flush()
        usage.record_drawn(attempt.id, paper)  # what drawing and grading write (lms.attempts.services)
        usage.record_shares(attempt.id, results)
    db.session.commit()

    weak = queries.bank_questions(bank=bank.slug, usage=queries.WEAK)
    assert [r.question.key for r in weak] == ["q1"]
    assert weak[0].usage.papers == 6
    assert round(weak[0].usage.facility or 0, 2) == 0.17
    assert [r.question.key for r in queries.bank_questions(bank=bank.slug, usage=queries.NEVER_USED)] == ["q3"]
    page = client.get(f"/quizzes/banks/{bank.slug}?usage=weak").get_data(as_text=True)
    assert "6 份试卷" in page
    assert "17%" in page
    question = db.session.scalars(select(BankQuestion).where(BankQuestion.key == "q1")).one()
    assert "偏难或答案可能有误" in client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert not queries.Usage(papers=2, answers=2, share_sum=0.0).is_weak  # too few answers to say


def test_gift_titles_become_question_names_and_the_first_revision(client, auth, make_user):
    auth.login(make_user("trainer"))
    imports.import_questions(GIFT.encode(), "policy.gift", "gift-bank")
    rows = {q.key: q for q in db.session.scalars(select(BankQuestion))}
    assert rows["gift-1"].name == "话费预存"
    assert rows["gift-2"].name == ""
    assert rows["gift-3"].name == "无名填空"
    assert [r.origin for r in rows["gift-1"].revisions] == ["import"]
    page = client.get("/quizzes/banks/gift-bank").get_data(as_text=True)
    assert "话费预存" in page


def test_the_spreadsheet_name_column_becomes_the_question_name(client, auth, make_user):
    auth.login(make_user("trainer"))
    imports.import_questions(xlsx_template(), "模板.xlsx", "xlsx-bank")
    names = [q.name for q in db.session.scalars(select(BankQuestion).order_by(BankQuestion.id))]
    assert names == ["终端补贴有效期", "", "", ""]
    assert "终端补贴有效期" in client.get("/quizzes/banks/xlsx-bank").get_data(as_text=True)


def test_file_owned_questions_are_read_only(app, client, auth, make_user):
    auth.login(make_user("trainer"))
    bank = _bank(client)
    post_form(client, f"/quizzes/banks/{bank.slug}/questions/new", _choice())
    question = db.session.scalars(select(BankQuestion)).one()
    bank.source_path = "quizzes/banks/policy.yaml"
    db.session.commit()
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "来自文件 quizzes/banks/policy.yaml；修改文件后同步" in page
    assert "/edit" not in page
    assert client.get(f"/questions/{question.id}/edit").status_code == 302
    post_form(client, f"/questions/{question.id}/retire", {}, token_from=f"/questions/{question.id}")
    db.session.expire_all()
    assert question.retired_at is None


def test_managers_and_supervisors_cannot_reach_the_bank_pages(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/questions").status_code in (403, 404)
