"""Which shops still need a reminder this month, and where each stands, pure: no Flask, no database.

A shop's month is done when it has confirmed "we have read it" and passed the check (or the month has no check).
Until then it is in the first stage it has not reached: not opened, opened but not confirmed, confirmed but the
check not passed."""

from __future__ import annotations

NOT_OPENED, NOT_READ, NOT_PASSED = "not_opened", "not_read", "not_passed"
STAGES = (NOT_OPENED, NOT_READ, NOT_PASSED)


def stage(*, opened: bool, confirmed: bool, passed: bool, has_check: bool) -> str | None:
    """The stage a shop's month is stuck at, or None when it is done (nothing to remind)."""
    if not opened:
        return NOT_OPENED
    if not confirmed:
        return NOT_READ
    if has_check and not passed:
        return NOT_PASSED
    return None
