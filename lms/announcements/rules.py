"""Pure rules for announcements and reminders: audiences, who is reminded of what and when, message texts,
retry back-off. No Flask, no SQLAlchemy; ``now`` and the settings are passed in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lms.core.clock import to_local
from lms.core.settings import setting
from lms.quizzes.rules import MAKEUP_FAILED_OR_ABSENT, makeup_invited

# --- announcements ------------------------------------------------------------------------------------------------

NOTICE, POLICY, KEY_WORK, LESSON_CHANGE = "notice", "policy", "key_work", "lesson_change"
ANNOUNCEMENT_KINDS = {NOTICE: "通知", POLICY: "新政策", KEY_WORK: "重点工作", LESSON_CHANGE: "课程变更"}

EVERYONE, COUNTY, GRID, PEOPLE = "all", "county", "grid", "people"
AUDIENCE_KINDS = {EVERYONE: "全体人员", COUNTY: "县区", GRID: "网格", PEOPLE: "指定人员"}

# Scope kinds, as lms.accounts.rules spells them (repeated, not imported, to keep this module dependency-free
# of another domain's internals beyond plain strings).
SCOPE_ALL, SCOPE_COUNTY, SCOPE_GRID = "all", "county", "grid"

TITLE_MAX = 200
BODY_MAX = 20000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Audience:
    """Who an announcement is for: everyone, one county, one grid, or chosen people."""

    kind: str
    unit_id: int | None = None
    user_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PersonUnits:
    user_id: int
    county_id: int | None
    grid_id: int | None


@dataclass(frozen=True)
class PublisherScope:
    """What the publisher may reach: ``kind`` is all, county or grid (lms.accounts.rules.Scope)."""

    kind: str
    county_id: int | None = None
    grid_id: int | None = None

    def covers(self, person: PersonUnits) -> bool:
        if self.kind == SCOPE_ALL:
            return True
        if self.kind == SCOPE_COUNTY:
            return person.county_id is not None and person.county_id == self.county_id
        if self.kind == SCOPE_GRID:
            return person.grid_id is not None and person.grid_id == self.grid_id
        return False


def audience_problems(scope: PublisherScope, audience: Audience, *, grid_county: Mapping[int, int],
                      county_ids: Iterable[int], chosen: Sequence[PersonUnits]) -> list[str]:
    """Why ``scope`` may not publish to ``audience`` (empty: it may). A supervisor reaches only their own unit.

    ``grid_county`` maps every grid to its county; ``chosen`` are the people named for a PEOPLE audience.
    """
    problems: list[str] = []
    if audience.kind not in AUDIENCE_KINDS:
        return ["发布范围无效"]
    if audience.kind == EVERYONE:
        if scope.kind != SCOPE_ALL:
            problems.append("您只能向本单位发布通知，不能发布给全体人员")
    elif audience.kind == COUNTY:
        if audience.unit_id is None or audience.unit_id not in set(county_ids):
            problems.append("请选择县区")
        elif scope.kind == SCOPE_GRID or (scope.kind == SCOPE_COUNTY and audience.unit_id != scope.county_id):
            problems.append("您只能向本单位发布通知")
    elif audience.kind == GRID:
        if audience.unit_id is None or audience.unit_id not in grid_county:
            problems.append("请选择网格")
        elif (scope.kind == SCOPE_COUNTY and grid_county[audience.unit_id] != scope.county_id) or (
                scope.kind == SCOPE_GRID and audience.unit_id != scope.grid_id):
            problems.append("您只能向本单位发布通知")
    else:
        if not audience.user_ids:
            problems.append("请至少指定一位接收人")
        outside = [p.user_id for p in chosen if not scope.covers(p)]
        if outside:
            problems.append("指定的人员中有不属于您单位的人员")
    return problems


def audience_label(kind: str, unit_name: str | None, people_count: int) -> str:
    if kind == EVERYONE:
        return "全体人员"
    if kind == PEOPLE:
        return f"指定人员（{people_count}人）"
    return unit_name or AUDIENCE_KINDS.get(kind, kind)


def parse_slugs(text: str) -> tuple[list[str], list[str]]:
    """Lesson slugs typed one per line or separated by commas/spaces: (slugs in order, problems)."""
    slugs: list[str] = []
    problems: list[str] = []
    for raw in re.split(r"[\s,，、]+", text or ""):
        slug = raw.strip()
        if not slug:
            continue
        if not SLUG_RE.match(slug):
            problems.append(f"课程标识“{slug}”无效")
        elif slug not in slugs:
            slugs.append(slug)
    return slugs, problems


def parse_employee_numbers(text: str) -> list[str]:
    numbers: list[str] = []
    for raw in re.split(r"[\s,，、;；]+", text or ""):
        if raw and raw not in numbers:
            numbers.append(raw)
    return numbers


# --- receipts -----------------------------------------------------------------------------------------------------

UNREAD, OPENED, ACKNOWLEDGED = "unread", "opened", "acknowledged"
RECEIPT_LABELS = {UNREAD: "未读", OPENED: "已读未确认", ACKNOWLEDGED: "已确认"}


def receipt_state(*, opened_at: datetime | None, acknowledged_at: datetime | None, requires_ack: bool) -> str:
    if acknowledged_at is not None:
        return ACKNOWLEDGED
    if opened_at is None:
        return UNREAD
    return OPENED if requires_ack else ACKNOWLEDGED


def is_outstanding(state: str, *, requires_ack: bool) -> bool:
    """Still waiting for this person: not opened, or opened but not acknowledged where acknowledgement is asked."""
    return state == UNREAD or (requires_ack and state == OPENED)


@dataclass(frozen=True)
class ReceiptCounts:
    total: int
    opened: int
    acknowledged: int

    @property
    def outstanding(self) -> int:
        return self.total - self.acknowledged


def nudge_key(announcement_id: int, user_id: int, now: datetime) -> str:
    """At most one nudge per person, announcement and local day, however often a supervisor clicks."""
    return f"nudge:announcement:{announcement_id}:{user_id}:{to_local(now):%Y-%m-%d}"


def lesson_nudge_key(lesson_slug: str, user_id: int, now: datetime) -> str:
    return f"nudge:lesson:{lesson_slug}:{user_id}:{to_local(now):%Y-%m-%d}"


# --- reminder settings --------------------------------------------------------------------------------------------


_setting = setting


@dataclass(frozen=True)
class ReminderSettings:
    """Timing and switches for the reminders (``LMS_REMINDER_*``; defaults below are what ships)."""

    window_open: bool = True
    closing_days_before: int = 2  # remind those who have not sat it this many days before the window closes
    makeup: bool = True
    ledger: bool = True
    appeal_days: int = 7  # how long a person has to appeal a ledger entry (stated in the message)
    appeal_contact: str = "所在县区主管"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ReminderSettings:
        d = cls()
        return cls(
            window_open=_setting(settings, "LMS_REMINDER_WINDOW_OPEN", d.window_open),
            closing_days_before=_setting(settings, "LMS_REMINDER_CLOSING_DAYS", d.closing_days_before),
            makeup=_setting(settings, "LMS_REMINDER_MAKEUP", d.makeup),
            ledger=_setting(settings, "LMS_REMINDER_LEDGER", d.ledger),
            appeal_days=_setting(settings, "LMS_APPEAL_DAYS", d.appeal_days),  # the window appeals are open
            appeal_contact=_setting(settings, "LMS_REMINDER_APPEAL_CONTACT", d.appeal_contact),
        )


# --- reminders ----------------------------------------------------------------------------------------------------

QUIZ_OPEN, QUIZ_CLOSING, QUIZ_MAKEUP, NEW_LESSON, LEDGER, NUDGE, ANNOUNCEMENT = (
    "quiz_open", "quiz_closing", "quiz_makeup", "new_lesson", "ledger", "nudge", "announcement")
SHOP_REPORT = "shop_report"  # a shop reported a problem from its own page (lms.outreach.reports)
MESSAGE_KINDS = {
    ANNOUNCEMENT: "通知", QUIZ_OPEN: "考试开放", QUIZ_CLOSING: "考试即将截止", QUIZ_MAKEUP: "补考",
    NEW_LESSON: "新课程", LEDGER: "考核记录", NUDGE: "催阅提醒", SHOP_REPORT: "门店反映",
}


@dataclass(frozen=True)
class QuizWindow:
    """A monthly test's current version, as the reminders need it."""

    quiz_id: int
    slug: str
    title: str
    period: str | None
    opens_at: datetime | None
    closes_at: datetime | None
    makeup_opens_at: datetime | None = None
    makeup_closes_at: datetime | None = None
    makeup_audience: str = MAKEUP_FAILED_OR_ABSENT  # who the make-up window invites (lms.quizzes.rules)
    makeup_people: tuple[str, ...] = ()  # employee numbers, for a chosen audience
    # A later monthly test of the same period after an earlier one closed: it is the make-up test.
    is_makeup_quiz: bool = False


