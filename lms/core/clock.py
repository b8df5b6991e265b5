"""Time is the server's: one place to read it, one place to convert it for display."""

from __future__ import annotations

from datetime import UTC, datetime
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


def parse_local(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Parse ISO 8601; without an offset the time is local (Asia/Shanghai). Returns UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def period_of(value: datetime, tz: ZoneInfo = SHANGHAI) -> str:
    """The assessment period (YYYY-MM) a moment belongs to, in local time."""
    return to_local(value, tz).strftime("%Y-%m")
