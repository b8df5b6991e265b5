"""Dependency direction: the rules of quizzes and attempts import nothing from Flask or SQLAlchemy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LMS = Path(__file__).resolve().parents[2] / "lms"
PURE = ["quizzes/rules.py", "quizzes/question_types.py", "quizzes/specs.py", "attempts/rules.py"]


@pytest.mark.parametrize("module", PURE)
def test_rules_are_framework_free(module):
    tree = ast.parse((LMS / module).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    forbidden = {name for name in imported if name.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy")
                 or name in ("lms.extensions",) or name.endswith(".models")}
    assert not forbidden, f"{module} imports {forbidden}"
