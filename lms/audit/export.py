"""The filtered audit log as a file: xlsx (Chinese headers) or CSV (UTF-8 with BOM so Excel opens it)."""

from __future__ import annotations

import csv
import io
from typing import Any

from lms.assessment.export import spreadsheet_cell
from lms.audit.queries import EXPORT_HEADERS

FORMATS = ("xlsx", "csv")
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
WIDTHS = [8, 20, 12, 12, 16, 16, 24, 12, 12, 24, 60, 40]


def file_of(rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(EXPORT_HEADERS)
        writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "审计日志"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_cell(v) for v in row])
    for index, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
