"""The Word template trainers download from the bank page imports cleanly; managers cannot reach it."""

from __future__ import annotations

import re

from lms.quizzes.importers import parse_file
from lms.quizzes.rules import validate_spec

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_trainer_downloads_a_word_template_that_imports_every_example_with_no_problem(client, auth, make_user):
    auth.login(make_user("trainer"))
    page = client.get("/quizzes/banks").get_data(as_text=True)
    assert 'href="/quizzes/banks/template.docx"' in page
    assert re.search(r'accept="[^"]*\.docx', page)
    response = client.get("/quizzes/banks/template.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert "question-bank-template.docx" in response.headers["Content-Disposition"]
    result = parse_file(response.data, "question-bank-template.docx")
    assert (result.refused, result.skipped) == ([], [])
    assert sorted({q.type for q in result.questions}) == ["fill", "multiple", "numeric", "single", "truefalse"]
    assert all(q.explanation and q.tags and q.difficulty for q in result.questions)
    pictured = [q for q in result.questions if "](import-media/" in q.stem]
    assert len(pictured) == 1
    assert list(result.files) == [pictured[0].stem.rsplit("import-media/", 1)[1].rstrip(")")]
    assert all(validate_spec(q) == [] for q in result.questions if q.type != "numeric")


def test_a_manager_cannot_download_the_word_template(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/quizzes/banks/template.docx").status_code == 403
