"""Time is the server's: one place to read it, one place to convert it for display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A naive datetime is taken to be UTC (how the database stores it); an aware one is converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime, tz: ZoneInfo = SHANGHAI) -> datetime:
    return as_utc(value).astimezone(tz)


def local_date(value: datetime | None, tz: ZoneInfo = SHANGHAI) -> date | None:
    """The local (Asia/Shanghai) day a moment falls on; None for none (e.g. the day a person joined, unknown)."""
    return to_local(value, tz).date() if value is not None else None


def local_midnight(day: date, tz: ZoneInfo = SHANGHAI) -> datetime:
    """The moment a local (Asia/Shanghai) day starts, in UTC: where a day's or a month's window opens."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def parse_local(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Parse ISO 8601; without an offset the time is local (Asia/Shanghai). Returns UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def period_of(value: datetime, tz: ZoneInfo = SHANGHAI) -> str:
    """The assessment period (YYYY-MM) a moment belongs to, in local time."""
    return to_local(value, tz).strftime("%Y-%m")
