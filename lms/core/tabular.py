"""Reading spreadsheets people upload (.xlsx and .csv) safely, for every importer.

Limits are checked before parsing: a workbook is a zip, and a small zip can expand to gigabytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from lms.core.errors import ValidationFailed

MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 200


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (1-based row number in the file, cells)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800000000 as a float
    return str(value)


def check_xlsx_container(data: bytes, filename: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationFailed(f"{filename}：不是有效的 Excel (.xlsx) 文件，可能已损坏") from exc
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20:
            raise ValidationFailed(f"{filename}：压缩比异常（{info.filename}），已拒绝")
    if total > MAX_UNCOMPRESSED:
        raise ValidationFailed(f"{filename}：解压后超过 {MAX_UNCOMPRESSED // (1 << 20)} MB，已拒绝")


def read_table(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> Table:
    """The first sheet (or the CSV) as text cells; raise ValidationFailed with a message, never a traceback."""
    if len(data) > max_bytes:
        raise ValidationFailed(f"{filename}：文件大小超过上限 {max_bytes // 1024} KB")
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        lines = _xlsx_lines(data, filename, max_rows)
    elif lower.endswith(".csv"):
        lines = _csv_lines(data, filename, max_rows)
    else:
        raise ValidationFailed(f"{filename}：只支持 .xlsx 或 .csv 文件")
    try:
        header = next(lines)[1]
    except StopIteration:
        raise ValidationFailed(f"{filename}：文件为空") from None
    return Table(header=header, rows=list(lines))


def _limit(lines: Iterator[tuple[int, list[str]]], filename: str, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    for number, cells in lines:
        if number > max_rows + 1:
            raise ValidationFailed(f"{filename}：超过 {max_rows} 行的上限")
        yield number, cells


def _csv_lines(data: bytes, filename: str, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text_line(data, exc.start)
        raise ValidationFailed(f"{filename}：CSV 必须是 UTF-8 编码（第{line}行附近无法解码）") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _limit(((reader.line_num, row) for row in reader), filename, max_rows)
    except csv.Error as exc:
        raise ValidationFailed(f"{filename}：第{reader.line_num}行 CSV 格式错误：{exc}") from exc


def text_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _xlsx_lines(data: bytes, filename: str, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    check_xlsx_container(data, filename)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook; all mean the same to a user
        raise ValidationFailed(f"{filename}：无法读取 Excel 文件（{type(exc).__name__}），请确认文件未损坏") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = ((n, [_cell_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), 1))
        yield from _limit(rows, filename, max_rows)
    finally:
        workbook.close()


def map_header(cells: Sequence[str], aliases: Mapping[str, str], required: Sequence[str]
               ) -> tuple[dict[str, int], list[str]]:
    """Column positions by canonical name (``aliases``: each accepted label, Chinese or English in any case, → its
    name), and every problem with the header row: an unknown column, a column given twice, a required one missing."""
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(cells):
        label = (cell or "").strip().lstrip("\ufeff")
        if not label:
            continue
        key = aliases.get(label) or aliases.get(label.lower())
        if key is None:
            problems.append(f"第1行（表头）：未知列“{label}”")
        elif key in positions:
            problems.append(f"第1行（表头）：列“{label}”重复")
        else:
            positions[key] = index
    for column in required:
        if column not in positions:
            problems.append(f"第1行（表头）：缺少必需列“{column}”")
    return positions, problems
