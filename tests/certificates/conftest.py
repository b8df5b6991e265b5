"""Factories for certificate tests: passed attempts on real quiz rows, and certificates issued for them."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lms.attempts.models import Attempt
from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.support.attempts import graded_attempt
from tests.support.quizzes import add_quiz

FINISHED = datetime(2026, 11, 5, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai, inside the November window
_slugs = itertools.count(1)


@pytest.fixture(scope="session")
def certificate_font_dir() -> Path:
    """Where ``make run`` keeps the compact fonts too: they are built once per machine (about 10 s), not per run.

    Sharing is safe: a font's file name carries a key of the installed source font it was derived from.
    """
    return Path(__file__).resolve().parents[2] / "instance" / "certificates" / "fonts"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path, certificate_font_dir: Path) -> dict[str, Any]:
    return {**app_config, "LMS_CERT_CACHE_DIR": str(tmp_path / "certificates"),
            "LMS_CERT_FONT_DIR": str(certificate_font_dir), "LMS_COMPANY_NAME": "中国电信示例市分公司",
            "LMS_BASE_URL": "https://lms.example.cn"}


@pytest.fixture
def make_attempt(app: Any) -> Callable[..., Attempt]:
    """``make_attempt(user, score=92)``: a finished, graded attempt on a new quiz (monthly by default)."""

    def make(user: Any, *, score: float = 92.0, kind: str = "monthly", period: str | None = "2026-11",
             issues_certificate: bool = False, status: str = "submitted", title: str | None = None,
             finished_at: datetime = FINISHED) -> Attempt:
        number = next(_slugs)
        quiz = add_quiz(Quiz(slug=f"quiz-{number}", kind=kind, title=title or f"{period or '练习'} 渠道政策月考",
                             period=period if kind == "monthly" else None),
                        checksum="c" * 64, issues_certificate=issues_certificate)
        attempt = graded_attempt(user, quiz, score=score, finished_at=finished_at, official=kind == "monthly",
                                 status=status)
        db.session.add(attempt)
        db.session.commit()
        return attempt

    return make


@pytest.fixture
def make_certificate(app: Any, make_attempt: Callable[..., Attempt]) -> Callable[..., Any]:
    from lms.certificates import services

    def make(user: Any, **attempt_options: Any) -> Any:
        attempt = make_attempt(user, **attempt_options)
        certificate = services.issue_for_attempt(attempt, now=attempt.finished_at)
        assert certificate is not None
        return certificate

    return make


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607
                          check=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """pdffonts rows: [name, type…, emb, sub, uni, object, generation] split on whitespace."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    return [line.split() for line in output.splitlines()[2:] if line.strip()]

