"""``flask questions import FILE --bank SLUG [--strict] [--dry-run]`` and the trainers' upload page: as Moodle does,
the good questions import and every skipped or refused one is named with its line; ``--strict`` is all or nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
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


def spreadsheet(tmp_path, rows):
    from openpyxl import Workbook

    from lms.quizzes.importers.spreadsheet import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([chinese for _, chinese, _ in COLUMNS])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "bank.xlsx"
    workbook.save(path)
    return path


GOOD_AND_BAD = [["判断", "合格线是80分。", "", "", "", "", "", "", "对"],
                ["单选", "没有答案的单选", "甲", "乙", "", "", "", "", ""],
                ["填空", "处罚___元", "", "", "", "", "", "", "200"]]


def test_the_good_questions_import_and_the_refused_one_is_named_with_its_row(runner, tmp_path):
    path = spreadsheet(tmp_path, GOOD_AND_BAD)
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "policy"])
    assert result.exit_code == 0, result.output
    assert "refused line 3: 没有答案的单选: 没有填写答案" in result.output
    assert "imported 2 new, 0 updated, 0 unchanged into bank policy; 0 skipped, 1 refused" in result.output
    assert bank_size("policy") == 2
    again = runner.invoke(args=["questions", "import", str(path), "--bank", "policy"])
    assert "imported 0 new, 0 updated, 2 unchanged" in again.output


def test_strict_writes_nothing_when_one_question_is_refused(runner, tmp_path):
    path = spreadsheet(tmp_path, GOOD_AND_BAD)
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "policy", "--strict"])
    assert result.exit_code == 1
    assert "refused line 3" in result.output
    assert "--strict: nothing imported, 1 refused" in result.output
    assert db.session.scalar(select(QuestionBank)) is None
    checked = runner.invoke(args=["questions", "import", str(path), "--bank", "policy", "--strict", "--dry-run"])
    assert checked.exit_code == 1
    good = spreadsheet(tmp_path, [GOOD_AND_BAD[0], GOOD_AND_BAD[2]])
    result = runner.invoke(args=["questions", "import", str(good), "--bank", "policy", "--strict"])
    assert result.exit_code == 0, result.output
    assert bank_size("policy") == 2


UNREADABLE = [b"\xff\xfe\x00\x81 not text at all \x9d", "这不是题目文件，里面没有一道题。\n".encode()]


@pytest.mark.parametrize("content", UNREADABLE, ids=["not-text", "no-question"])
def test_a_file_the_reader_cannot_read_imports_nothing(runner, tmp_path, content):
    """Beside the refused questions of a readable file: a file with nothing to read fails as a whole, named."""
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "policy"])
    assert result.exit_code != 0, result.output
    assert "broken.txt" in result.output
    assert db.session.scalar(select(QuestionBank)) is None


def test_trainer_uploads_a_file_previews_it_and_confirms(client, auth, make_user):
    auth.login(make_user("trainer"))
    template = client.get("/quizzes/banks/template.xlsx")
    assert template.status_code == 200
    assert template.data[:2] == b"PK"
    response = post_form(client, "/quizzes/banks", {"bank": "policy", "title": "政策题库",
                                                     "file": (io.BytesIO(AIKEN.encode()), "policy.txt")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "星级渠道最高为几星" in page
    assert "新增 2 道" in page
    assert bank_size("policy") == 0  # nothing until confirmed
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    preview = response.request.path
    done = post_form(client, preview, {"digest": digest, "action": "confirm"}, follow_redirects=True)
    assert "已导入：新增 2 道" in done.get_data(as_text=True)
    assert bank_size("policy") == 2
    again = post_form(client, preview, {"digest": digest, "action": "confirm"}, follow_redirects=True)
    assert "已经导入或已取消" in again.get_data(as_text=True)


def test_a_manager_cannot_reach_the_banks(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/quizzes/banks").status_code == 403
