"""Dependency direction: every domain's rules (and the other pure modules) import nothing from Flask, SQLAlchemy,
the extensions or another module that does — views → services → rules, never back. Found from the tree, so a new
domain's rules.py is covered the day it is added."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LMS = Path(__file__).resolve().parents[2] / "lms"
# Pure modules that are not called rules.py: the quiz format's parts, the password policy, the lesson loader.
ALSO_PURE = ["attempts/key_corrections.py", "quizzes/question_types.py", "quizzes/specs.py", "quizzes/definitions.py",
             "quizzes/quiz_files.py", "quizzes/quiz_file_questions.py", "quizzes/importers/gift.py",
             "quizzes/importers/gift_lexer.py", "quizzes/importers/gift_answers.py", "quizzes/importers/word.py",
             "quizzes/importers/word_document.py", "quizzes/importers/word_template.py", "accounts/passwords.py",
             "courses/loader.py", "courses/pack_rules.py", "quizzes/builder.py", "core/yaml_files.py",
             "assessment/appeal_rules.py", "quizzes/importers/text_formats.py", "quizzes/types/base.py",
             "quizzes/types/choice.py", "quizzes/types/truefalse.py", "quizzes/types/fill.py",
             "quizzes/types/numeric.py", "quizzes/types/numbers.py",
             "quizzes/importers/moodle_xml.py", "quizzes/exporters/moodle_xml.py",
             "quizzes/importers/aiken.py", "quizzes/exporters/gift.py",
             "quizzes/import_plan.py", "quizzes/exporters/spreadsheet.py", "field/checkin_rules.py",
             "field/visit_rules.py",
             "field/shop_rules.py",
             "field/indicator_rules.py", "outreach/coverage_rules.py", "outreach/session_rules.py",
             "outreach/contact_rules.py", "outreach/reminder_rules.py", "outreach/report_rules.py",
             "outreach/media_rules.py"]
PURE = sorted({str(path.relative_to(LMS)) for path in LMS.glob("*/rules.py")} | set(ALSO_PURE))
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "werkzeug")
IMPURE_PARTS = ("models", "services", "views", "queries", "api", "cli", "setup", "extensions")


def imported_names(module: str) -> set[str]:
    tree = ast.parse((LMS / module).read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from lms.x import services`
    return names


def test_every_domains_rules_are_covered():
    assert len([m for m in PURE if m.endswith("/rules.py")]) >= 9
    assert all((LMS / module).exists() for module in ALSO_PURE)


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_framework_and_nothing_that_writes(module):
    forbidden = sorted(name for name in imported_names(module)
                       if name.split(".")[0] in FRAMEWORKS
                       or (name.startswith("lms.") and set(name.split(".")[1:]) & set(IMPURE_PARTS)))
    assert forbidden == [], f"{module} imports {forbidden}"
