"""Quiz files: parsing with file:line problems, YAML guards, the default window, sync versions and retirement."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.core.sync import run_sync
from lms.extensions import db
from lms.quizzes.definitions import BankDefinition
from lms.quizzes.models import BankQuestion, Quiz, QuizVersion
from lms.quizzes.quiz_files import QuizFileError, parse_quiz_file
from lms.quizzes.rules import WindowPolicy
from tests.support.quiz_files import MONTHLY, PRACTICE, sync, write_quiz

POLICY = WindowPolicy()


def test_monthly_without_times_gets_the_default_window():
    text = MONTHLY.replace("opens: 2026-11-01T00:00\n", "").replace("closes: 2026-11-08T23:59\n", "")
    quiz = parse_quiz_file(text, "quizzes/m.yaml", POLICY)
    assert quiz.opens_at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 11-01 00:00 Asia/Shanghai
    assert quiz.closes_at == datetime(2026, 11, 8, 15, 59, 59, tzinfo=UTC)  # 11-08 23:59:59
    assert quiz.attempts_allowed == 1
    assert quiz.official
    assert quiz.review_policy == "after_close"


def test_contract_example_answers_in_every_spelling():
    quiz = parse_quiz_file(PRACTICE, "quizzes/p.yaml", POLICY)
    q1, q2, q3, q4 = quiz.sections[0].questions
    assert (q1.correct, q2.correct, q3.truth, q4.accepted) == ((0,), (0, 1, 3), True, ("B2B", "企业间电子商务"))
    assert quiz.time_limit_seconds == 600
    assert quiz.attempts_allowed is None


@pytest.mark.parametrize(("text", "expected"), [
    ("title: x\nkind: quiz\n", "quizzes/bad.yaml:1: kind must be one of"),
    ("title: x\nkind: monthly\nquestions: []\n", "quizzes/bad.yaml:1: a monthly test needs 'period: YYYY-MM'"),
    ("title: x\nkind: practice\nquestions:\n  - id: q1\n    type: single\n    stem: s\n    options: [a, b]\n"
     "    answer: C\n", "quizzes/bad.yaml:4: question q1: the answer must name existing options"),
    ("title: x\nkind: practice\nquestions:\n  - id: q1\n    type: essay\n    stem: s\n    answer: x\n",
     "quizzes/bad.yaml:4: question q1: unknown type 'essay'"),
    ("title: x\nkind: practice\nquestions:\n  - {id: q1, type: fill, stem: s, answer: a}\n"
     "  - {id: q1, type: fill, stem: t, answer: b}\n", "quizzes/bad.yaml:5: duplicate question id 'q1'"),
    ("title: [unclosed\n", "quizzes/bad.yaml:2: invalid YAML"),
    ("title: x\nkind: practice\nquestions:\n  - id: q1\n    type: single\n    stem: s\n    options: [a, b]\n"
     "    answer: A\n    answer: B\n",
     "quizzes/bad.yaml:9: invalid YAML: key 'answer' is written twice in one mapping (first on line 8)"),
    ("title: x\nkind: monthly\nperiod: 2026-11\nattempts_allowed: 3\nquestions:\n  - {type: fill, stem: s, "
     "answer: a}\n", "an official test allows exactly one attempt"),
])
def test_problems_name_file_and_line(text, expected):
    with pytest.raises(QuizFileError) as error:
        parse_quiz_file(text, "quizzes/bad.yaml", POLICY)
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_alias_bombs_and_huge_files_are_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    with pytest.raises(QuizFileError, match="too many YAML aliases"):
        parse_quiz_file(bomb, "quizzes/bomb.yaml", POLICY)
    with pytest.raises(QuizFileError, match="larger than"):
        parse_quiz_file("title: x\n" + "#" * (1024 * 1024 + 1), "quizzes/big.yaml", POLICY)


def test_python_tags_are_not_executed():
    with pytest.raises(QuizFileError, match="invalid YAML"):
        parse_quiz_file("title: !!python/object/apply:os.system [echo hi]\n", "quizzes/evil.yaml", POLICY)


def test_a_bank_file():
    bank = parse_quiz_file("title: 宽带题库\nkind: bank\nquestions:\n  - {id: b1, type: truefalse, stem: s, "
                           "answer: 对, tags: [宽带], difficulty: 2, category: 政策, lesson: broadband}\n",
                           "quizzes/banks/broadband.yaml", POLICY)
    assert isinstance(bank, BankDefinition)
    assert bank.questions[0].tags == ("category:政策", "宽带")
    assert bank.questions[0].lesson == "broadband"


def test_a_changed_file_becomes_a_new_version_and_a_removed_one_is_retired(app):
    path = write_quiz(app, "practice-basics", PRACTICE)
    first = sync(app)
    assert first.reports[-1].added == ["practice-basics"]
    assert sync(app).reports[-1].unchanged == ["practice-basics"]
    path.write_text(PRACTICE.replace("points: 5", "points: 10"), encoding="utf-8")
    assert sync(app).reports[-1].changed == ["practice-basics"]
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "practice-basics"))
    versions = db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                                  .order_by(QuizVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert quiz.current_version_id == versions[1].id
    assert versions[0].definition["sections"][0]["questions"][0]["points"] == 5  # the old version is untouched
    path.unlink()
    assert sync(app).reports[-1].retired == ["practice-basics"]
    assert db.session.get(Quiz, quiz.id).retired_at is not None


def test_sync_refuses_a_broken_folder_and_changes_nothing(app, runner):
    write_quiz(app, "good", PRACTICE)
    write_quiz(app, "broken", "title: x\nkind: practice\nquestions:\n  - {type: single, stem: s, answer: A}\n")
    result = runner.invoke(args=["sync"])
    assert result.exit_code != 0
    assert "quizzes/broken.yaml:4" in result.output
    assert db.session.scalar(select(Quiz)) is None


def test_draw_rules_need_a_bank_with_enough_questions(app):
    write_quiz(app, "drawn", "title: d\nkind: practice\ndraw:\n  - {bank: nope, count: 2}\n")
    result = run_sync(dict(app.config))
    assert any("drawn.yaml:4: no question bank 'nope'" in p for p in result.problems)
    write_quiz(app, "nope", "title: b\nkind: bank\nquestions:\n  - {id: b1, type: fill, stem: s, answer: x}\n",
               folder="banks")
    result = run_sync(dict(app.config))
    assert any("bank 'nope' has 1 matching questions, 2 needed" in p for p in result.problems)


def test_bank_files_are_stored_with_tags_and_difficulty(app):
    write_quiz(app, "pool", "title: 池\nkind: bank\nquestions:\n  - {id: b1, type: fill, stem: s, answer: x, "
                            "tags: [宽带], difficulty: 4, category: 政策}\n", folder="banks")
    sync(app)
    row = db.session.scalar(select(BankQuestion))
    assert (row.key, row.tags, row.difficulty, row.category) == ("b1", ["category:政策", "宽带"], 4, "政策")


@pytest.mark.parametrize(("makeup", "expected"), [
    ("makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59, audience: everyone}\n",
     "makeup.audience must be one of failed_or_absent, failed, absent, chosen"),
    ("makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59, audience: chosen}\n",
     "a make-up window for chosen people needs makeup.people"),
    ("makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59, people: [M1001]}\n",
     "makeup.people is only for audience: chosen"),
    ("makeup: {opens: 2026-11-05T00:00, closes: 2026-11-12T23:59}\n",
     "the make-up window starts after the test closes"),
])
def test_a_make_up_window_s_problems_name_the_line(makeup, expected):
    with pytest.raises(QuizFileError) as error:
        parse_quiz_file(MONTHLY + makeup, "quizzes/bad.yaml", POLICY)
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_a_make_up_window_for_chosen_people_and_a_default_one_keeps_the_old_checksum():
    chosen = parse_quiz_file(MONTHLY + "makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59, audience: chosen,"
                             " people: [M1001, M1002, M1001]}\n", "quizzes/m.yaml", POLICY)
    assert (chosen.makeup_audience, chosen.makeup_people) == ("chosen", ("M1001", "M1002"))
    default = parse_quiz_file(MONTHLY + "makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59}\n",
                              "quizzes/m.yaml", POLICY)
    assert default.makeup_audience == "failed_or_absent"
    # Files written before audiences existed get no new version: the checksum is the one the old fields give.
    old_fields = {k: v for k, v in default.to_json().items()
                  if k not in ("source_path", "makeup_audience", "makeup_people")}
    for section in old_fields["sections"]:
        for question in section["questions"]:
            question.pop("source", None)
    assert default.checksum() == hashlib.sha256(
        json.dumps(old_fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert default.checksum() != chosen.checksum()
