"""A bank as the .xlsx template (``lms.quizzes.importers.spreadsheet``): one row per question under the template's
Chinese headers, so that importing the file gives the same questions, answers and points back.

What the template holds: type, stem, options A–F (G–J columns are added when a question has more), the answer
(letters; 对/错; accepted texts joined by |; numbers as ``value±tolerance`` joined by |), points, explanation,
tags, difficulty, lesson and name. What it cannot hold, and is left out: Moodle fractions (``weights``: the
question then scores all or nothing by the quiz's policy), feedback per answer, and the pictures themselves (a
picture stays a Markdown image of its address on this site, which shows wherever this site does).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from lms.quizzes.importers.spreadsheet import ALL_OPTION_LETTERS, COLUMNS, EXTRA_COLUMNS, OPTION_LETTERS
from lms.quizzes.specs import QuestionSpec

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_WORDS = {"single": "单选", "multiple": "多选", "truefalse": "判断", "fill": "填空", "numeric": "数值"}


def _number(value: float) -> str:
    return f"{value:.15g}"


def answer_text(spec: QuestionSpec) -> str:
    """The answer column as the template's reader reads it."""
    if spec.type in ("single", "multiple"):
        letters = [ALL_OPTION_LETTERS[i] for i in sorted(spec.correct)]
        return ("或" if spec.type == "single" else "").join(letters)  # a single choice's "B或C": either is right
    if spec.type == "truefalse":
        return "对" if spec.truth else "错"
    if spec.type == "numeric":
        return "|".join(f"{_number(v)}±{_number(t)}" if t else _number(v) for v, t in spec.numbers)
    return "|".join(spec.accepted)


def _row(spec: QuestionSpec, letters: str) -> dict[str, object]:
    row: dict[str, object] = {
        "type": TYPE_WORDS.get(spec.type, spec.type), "stem": spec.stem, "answer": answer_text(spec),
        "points": spec.points, "explanation": spec.explanation,
        "tags": ",".join(spec.tags),
        "difficulty": spec.difficulty, "lesson": spec.lesson or "", "name": spec.extra.get("title", ""),
    }
    for index, letter in enumerate(letters):
        row[f"option_{letter.lower()}"] = spec.options[index] if index < len(spec.options) else ""
    return row


def export(specs: list[QuestionSpec], *, title: str, media: Callable[[str], tuple[str, bytes] | None]) -> bytes:
    """The questions as the template's first sheet (the sheet the reader reads), the bank's title as its name."""
    del media  # the template has no place for a picture's bytes: its Markdown image (an address) stays in the text
    widest = max((len(s.options) for s in specs), default=0)
    extra = EXTRA_COLUMNS[: max(0, widest - len(OPTION_LETTERS))]
    columns = (*COLUMNS, *extra)
    letters = ALL_OPTION_LETTERS[: len(OPTION_LETTERS) + len(extra)]
    from openpyxl import Workbook  # here, not at the top: a worker that never exports does not hold openpyxl
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has its first sheet
    sheet.title = "题目"
    sheet.append([chinese for _, chinese, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for spec in specs:
        row = _row(spec, letters)
        sheet.append([row.get(name, "") for name, _, _ in columns])
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
