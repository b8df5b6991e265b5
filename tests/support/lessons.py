"""Lesson files for tests: Markdown with front matter, written into the test's content folder for the sync to read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask


def lesson_text(title: str = "测试课程", category: str = "policy-handset", body: str = "## 第一节\n\n正文。\n",
                **extra: object) -> str:
    lines = ["---", f"title: {title}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", "", body])


@pytest.fixture
def content_dir(app: Flask) -> Path:
    return Path(app.config["LMS_CONTENT_DIR"])


@pytest.fixture
def write_lesson(content_dir: Path) -> Callable[..., Path]:
    """``write_lesson("policy/a.md", title=..., body=...)`` or ``write_lesson("a.md", text="raw")``."""

    def write(relative: str, text: str | None = None, **fields: object) -> Path:
        path = content_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else lesson_text(**fields), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return write
