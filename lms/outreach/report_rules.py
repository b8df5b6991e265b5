"""A shop reports a problem from its own page (反映问题), as pure rules: the categories are the field tickets' (酬金,
系统操作, 终端售后: lms.field.visit_rules), with words a shop's staff recognise; what a report must hold; which
report is the same one sent again (a double tap, or the same words again a moment later); how many a shop may send
in a day. No Flask, no SQLAlchemy; ``now`` is passed in."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.field import visit_rules
from lms.outreach import rules

MAX_TEXT = 500
MAX_PHOTOS = 3
DEFAULT_PER_DAY = 10  # LMS_SHOP_REPORTS_PER_DAY
REPEAT_WINDOW = timedelta(minutes=10)
MAX_KEY = 40

CATEGORIES = visit_rules.CATEGORIES
# What the shop sees beside each category: the ticket's own label and examples in the shop's words.
CATEGORY_HINTS = {
    visit_rules.REMUNERATION: "佣金、补贴没到账或金额有争议",
    visit_rules.SYSTEM_OPS: "社会渠道工号、终端订货系统，例如“B2B 不会订货”",
    visit_rules.AFTER_SALES: "送修手机一周没有答复等",
}


@dataclass(frozen=True)
class ShopReport:
    """A report that passed: the category, the description (inner spaces kept, ends trimmed), who sent it."""

    category: str
    text: str
    name: str
    phone: str | None


def check_report(category: str | None, text: str | None, name: str | None,
                 phone: str | None) -> tuple[ShopReport | None, list[str]]:
    """The report as the shop filled it: a category of the tickets', a description (required, at most 500
    characters), the staff member's name (required, as for the "we have read it" confirmation) and an optional
    phone. Problems are Chinese source strings (translated where shown)."""
    problems = []
    if category not in CATEGORIES:
        problems.append("请选择问题类别")
    body = (text or "").strip()
    if not body or body.lower() in visit_rules.NONE_WORDS:
        problems.append("请写明遇到的问题")
    elif len(body) > MAX_TEXT:
        problems.append("问题描述最多 500 个字")
    staff = rules.clean_name(name)
    if staff is None:
        problems.append("请填写反映人的姓名（最多 50 个字）")
    number = rules.clean_phone(phone)
    if number is False:
        problems.append("手机号码格式不正确")
    if problems or staff is None or category is None:
        return None, problems
    return ShopReport(category, body, staff, number if isinstance(number, str) else None), []


def client_key(shop_id: int, form_key: str | None) -> str | None:
    """The stored key of one form the page handed out (scoped to the shop); None when the form sent none usable."""
    key = (form_key or "").strip()
    if not key or len(key) > MAX_KEY or not key.replace("-", "").replace("_", "").isalnum():
        return None
    return f"shop{shop_id}:{key}"


def _words(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Earlier:
    """One of the shop's earlier reports, as the repeat check needs it."""

    category: str
    text: str
    at: datetime


def is_repeat(earlier: Sequence[Earlier], report: ShopReport, now: datetime) -> bool:
    """The same category and words as a report the shop sent less than ten minutes ago: the same report again (the
    page reloaded and sent, the back button), not a new problem."""
    return any(item.category == report.category and _words(item.text) == _words(report.text)
               and now - item.at < REPEAT_WINDOW for item in earlier)


def over_daily_limit(sent_today: int, per_day: int) -> bool:
    """A shop's reports in one day are capped (a setting): past it, the shop is asked to call its manager."""
    return sent_today >= max(1, per_day)


def new_form_key() -> str:
    """The key of one report form as the page shows it (the same form sent twice carries the same key)."""
    return secrets.token_urlsafe(16)