@dataclass(frozen=True)
class Standing:
    """One assigned person's position on one quiz."""

    user_id: int
    sat: bool  # has an official attempt in the regular window (any state)
    passed: bool  # an official attempt of the regular window passed
    exempt: bool = False
    # For a make-up quiz: failed (or missed) the period's earlier monthly test and has not passed it since.
    failed_earlier: bool = False
    # Named in the make-up window's list (an audience of chosen people).
    chosen: bool = False


@dataclass(frozen=True)
class Reminder:
    """One message for one person. ``event_key`` is unique per person: generating it again creates nothing."""

    event_key: str
    user_id: int
    kind: str
    title: str
    body: str
    link: str
    broadcast: bool = False  # also worth posting to group robots (window opens)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M")


def _local(value: datetime) -> str:
    return to_local(value).strftime("%m月%d日 %H:%M")


def quiz_reminders(now: datetime, window: QuizWindow, standings: Sequence[Standing], settings: ReminderSettings,
                   *, link: str) -> list[Reminder]:
    """Every reminder due at ``now`` for one monthly test; the caller drops those already sent (by event key)."""
    reminders: list[Reminder] = []
    opens, closes = window.opens_at, window.closes_at
    in_window = closes is not None and (opens is None or opens <= now) and now < closes

    def invited(s: Standing) -> bool:
        return not s.exempt and (s.failed_earlier or not window.is_makeup_quiz)

    if in_window and closes is not None:
        if settings.window_open:
            stamp = _stamp(opens or closes)
            title = (f"补考已开放：{window.title}" if window.is_makeup_quiz else f"考试已开放：{window.title}")
            body = (f"**{window.title}** 已开放，请在 {_local(closes)} 前完成。\n\n"
                    f"及格线 80 分；未参加按缺考处理。")
            reminders += [Reminder(f"quiz-open:{window.quiz_id}:{stamp}", s.user_id, QUIZ_OPEN, title, body, link,
                                   broadcast=True)
                          for s in standings if invited(s) and not s.sat]
        if settings.closing_days_before > 0 and now >= closes - timedelta(days=settings.closing_days_before):
            title = f"考试即将截止：{window.title}"
            body = (f"**{window.title}** 将于 {_local(closes)} 截止，您还没有参加。\n\n"
                    f"截止后未参加按缺考处理（记为不及格）。")
            reminders += [Reminder(f"quiz-closing:{window.quiz_id}:{_stamp(closes)}", s.user_id, QUIZ_CLOSING, title,
                                   body, link)
                          for s in standings if invited(s) and not s.sat]
    m_opens, m_closes = window.makeup_opens_at, window.makeup_closes_at
    if settings.makeup and m_opens is not None and m_closes is not None and m_opens <= now < m_closes:
        title = f"补考通知：{window.title}"
        when = f"补考时间为 {_local(m_opens)} 至 {_local(m_closes)}（限一次）。\n\n请抓紧复习本月培训内容后参加补考。"
        why = {True: f"您本次 **{window.title}** 未达到及格线，", False: f"您未参加本次 **{window.title}**，"}
        reminders += [Reminder(f"quiz-makeup:{window.quiz_id}:{_stamp(m_opens)}", s.user_id, QUIZ_MAKEUP, title,
                               (f"您已被安排参加 **{window.title}** 的补考，" if s.chosen else why[s.sat])
                               + when, link)
                      for s in standings
                      if not s.exempt and makeup_invited(window.makeup_audience, sat=s.sat, passed=s.passed,
                                                         chosen=s.chosen)]
    return reminders


