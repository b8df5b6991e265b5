"""The visit form (渠道拜访格式), its tickets and the R3 loop as pure rules: the checklist and how an answer is read,
where a problem goes and by when it is due, which visits count for which month. No Flask, no SQLAlchemy; ``now``
and the settings are passed in.

The checklist is data (a trainer or admin edits it; each save is a new version): an item is
``{"key", "label", "bad", "needs_fix_date"}``, ``bad`` the answer that is not up to standard ("no" for a signboard,
"yes" for expired posters).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

YES, NO = "yes", "no"
ANSWERS = (YES, NO)
ANSWER_LABELS = {YES: "是", NO: "否"}

DEFAULT_CHECKLIST: tuple[dict[str, Any], ...] = (
    {"key": "signboard", "label": "门头是否达标", "bad": NO, "needs_fix_date": True},
    {"key": "realname_poster", "label": "实名制海报", "bad": NO, "needs_fix_date": True},
    {"key": "realname_card", "label": "实名制桌牌", "bad": NO, "needs_fix_date": True},
    {"key": "expired_posters", "label": "过期海报", "bad": YES, "needs_fix_date": True},
)

# --- problems and tickets ----------------------------------------------------------------------------------------

REMUNERATION, SYSTEM_OPS, AFTER_SALES = "remuneration", "system_ops", "after_sales"
CATEGORIES = (REMUNERATION, SYSTEM_OPS, AFTER_SALES)
CATEGORY_LABELS = {REMUNERATION: "渠道酬金", SYSTEM_OPS: "系统操作", AFTER_SALES: "终端售后"}
NONE_WORDS = frozenset({"", "无", "没有", "暂无", "/", "-", "none"})
MAX_PROBLEM = 1000
MAX_NOTE = 2000

# Who handles a ticket: the county's business department (its supervisor), the grid supervisor, or the terminal
# supervisor (a setting naming an employee; the county supervisor when none is named).
COUNTY_SUPERVISOR, GRID_SUPERVISOR, TERMINAL_SUPERVISOR = "county_supervisor", "grid_supervisor", "terminal_supervisor"
ROUTES = {REMUNERATION: COUNTY_SUPERVISOR, SYSTEM_OPS: GRID_SUPERVISOR, AFTER_SALES: TERMINAL_SUPERVISOR}
ROUTE_LABELS = {COUNTY_SUPERVISOR: "县区营业部（县区主管）", GRID_SUPERVISOR: "网格主管",
                TERMINAL_SUPERVISOR: "终端主管"}
DEFAULT_DUE_DAYS = {REMUNERATION: 7, SYSTEM_OPS: 3, AFTER_SALES: 7}

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
TICKET_STATES = (OPEN, ANSWERED, CLOSED)
TICKET_STATE_LABELS = {OPEN: "待处理", ANSWERED: "已答复", CLOSED: "已关闭"}

# Where a ticket came from: a manager's visit, or the shop itself (its own page, lms.outreach: no account, so the
# reporter is the name the shop's staff member gave).
FROM_VISIT, FROM_SHOP = "visit", "shop"
TICKET_SOURCES = (FROM_VISIT, FROM_SHOP)


@dataclass(frozen=True)
class TicketSettings:
    """Days to handle each kind of ticket, and the terminal supervisor's employee number ("" : none named)."""

    remuneration_days: int = DEFAULT_DUE_DAYS[REMUNERATION]
    system_ops_days: int = DEFAULT_DUE_DAYS[SYSTEM_OPS]
    after_sales_days: int = DEFAULT_DUE_DAYS[AFTER_SALES]
    terminal_supervisor: str = ""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> TicketSettings:
        return cls(remuneration_days=int(config["LMS_FIELD_DUE_DAYS_REMUNERATION"]),
                   system_ops_days=int(config["LMS_FIELD_DUE_DAYS_SYSTEM_OPS"]),
                   after_sales_days=int(config["LMS_FIELD_DUE_DAYS_AFTER_SALES"]),
                   terminal_supervisor=str(config["LMS_FIELD_TERMINAL_SUPERVISOR"]).strip())

    def days(self, category: str) -> int:
        return {REMUNERATION: self.remuneration_days, SYSTEM_OPS: self.system_ops_days,
                AFTER_SALES: self.after_sales_days}[category]


# --- deduction candidates (R3) -----------------------------------------------------------------------------------

REPEAT_AFTER_TRAINING, OVERDUE_TICKET = "repeat_after_training", "overdue_ticket"
CANDIDATE_REASONS = (REPEAT_AFTER_TRAINING, OVERDUE_TICKET)
CANDIDATE_REASON_LABELS = {REPEAT_AFTER_TRAINING: "培训后门店仍反映系统操作问题", OVERDUE_TICKET: "工单逾期未处理"}
PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"
CANDIDATE_STATES = (PENDING, CONFIRMED, DISMISSED)
CANDIDATE_STATE_LABELS = {PENDING: "待确认", CONFIRMED: "已确认扣分", DISMISSED: "已驳回"}

# A visit queued on the phone counts on the day it was made, if the phone's clock is plausible: not after the
# server received it, and not more than this long before (a wrong clock must not move visits into another month).
MAX_QUEUE_AGE = timedelta(days=7)

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class ProblemReport:
    category: str
    text: str


@dataclass(frozen=True)
class CheckedForm:
    """A visit form that passed: answers per item {key: {"answer", "fix_by"}}, the problems that become tickets."""

    answers: dict[str, dict[str, str | None]]
    problems: tuple[ProblemReport, ...]
    note: str


