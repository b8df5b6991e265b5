"""Question-bank importers: Moodle GIFT, Aiken and the .xlsx template, each read into QuestionSpecs.

Pure parsing (bytes in, an ImportResult or ValidationFailed naming file and line out); the quizzes services store.
"""

from __future__ import annotations

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.aiken import looks_like_aiken, parse_aiken
from lms.quizzes.importers.gift import parse_gift
from lms.quizzes.importers.results import (
    MAX_QUESTIONS,
    MAX_SPREADSHEET_BYTES,
    MAX_TEXT_BYTES,
    ImportResult,
    Skipped,
    decode_text,
)
from lms.quizzes.importers.spreadsheet import parse_spreadsheet, xlsx_template

__all__ = [
    "MAX_QUESTIONS",
    "MAX_SPREADSHEET_BYTES",
    "MAX_TEXT_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ImportResult",
    "Skipped",
    "parse_file",
    "xlsx_template",
]

SUPPORTED_EXTENSIONS = (".gift", ".txt", ".aiken", ".xlsx", ".csv")


def parse_file(data: bytes, filename: str) -> ImportResult:
    """Read a question file by its extension; a ``.txt`` with ``ANSWER: X`` lines is Aiken, otherwise GIFT.

    ``.csv`` is read as the spreadsheet template saved as CSV (UTF-8).
    """
    lower = filename.lower()
    if lower.endswith((".xlsx", ".csv")):
        return parse_spreadsheet(data, filename)
    if lower.endswith((".gift", ".txt", ".aiken")):
        text = decode_text(data, filename)
        if lower.endswith(".aiken") or (lower.endswith(".txt") and looks_like_aiken(text)):
            return parse_aiken(text, filename)
        return parse_gift(text, filename)
    raise ValidationFailed(
        f"{filename}：不支持的文件类型，请上传 GIFT（.gift/.txt）、Aiken（.txt/.aiken）或 Excel（.xlsx）题库文件"
    )
