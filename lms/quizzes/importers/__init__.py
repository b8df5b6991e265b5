"""Question-bank importers: Moodle GIFT, Aiken, Moodle XML, the .xlsx template and Word (.docx), each read into
QuestionSpecs.

Pure parsing (bytes in, an ImportResult or ValidationFailed naming file and line out); the quizzes services store.
"""

from __future__ import annotations

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.aiken import looks_like_aiken, parse_aiken
from lms.quizzes.importers.gift import parse_gift
from lms.quizzes.importers.moodle_xml import parse_moodle_xml
from lms.quizzes.importers.results import (
    MAX_QUESTIONS,
    MAX_SPREADSHEET_BYTES,
    MAX_TEXT_BYTES,
    ImportResult,
    Skipped,
    decode_text,
)
from lms.quizzes.importers.spreadsheet import parse_spreadsheet, xlsx_template
from lms.quizzes.importers.word import parse_docx
from lms.quizzes.importers.word_template import docx_template

__all__ = [
    "MAX_QUESTIONS",
    "MAX_SPREADSHEET_BYTES",
    "MAX_TEXT_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ImportResult",
    "Skipped",
    "docx_template",
    "parse_file",
    "xlsx_template",
]

SUPPORTED_EXTENSIONS = (".gift", ".txt", ".aiken", ".xml", ".xlsx", ".csv", ".docx")


def parse_file(data: bytes, filename: str) -> ImportResult:
    """Read a question file by its extension; a ``.txt`` with ``ANSWER: X`` lines is Aiken, otherwise GIFT.

    ``.csv`` is read as the spreadsheet template saved as CSV (UTF-8).
    """
    lower = filename.lower()
    if lower.endswith(".docx"):
        return parse_docx(data, filename)
    if lower.endswith((".doc", ".docm", ".wps")):
        raise ValidationFailed(f"{filename}：请在 Word 或 WPS 中另存为“Word 文档 (.docx)”后再导入")
    if lower.endswith((".xlsx", ".csv")):
        return parse_spreadsheet(data, filename)
    if lower.endswith(".xml"):
        return parse_moodle_xml(data, filename)
    if lower.endswith((".gift", ".txt", ".aiken")):
        text = decode_text(data, filename)
        if lower.endswith(".aiken") or (lower.endswith(".txt") and looks_like_aiken(text)):
            return parse_aiken(text, filename)
        return parse_gift(text, filename)
    raise ValidationFailed(
        f"{filename}：不支持的文件类型，请上传 GIFT（.gift/.txt）、Aiken（.txt/.aiken）、Moodle XML（.xml）、"
        "Excel（.xlsx）或 Word（.docx）题库文件"
    )
