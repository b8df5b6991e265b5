from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.attempts.quiz_files import sync, write_quiz


@pytest.fixture
def make_quiz(app: Flask) -> Callable[..., Any]:
    """``make_quiz("slug", yaml_text)`` writes the file and runs the sync; returns the Quiz."""
    from lms.quizzes.services import get_quiz

    def make(slug: str, text: str) -> Any:
        write_quiz(app, slug, text)
        sync(app)
        return get_quiz(slug)

    return make