def makeup_quizzes(windows: Sequence[QuizWindow]) -> dict[int, int]:
    """Which monthly tests are make-up tests of another: {later quiz id: earlier quiz id} per period.

    A later monthly test for the same period that opens after an earlier one has closed is its make-up.
    """
    result: dict[int, int] = {}
    by_period: dict[str, list[QuizWindow]] = {}
    for w in windows:
        if w.period and w.opens_at is not None and w.closes_at is not None:
            by_period.setdefault(w.period, []).append(w)
    for group in by_period.values():
        group.sort(key=lambda w: (w.opens_at, w.quiz_id))
        for later in group[1:]:
            earlier = [w for w in group if w.closes_at is not None and later.opens_at is not None
                       and w.closes_at <= later.opens_at and w.quiz_id != later.quiz_id]
            if earlier:
                result[later.quiz_id] = earlier[0].quiz_id
    return result


def period_label(period: str) -> str:
    match = re.match(r"^(\d{4})-(\d{2})$", period or "")
    return f"{match.group(1)}年{int(match.group(2))}月" if match else period


@dataclass(frozen=True)
class LedgerFacts:
    entry_id: int
    user_id: int
    period: str
    kind: str
    kind_label: str
    reason: str
    amount_yuan: int | None
    points: float | None


POSITIVE_KINDS = {"reward", "reversal"}


