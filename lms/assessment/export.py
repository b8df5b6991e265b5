"""The period's results and ledger as files for payroll and the wider assessment: xlsx (Chinese headers, two
sheets), CSV (UTF-8 with BOM so Excel opens it; the two tables one after the other) and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from lms.accounts.models import User
from lms.assessment import queries, rules
from lms.assessment.models import Appeal
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import to_local
from lms.core.errors import ValidationFailed

FORMATS = ("xlsx", "csv", "json")
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
RESULT_HEADERS = ["工号", "姓名", "县区", "网格", "考核结果", "考试成绩", "扣分", "其他指标", "统一得分",
                  "排名", "组内人数", "黄牌/奖励", "备注"]
LEDGER_HEADERS = ["记录编号", "工号", "姓名", "县区", "考核期", "类型", "类型说明", "金额（元）", "分数", "事由",
                  "规则", "规则版本", "记录时间", "记录人", "冲销记录编号", "已被冲销", "申诉"]
BAND_LABELS = {rules.TOP: "奖励", rules.BOTTOM: "黄牌警告"}


def spreadsheet_cell(value: Any) -> Any:
    """A value as a spreadsheet cell: text that Excel or WPS would read as a formula (= + - @, or a tab or carriage
    return before one) is kept as text with a leading apostrophe. Numbers stay numbers (−200 yuan is data)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def result_rows(period: str, viewer: User | None) -> list[list[Any]]:
    return [[r.employee_no, r.name, r.county or "", r.grid or "", r.status_label, r.score, r.deductions or None,
             r.indicators or None, r.unified_score, r.position, r.group_size, BAND_LABELS.get(r.band or "", ""),
             r.note] for r in queries.period_results(period, viewer)]


def ledger_rows(period: str, viewer: User | None) -> list[list[Any]]:
    view = queries.ledger(viewer, period=period)
    return [[e.id, e.user.employee_no, e.user.name, e.user.county.name if e.user.county else "", e.period, e.kind,
             e.kind_label, e.amount_yuan, e.points, e.reason, e.rule, e.rule_version,
             to_local(e.created_at).strftime("%Y-%m-%d %H:%M"), e.created_by.employee_no if e.created_by else "系统",
             e.reverses_id, "是" if view.is_reversed(e) else "", _appeal_cell(view.appeals.get(e.id))]
            for e in view.entries]


def _appeal_cell(appeal: Appeal | None) -> str:
    """The entry's appeal for payroll: its state, when opened and, once decided, when (local time)."""
    if appeal is None:
        return ""
    text = f"{appeal.state_label}（{to_local(appeal.opened_at).strftime('%Y-%m-%d')} 提出"
    if appeal.decided_at is not None:
        text += f"，{to_local(appeal.decided_at).strftime('%Y-%m-%d')} 决定"
    return text + "）"


def export_period(period: str, fmt: str, viewer: User | None) -> bytes:
    """The period's results and ledger as ``viewer`` may see them (all of them for a server command), as a file;
    the download is recorded in the audit log (who, which period, format, how many rows)."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"不支持的格式“{fmt}”，可选 xlsx、csv、json")
    if fmt == "json":
        view = queries.ledger(viewer, period=period)
        results = queries.period_results(period, viewer)
        document = {"period": period,
                    "results": [r.as_api() for r in results],
                    "ledger": [queries.entry_as_api(e, view) for e in view.entries]}
        body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        _record(period, fmt, len(results) + len(view.entries), viewer)
        return body
    results, entries = result_rows(period, viewer), ledger_rows(period, viewer)
    body = _file(period, fmt, results, entries)
    _record(period, fmt, len(results) + len(entries), viewer)
    return body


def _record(period: str, fmt: str, rows: int, viewer: User | None) -> None:
    audit.record_export(audit_rules.EXPORT_ASSESSMENT_PERIOD, filename=f"assessment-{period}.{fmt}", fmt=fmt,
                        rows=rows, period=period, actor=viewer)


def _file(period: str, fmt: str, results: list[list[Any]], entries: list[list[Any]]) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(RESULT_HEADERS)
        writer.writerows([spreadsheet_cell(v) for v in row] for row in results)
        writer.writerow([])
        writer.writerow(LEDGER_HEADERS)
        writer.writerows([spreadsheet_cell(v) for v in row] for row in entries)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheets = [(workbook.active, f"{period} 考核结果", RESULT_HEADERS, results),
              (workbook.create_sheet(), f"{period} 考核台账", LEDGER_HEADERS, entries)]
    for sheet, title, headers, rows in sheets:
        sheet.title = title
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([spreadsheet_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
