"""Training sessions for shops (片区培训 / 点对点, run by a channel manager): what a session must say, when its
check-in QR code is honoured, its token and what the logs may show. Pure: no Flask, no database, ``now`` passed in.

The token (as a shop link's, lms.outreach.rules): ``URLSafeSerializer(SECRET_KEY, salt="shop-session")`` over
``[session_id, nonce]`` — signed, not stored; the session row keeps the random nonce. A token is honoured only
inside the session's check-in window (from ``opens_before`` minutes before the start to ``closes_after`` minutes
after the end: settings ``LMS_SHOP_SESSION_OPENS_MINUTES`` / ``LMS_SHOP_SESSION_CLOSES_MINUTES``) and never once the
session is cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from lms.core.settings import setting
from lms.outreach import rules as link_rules

SALT = "shop-session"
NONCE_BYTES = 12

AREA, POINT = "area", "point"
KINDS = {AREA: "片区培训", POINT: "点对点培训"}  # labels: in the catalogue (the form shows them)
MAX_TITLE = 100
MAX_PLACE = 200
MAX_REASON = 200
MAX_HOURS = 12  # one sitting: a session longer than this is a typing mistake (a wrong end time)
MAX_DAYS_AHEAD = 366
START_GRACE = timedelta(hours=1)  # a session may be scheduled on the spot, as it starts (点对点 at the shop)

NOT_YET, OPEN, CLOSED, CANCELLED = "not_yet", "open", "closed", "cancelled"


def N_(text: str) -> str:
    """Marks a catalogue string (scripts/i18n.py extracts ``N_``), translated where it is shown with ``_()``: the
    same no-op as lms.core.i18n.N_, defined here because a rules module imports nothing of Flask."""
    return text


@dataclass(frozen=True)
class WindowSettings:
    opens_before_minutes: int = 30
    closes_after_minutes: int = 120

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> WindowSettings:
        return cls(setting(config, "LMS_SHOP_SESSION_OPENS_MINUTES", cls.opens_before_minutes),
                   setting(config, "LMS_SHOP_SESSION_CLOSES_MINUTES", cls.closes_after_minutes))


@dataclass(frozen=True)
class CheckinWindow:
    opens_at: datetime
    closes_at: datetime


def checkin_window(starts_at: datetime, ends_at: datetime, settings: WindowSettings) -> CheckinWindow:
    return CheckinWindow(starts_at - timedelta(minutes=max(0, settings.opens_before_minutes)),
                         ends_at + timedelta(minutes=max(0, settings.closes_after_minutes)))


def checkin_state(now: datetime, window: CheckinWindow, cancelled_at: datetime | None) -> str:
    """Cancelled, not yet open, open (the opening moment included) or closed (from the closing moment)."""
    if cancelled_at is not None:
        return CANCELLED
    if now < window.opens_at:
        return NOT_YET
    if now >= window.closes_at:
        return CLOSED
    return OPEN


def can_change(now: datetime, starts_at: datetime, cancelled_at: datetime | None) -> bool:
    """Edit or cancel: before the session starts, and not once it is cancelled."""
    return cancelled_at is None and now < starts_at


@dataclass(frozen=True)
class SessionDraft:
    """What a manager typed: times are aware datetimes; shops and lessons by id, in the order chosen."""

    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    shop_ids: tuple[int, ...] = ()
    lesson_ids: tuple[int, ...] = ()


def local_times(day: str | None, starts: str | None, ends: str | None,
                tz: tzinfo) -> tuple[datetime, datetime] | None:
    """A form's date (``YYYY-MM-DD``) and start and end times (``HH:MM``, the same day), read in the zone ``tz``, as
    UTC datetimes; None when any is missing or not a date or time."""
    try:
        date_part = date.fromisoformat((day or "").strip())
        start_part, end_part = (time.fromisoformat((text or "").strip()[:5]) for text in (starts, ends))
    except ValueError:
        return None
    return (datetime.combine(date_part, start_part, tzinfo=tz).astimezone(UTC),
            datetime.combine(date_part, end_part, tzinfo=tz).astimezone(UTC))


def clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def draft_problems(draft: SessionDraft, now: datetime) -> list[str]:
    """Every reason the draft cannot be saved (catalogue strings: shown with ``_()``), empty when it can. The shops'
    and lessons' ownership is the service's to check; here only their count."""
    problems = []
    title = clean_text(draft.title)
    if not title or len(title) > MAX_TITLE:
        problems.append(N_("请填写培训主题（最多 100 个字）"))
    if draft.kind not in KINDS:
        problems.append(N_("请选择培训方式"))
    if len(clean_text(draft.place)) > MAX_PLACE or (not clean_text(draft.place) and draft.kind != POINT):
        problems.append(N_("请填写培训地点（最多 200 个字）"))
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        problems.append(N_("时间必须带时区"))
    else:
        if draft.ends_at <= draft.starts_at:
            problems.append(N_("结束时间必须晚于开始时间"))
        elif draft.ends_at - draft.starts_at > timedelta(hours=MAX_HOURS):
            problems.append(N_("一场培训不能超过 12 小时"))
        if draft.starts_at < now - START_GRACE:
            problems.append(N_("开始时间已过，不能安排"))
        elif draft.starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
            problems.append(N_("开始时间不能晚于一年以后"))
    if not draft.shop_ids:
        problems.append(N_("请至少邀请一个渠道"))
    elif draft.kind == POINT and len(set(draft.shop_ids)) != 1:
        problems.append(N_("点对点培训只能邀请一个渠道"))
    return problems


def clean_reason(text: str | None) -> str | None:
    reason = clean_text(text)
    return reason if 0 < len(reason) <= MAX_REASON else None


# --- the token ----------------------------------------------------------------------------------------------------


def make_token(secret_keys: Sequence[str], session_id: int, nonce: str) -> str:
    return link_rules.sign_row(secret_keys, session_id, nonce, salt=SALT)


def read_token(secret_keys: Sequence[str], token: str) -> tuple[int, str] | None:
    """The (session id, nonce) a token carries, or None when it is not one of ours (bad signature, wrong shape, a
    shop link's token: another salt)."""
    return link_rules.read_row(secret_keys, token, salt=SALT)


# A session's check-in address in a logged line: the path (``/t/<token>``) or quoted in another (``next=%2Ft%2F…``).
_TOKEN_IN_PATH = re.compile(r"(/t/|%2[Ff]t%2[Ff])[A-Za-z0-9_\-.]+")


def redact(text: str) -> str:
    """The line with every session token replaced by ``…``."""
    return _TOKEN_IN_PATH.sub(lambda match: f"{match.group(1)}…", text)