def ledger_reminder(facts: LedgerFacts, settings: ReminderSettings, *, link: str) -> Reminder:
    """The message to a person about an entry in their ledger: what, why, and how to appeal (unless good news)."""
    lines = [f"您的{period_label(facts.period)}考核记录新增一条：**{facts.kind_label}**。", "",
             f"原因：{facts.reason}"]
    if facts.amount_yuan:
        lines.append(f"金额：{facts.amount_yuan} 元")
    if facts.points:
        lines.append(f"分值：{facts.points:g} 分")
    if facts.kind not in POSITIVE_KINDS:
        lines += ["", f"如有异议，请在 {settings.appeal_days} 天内在“我的考核”中对这条记录提出申诉"
                      f"（由{settings.appeal_contact}处理），说明理由，可附照片或文件；"
                      "申诉成立后将以冲销记录更正，原记录不会被删除。"]
    return Reminder(f"ledger:{facts.entry_id}", facts.user_id, LEDGER, f"考核记录：{facts.kind_label}",
                    "\n".join(lines), link)


# --- outbox -------------------------------------------------------------------------------------------------------

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
OUTBOX_STATUSES = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败", CANCELLED: "已取消"}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: int = 60
    max_seconds: int = 3600
    lease_seconds: int = 300  # a row claimed by a worker that died is picked up again after this

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RetryPolicy:
        d = cls()
        return cls(
            max_attempts=_setting(settings, "LMS_OUTBOX_MAX_ATTEMPTS", d.max_attempts),
            base_seconds=_setting(settings, "LMS_OUTBOX_BACKOFF_SECONDS", d.base_seconds),
            max_seconds=_setting(settings, "LMS_OUTBOX_BACKOFF_MAX_SECONDS", d.max_seconds),
            lease_seconds=_setting(settings, "LMS_OUTBOX_LEASE_SECONDS", d.lease_seconds),
        )


def backoff(attempts: int, policy: RetryPolicy) -> timedelta:
    """Wait after the ``attempts``-th failure: base, 2×base, 4×base … capped."""
    exponent = max(0, attempts - 1)
    seconds = policy.base_seconds * (2 ** min(exponent, 30))
    return timedelta(seconds=min(seconds, policy.max_seconds))


@dataclass(frozen=True)
class AfterFailure:
    status: str
    next_attempt_at: datetime | None


def after_failure(now: datetime, attempts: int, policy: RetryPolicy, *, permanent: bool = False) -> AfterFailure:
    """What happens to a message whose ``attempts``-th try just failed."""
    if permanent or attempts >= policy.max_attempts:
        return AfterFailure(FAILED, None)
    return AfterFailure(PENDING, now + backoff(attempts, policy))


def outbox_key(event_key: str, channel: str, recipient: str) -> str:
    """Unique per recipient, channel and event: the same event can never be queued twice for the same target."""
    key = f"{event_key}|{channel}|{recipient}"
    if len(key) <= 255:
        return key
    return key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()
