"""Every table of the report pages as an xlsx workbook (one sheet per table, Chinese headers), built from the same
scoped query results the page shows, so an export never holds a row the page would not."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.core.clock import to_local
from lms.reports import rules
from lms.reports.queries.analytics import QuizAnalysis, QuizRow
from lms.reports.queries.common import PersonRef
from lms.reports.queries.ledger import EntryRow
from lms.reports.queries.period_report import BandRow, PeriodReport
from lms.reports.queries.person_report import PersonReport
from lms.reports.queries.risk import RiskRow
from lms.reports.queries.suggestions import MissedLesson, Suggestions
from lms.reports.queries.supervisor_board import SupervisorBoard

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAND_LABELS = {"top": "奖励", "bottom": "黄牌警告"}
PENALTY_LABELS = {"standing": "已记录", "reversed": "已冲销", "": ""}


@dataclass(frozen=True)
class Sheet:
    title: str  # ≤ 31 characters, Excel's limit
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a name or a reason become a spreadsheet formula
    return value


def workbook(sheets: Sequence[Sheet]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:31])
        page.append(list(sheet.headers))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append([_cell(v) for v in row])
        for index, header in enumerate(sheet.headers, 1):
            letter = openpyxl.utils.get_column_letter(index)
            page.column_dimensions[letter].width = max(10, min(40, len(str(header)) * 2 + 4))
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


PERSON_HEADERS = ["工号", "姓名", "县区", "网格"]


def _person(ref: PersonRef) -> list[Any]:
    return [ref.employee_no, ref.name, ref.county or "", ref.grid or ""]


def _tally(tally: rules.Tally) -> list[Any]:
    return [tally.total, tally.assessed, tally.passed, tally.failed, tally.absent, tally.excused,
            percent(tally.pass_rate), tally.average]


TALLY_HEADERS = ["人数", "参评人数", "及格", "不及格", "缺考", "免考/作废", "合格率（%）", "平均分"]


def _entries(entries: Sequence[EntryRow]) -> list[list[Any]]:
    return [[e.id, *_person(e.person), e.period, e.kind_label, e.amount_yuan, e.points, e.reason, e.created_at,
             e.created_by or "系统", e.reverses_id, e.reversed_by] for e in entries]


ENTRY_HEADERS = ["记录编号", *PERSON_HEADERS, "考核期", "类型", "金额（元）", "分数", "事由", "记录时间", "记录人",
                 "冲销的记录", "被冲销记录"]


def _risk(rows: Sequence[RiskRow]) -> list[list[Any]]:
    return [[*_person(r.person), r.period, r.status_label, r.score, r.previous_period, r.previous_status_label,
             r.previous_score, r.run or None, PENALTY_LABELS.get(r.penalty, r.penalty)] for r in rows]


RISK_HEADERS = [*PERSON_HEADERS, "考核期", "结果", "成绩", "上一次考核期", "上一次结果", "上一次成绩", "连续不及格次数",
                "罚款记录"]


def supervisor_sheets(board: SupervisorBoard, *, now: datetime) -> list[Sheet]:
    current = board.current
    states = [[rules.STATE_LABELS[state], current.counts.get(state, 0)] for state in rules.STATE_LABELS
              if state in current.counts]
    return [
        Sheet(f"{current.period} 考试情况", ["状态", "人数"], states),
        Sheet("连续不及格", RISK_HEADERS, _risk(board.risks.penalty_due)),
        Sheet("上期不及格", RISK_HEADERS, _risk(board.risks.at_risk)),
        Sheet("尚未参加", [*PERSON_HEADERS, "剩余天数"],
              [[*_person(r.person), r.days_left] for r in board.not_sat]),
        Sheet("系统操作扣分", ENTRY_HEADERS, _entries(board.deductions)),
    ]


def period_sheets(report: PeriodReport, *, ranking: Sequence[BandRow],
                  ledger: Sequence[EntryRow]) -> list[Sheet]:
    return [
        Sheet("总体", ["考核期", *TALLY_HEADERS], [[report.period, *_tally(report.total)]]),
        Sheet("按县区", ["县区", *TALLY_HEADERS], [[u.name, *_tally(u.tally)] for u in report.counties]),
        Sheet("按网格", ["县区", "网格", *TALLY_HEADERS],
              [[u.county or "", u.name, *_tally(u.tally)] for u in report.grids]),
        Sheet("成绩分布", ["分数段", "人数"], [[b.label, b.count] for b in report.bins]),
        Sheet("近12个月趋势", ["考核期", *TALLY_HEADERS], [[p, *_tally(t)] for p, t in report.trend]),
        Sheet("排名", [*PERSON_HEADERS, "名次", "组内人数", "统一得分", "考试成绩", "黄牌/奖励"],
              [[*_person(r.person), r.position, r.group_size, r.unified_score, r.test_score,
                BAND_LABELS.get(r.band, "")] for r in ranking]),
        Sheet("台账汇总", ["类型", "条数", "其中已冲销", "金额合计（元）", "分数合计"],
              [[r.kind_label, r.count, r.reversed, r.amount_yuan, r.points] for r in report.ledger_summary]),
        Sheet("台账", ENTRY_HEADERS, _entries(ledger)),
    ]


def person_sheets(report: PersonReport, ledger: Any) -> list[Sheet]:
    person = report.person
    return [
        Sheet("基本信息", ["工号", "姓名", "县区", "网格"],
              [[person.employee_no, person.name, report.county or "", report.grid or ""]]),
        Sheet("考核结果", ["考核期", "结果", "成绩", "名次", "组内人数", "黄牌/奖励", "备注"],
              [[o.period, o.status_label, o.score, o.position, o.group_size, BAND_LABELS.get(o.band or "", ""),
                o.note] for o in report.outcomes]),
        Sheet("答卷", ["答卷编号", "考试", "考核期", "第几次", "状态", "开始", "截止", "交卷", "交卷方式",
                       "用时（分钟）", "成绩", "及格", "自动保存次数", "切屏次数", "断网次数"],
              [[a.id, a.quiz_title, a.period, a.number, a.status, a.started_at, a.deadline_at, a.finished_at,
                a.finish_reason, a.minutes, a.score, {True: "是", False: "否"}.get(a.passed, ""), a.saves,
                a.tab_switches, a.offline] for a in report.attempts]),
        Sheet("答卷记录", ["答卷编号", "时间", "事件", "详情"],
              [[a.id, at, kind, str(detail or "")] for a in report.attempts for at, kind, detail in a.events]),
        Sheet("台账", ["记录编号", "考核期", "类型", "金额（元）", "分数", "事由", "记录时间", "冲销的记录",
                       "被冲销记录"],
              [[e.id, e.period, e.kind_label, e.amount_yuan, e.points, e.reason, e.created_at, e.reverses_id,
                ledger.reversed_by[e.id].id if ledger.is_reversed(e) else None] for e in ledger.entries]),
        Sheet("证书", ["证书编号", "考试", "考核期", "成绩", "颁发时间", "撤销时间"],
              [[c["code"], c["quiz_title"], c["period"], c["score"], c["issued_at"], c["revoked_at"]]
               for c in report.certificates]),
        Sheet("培训出勤", ["培训", "方式", "时间", "地点", "出勤", "已取消"],
              [[t["title"], t["mode_label"], t["starts_at"], t["place"], t["attendance_label"],
                "是" if t["cancelled_at"] else ""] for t in report.training]),
        Sheet("课程学习", ["课程", "分类", "打开次数", "首次打开", "最近打开", "标记已学"],
              [[lesson["title"], lesson["category"], lesson["visits"], lesson["first_opened_at"],
                lesson["last_opened_at"], lesson["studied_at"]] for lesson in report.lessons]),
    ]


def quiz_overview_sheets(rows: Sequence[QuizRow]) -> list[Sheet]:
    return [Sheet("考试概览", ["考试", "标识", "类型", "考核期", "交卷数", "及格数", "及格率（%）", "平均分"],
                  [[q.title, q.slug, q.kind, q.period, q.attempts, q.passed, percent(q.pass_rate), q.average]
                   for q in rows])]


def quiz_sheets(analysis: QuizAnalysis) -> list[Sheet]:
    questions = []
    options = []
    for q in analysis.questions:
        stats = q.stats
        questions.append([q.info.position + 1, q.info.id, q.info.type, q.info.stem, stats.responses,
                          round(stats.facility, 3) if stats.facility is not None else None, stats.facility_label,
                          round(stats.discrimination, 3) if stats.discrimination is not None else None,
                          stats.discrimination_label, q.info.lesson, q.lesson_title])
        for index, text in enumerate(q.info.options):
            options.append([q.info.id, chr(ord("A") + index), text, "是" if index in q.info.correct else "",
                            stats.option_counts[index] if index < len(stats.option_counts) else 0])
        if q.info.options:
            options.append([q.info.id, "", "（未作答）", "", stats.blank])
    return [
        Sheet("题目分析", ["序号", "题号", "题型", "题干", "作答数", "难度系数P", "难易", "区分度D", "区分度评价",
                           "关联课程", "课程标题"], questions),
        Sheet("选项分布", ["题号", "选项", "选项内容", "正确答案", "选择人数"], options),
    ]


def suggestion_sheets(found: Suggestions) -> list[Sheet]:
    def lessons(items: Sequence[MissedLesson]) -> str:
        return "；".join(f"{m.title or m.slug}（{m.misses}）" for m in items)

    return [
        Sheet("网格", ["县区", "网格", *[f"{p} 合格率（%）" for p in found.periods], "原因", "常错课程"],
              [[g.county or "", g.grid, *[percent(r) for r in g.rates], "；".join(g.suggestion.reasons),
                lessons(g.lessons)] for g in found.grids]),
        Sheet("人员", [*PERSON_HEADERS, "及格次数", "参评次数", "原因", "常错课程"],
              [[*_person(p.person), p.passed, p.assessed, "；".join(p.suggestion.reasons), lessons(p.lessons)]
               for p in found.people]),
    ]
