"""Pure rules for courseware: categories, periods, training modes, progress, search terms and revision diffs.

No Flask, no SQLAlchemy; time is passed in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import yaml

from lms.core.clock import period_of


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    group: str


# Stable English keys (used in files and URLs) with the Chinese labels people see. The order is the catalogue's.
CATEGORIES: tuple[Category, ...] = (
    Category("policy-handset", "终端政策", "政策"),
    Category("policy-access", "入网政策", "政策"),
    Category("policy-data", "流量政策", "政策"),
    Category("policy-broadband", "宽带政策", "政策"),
    Category("remuneration", "酬金（计提、房补、综合激励）", "酬金"),
    Category("system-social-channel", "社会渠道管理系统", "系统操作"),
    Category("system-b2b-ordering", "终端订货系统（B2B）", "系统操作"),
    Category("system-daily-lookup", "日常查询", "系统操作"),
    Category("daily-management", "日常管理（巡店、考勤）", "日常管理"),
    Category("organising", "组织能力（地推、观摩）", "组织能力"),
    Category("mindset", "思路转型", "思路转型"),
    Category("support-scripts", "营销话术", "支撑"),
    Category("support-publicity", "宣传包装", "支撑"),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# Training modes (docs/domain.md, "R6: training modes").
CENTRALIZED, AREA, POINT_TO_POINT = "centralized", "area", "point"
TRAINING_MODES = {CENTRALIZED: "集中培训", AREA: "片区培训", POINT_TO_POINT: "点对点培训"}

INVITED, PRESENT, ABSENT, EXCUSED = "invited", "present", "absent", "excused"
ATTENDANCE = {INVITED: "未签到", PRESENT: "出席", ABSENT: "缺席", EXCUSED: "请假"}

FILE, WEB = "file", "web"


def is_valid_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


def is_valid_period(text: str) -> bool:
    return bool(PERIOD_RE.match(text))


def category_label(key: str) -> str:
    category = CATEGORY_BY_KEY.get(key)
    return category.label if category else key


def period_label(period: str) -> str:
    """``2026-11`` → ``2026年11月``."""
    match = PERIOD_RE.match(period or "")
    return f"{match.group(1)}年{int(match.group(2))}月" if match else period


def pack_period(now: datetime, periods: Iterable[str]) -> str | None:
    """The monthly training pack to put first: this month's if it exists, else the latest one before now.

    A future month's pack (written ahead of time) is not "this month's" until its month comes.
    """
    current = period_of(now)
    known = sorted({p for p in periods if p})
    if current in known:
        return current
    past = [p for p in known if p < current]
    return past[-1] if past else None


@dataclass(frozen=True)
class Progress:
    studied: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.studied / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.studied >= self.total


def compute_progress(lesson_ids: Sequence[int], studied_ids: Iterable[int]) -> Progress:
    wanted = set(lesson_ids)
    return Progress(studied=len(wanted & set(studied_ids)), total=len(wanted))


# --- search ------------------------------------------------------------------------------------------------------

MAX_TERMS = 5


def search_terms(query: str) -> list[str]:
    """Terms to match, every one required. Chinese has no spaces, so a term is matched as a substring (LIKE)."""
    terms: list[str] = []
    for raw in (query or "").replace("\u3000", " ").split():
        term = raw.strip().lower()[:40]
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def snippet(text: str, terms: Sequence[str], width: int = 60) -> str:
    """A piece of ``text`` around the first term found, for search results."""
    flat = " ".join(text.split())
    lower = flat.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    if not positions:
        return flat[:width * 2] + ("…" if len(flat) > width * 2 else "")
    start = max(min(positions) - width // 2, 0)
    end = min(start + width * 2, len(flat))
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to words for the search column (marks and table rules dropped)."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", markdown_text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*_>#|!~=-]+", " ", text)
    return " ".join(text.split())


# --- revisions ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonMeta:
    """What describes a lesson besides its body; the same fields whether it came from a file or the browser."""

    title: str
    category: str
    tags: tuple[str, ...] = ()
    period: str | None = None
    order: int = 100
    summary: str = ""
    quiz: str | None = None
    effective: date | None = None
    # Also for the shops that sell (执行渠道): front matter ``audience: shops``; the month's shop pack (lms.outreach).
    for_shops: bool = False


SHOP_AUDIENCE = "shops"


def source_text(meta: LessonMeta, body: str) -> str:
    """The lesson as a ``.md`` file (front matter, then Markdown): for export and for diffs."""
    front: dict[str, object] = {"title": meta.title, "category": meta.category}
    if meta.period:
        front["period"] = meta.period
    front["order"] = meta.order
    if meta.effective:
        front["effective"] = meta.effective
    if meta.tags:
        front["tags"] = list(meta.tags)
    if meta.summary:
        front["summary"] = meta.summary
    if meta.quiz:
        front["quiz"] = meta.quiz
    if meta.for_shops:
        front["audience"] = SHOP_AUDIENCE
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"---\n{dumped}---\n\n{body.strip()}\n"


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "same", "hunk"
    text: str


def revision_diff(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """A unified line diff of two revisions' source text."""
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("remove", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines
