"""``flask questions import FILE --bank SLUG`` and the trainers' upload page: all or nothing, skips named."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes.models import BankQuestion, QuestionBank
from tests.support.web import post_form

GIFT_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "gift" / "moodle-examples.gift.txt"

AIKEN = """渠道经理每月统一培训应在几号前完成？
A. 5号
B. 8号
C. 15号
ANSWER: B

星级渠道最高为几星？
A. 3星
B. 5星
ANSWER: B
"""


def bank_size(slug: str) -> int:
    return db.session.scalar(select(func.count(BankQuestion.id)).join(QuestionBank)
                             .where(QuestionBank.slug == slug)) or 0


def test_the_real_moodle_gift_file_imports_and_names_each_skipped_question(runner):
    result = runner.invoke(args=["questions", "import", str(GIFT_FIXTURE), "--bank", "moodle"])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    skipped_lines = [line for line in result.output.splitlines() if line.startswith("skipped")]
    assert skipped_lines, "the Moodle examples contain matching questions, which cannot be represented"
    assert all(": " in line for line in skipped_lines)
    imported = bank_size("moodle")
    assert imported > 0
    again = runner.invoke(args=["questions", "import", str(GIFT_FIXTURE), "--bank", "moodle"])
    assert "0 new" in again.output
    assert bank_size("moodle") == imported


def test_aiken_import_and_dry_run(runner, tmp_path):
    path = tmp_path / "policy.txt"
    path.write_text(AIKEN, encoding="utf-8")
    dry = runner.invoke(args=["questions", "import", str(path), "--bank", "policy", "--dry-run"])
    assert dry.exit_code == 0
    assert "would import 2 new" in dry.output
    assert bank_size("policy") == 0
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "policy"])
    assert "imported 2 new" in result.output
    assert bank_size("policy") == 2


def test_a_malformed_file_imports_nothing(runner, tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(AIKEN + "\n没有答案的题目？\nA. 是\nB. 否\n", encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "policy"])
    assert result.exit_code != 0
    assert "broken.txt" in result.output
    assert db.session.scalar(select(QuestionBank)) is None


def test_trainer_uploads_a_file_and_downloads_the_template(client, auth, make_user):
    auth.login(make_user("trainer"))
    template = client.get("/quizzes/banks/template.xlsx")
    assert template.status_code == 200
    assert template.data[:2] == b"PK"
    response = post_form(client, "/quizzes/banks", {"bank": "policy", "title": "政策题库",
                                                     "file": (io.BytesIO(AIKEN.encode()), "policy.txt")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "星级渠道最高为几星" in response.get_data(as_text=True)
    assert bank_size("policy") == 2


def test_a_manager_cannot_reach_the_banks(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/quizzes/banks").status_code == 403