def is_bad(item: Mapping[str, Any], answer: str | None) -> bool:
    return answer == item.get("bad", NO)


def check_form(items: Sequence[Mapping[str, Any]], answers: Mapping[str, str], fix_by: Mapping[str, str],
               problems: Mapping[str, str], note: str, *, today: date) -> tuple[CheckedForm | None, list[str]]:
    """The visit form against the checklist version the person saw: every item answered 是/否, a fix-by date (today
    or later) for each that is not up to standard, problems per category ("无" or empty: none)."""
    errors: list[str] = []
    checked: dict[str, dict[str, str | None]] = {}
    keys = {item["key"] for item in items}
    for key in sorted(set(answers) - keys):
        errors.append(f"检查项“{key}”不在当前检查表中，请刷新页面后重填")
    for item in items:
        answer = (answers.get(item["key"]) or "").strip()
        if answer not in ANSWERS:
            errors.append(f"请回答“{item['label']}”（是/否）")
            continue
        due: str | None = None
        if is_bad(item, answer) and item.get("needs_fix_date", True):
            raw = (fix_by.get(item["key"]) or "").strip()
            parsed = _date(raw)
            if parsed is None:
                errors.append(f"“{item['label']}”未达标，请填写整改日期")
            elif parsed < today:
                errors.append(f"“{item['label']}”的整改日期不能早于拜访当天")
            else:
                due = parsed.isoformat()
        checked[item["key"]] = {"answer": answer, "fix_by": due}
    reports = []
    for category in CATEGORIES:
        text = (problems.get(category) or "").strip()
        if text.lower() in NONE_WORDS:
            continue
        if len(text) > MAX_PROBLEM:
            errors.append(f"{CATEGORY_LABELS[category]}问题不能超过{MAX_PROBLEM}个字符")
            continue
        reports.append(ProblemReport(category, text))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors.append(f"备注不能超过{MAX_NOTE}个字符")
    if errors:
        return None, errors
    return CheckedForm(checked, tuple(reports), note), []


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def check_checklist(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """A checklist a trainer saves: at least one item, keys unique and plain, labels given, ``bad`` yes or no."""
    errors = []
    if not items:
        errors.append("检查表至少要有一项")
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        key, label = str(item.get("key") or ""), str(item.get("label") or "").strip()
        if not _KEY.match(key):
            errors.append(f"第{number}项：代码只能用小写字母、数字和下划线，以字母开头")
        elif key in seen:
            errors.append(f"第{number}项：代码“{key}”重复")
        seen.add(key)
        if not label or len(label) > 100:
            errors.append(f"第{number}项：请填写检查内容（不超过100个字符）")
        if item.get("bad") not in ANSWERS:
            errors.append(f"第{number}项：请选择哪个回答表示未达标")
    return errors


def due_at(category: str, raised_at: datetime, settings: TicketSettings) -> datetime:
    return raised_at + timedelta(days=settings.days(category))


def is_overdue(state: str, due: datetime, now: datetime) -> bool:
    return state != CLOSED and now > due


def counted_at(received_at: datetime, device_at: datetime | None) -> datetime:
    """When a visit happened for the counts: the phone's time of a queued visit when plausible, else the server's."""
    if device_at is not None and received_at - MAX_QUEUE_AGE <= device_at <= received_at:
        return device_at
    return received_at


def guess_system(text: str) -> str:
    """Which of R3's systems (lms.assessment.rules.SYSTEMS) a problem names, for the supervisor's form default."""
    lowered = text.lower()
    if "b2b" in lowered or "订货" in text or "终端系统" in text:
        return "b2b"
    if "工号" in text or "社会渠道" in text or "渠道管理" in text:
        return "channel"
    return "daily"


# --- visit compliance --------------------------------------------------------------------------------------------


def weeks_of_month(period: str) -> int:
    """Whole weeks in a month (always 4): a weekly rule asks ``count × 4`` visits of it."""
    year, month = int(period[:4]), int(period[5:7])
    return calendar.monthrange(year, month)[1] // 7


def required_in_month(count: int, period_kind: str, period: str) -> int:
    return count * weeks_of_month(period) if period_kind == "week" else count


def compliance_share(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Overall share of (required, done) pairs, a shop's extra visits not making up for another's missing ones;
    None when nothing was required."""
    required = sum(r for r, _ in pairs)
    if required == 0:
        return None
    return sum(min(r, d) for r, d in pairs) / required


def week_of(day: date) -> tuple[date, date]:
    """The week (Monday to Sunday) holding ``day``: its Monday and the Monday after (the end, excluded)."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def required_in_week(count: int, period_kind: str) -> int:
    """Visits a shop's rule asks in one week: a weekly rule's count; a monthly rule asks nothing of any one week
    (its shops count in the month only)."""
    return count if period_kind == "week" else 0


def allowed_gap_days(count: int, period_kind: str) -> int:
    """The most days a shop may go without a visit and keep up with its rule: 3 a week, 3 days (Monday, Wednesday,
    Friday, then Monday); 2 a week, 4; 1 a week, 7; once a month, 30."""
    days = 7 if period_kind == "week" else 30
    return -(-days // max(count, 1))


def days_overdue(last_visit: date | None, added: date, today: date, gap: int) -> int | None:
    """Days past the gap a shop's rule allows since its last visit (since it was added when never visited); None
    when it is not overdue."""
    since = (today - (last_visit or added)).days
    return since - gap if since > gap else None
