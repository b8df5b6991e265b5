"""Appeals (申诉) as pure rules: which entries may be appealed, by whom and until when, and when the decision is due.
No Flask, no SQLAlchemy: the facts and ``now`` are passed in.

The window counts from the later of the entry's creation and the publication of the county's notice for its
period (a manager learns of a criticism when the notice names them), ``LMS_APPEAL_DAYS`` days long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.assessment import rules

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
STATES = (OPEN, UPHELD, REJECTED)
STATE_LABELS = {OPEN: "待处理", UPHELD: "申诉成立", REJECTED: "申诉驳回"}

# Good news is not appealed, and a reversal is itself the correction (an appeal of it would undo an appeal).
NOT_APPEALABLE = frozenset({rules.REVERSAL, rules.REWARD})

LATE = "申诉期已过（记录发布或本县区通报发布后 %(days)d 天内可以申诉）"
REFUSALS = ("只能对本人的台账记录提出申诉", "冲销记录不能申诉", "该类记录无需申诉",
            "该记录已提出过申诉，同一条记录只能申诉一次", "该记录已被冲销，无需申诉", LATE)

MAX_REASON = 1000
MAX_COMMENT = 1000


@dataclass(frozen=True)
class EntryFacts:
    """What decides whether a person may appeal one ledger entry now."""

    kind: str
    owner_id: int
    created_at: datetime
    notice_published_at: datetime | None  # the county's notice for the entry's period, if published
    reversed: bool
    appealed: bool


def window_opens(created_at: datetime, notice_published_at: datetime | None) -> datetime:
    """The moment the appeal window starts: the entry's creation, or the notice's publication if that came later."""
    if notice_published_at is not None and notice_published_at > created_at:
        return notice_published_at
    return created_at


def appeal_deadline(facts: EntryFacts, days: int) -> datetime:
    return window_opens(facts.created_at, facts.notice_published_at) + timedelta(days=days)


def is_appealable_kind(kind: str) -> bool:
    return kind in rules.LEDGER_KINDS and kind not in NOT_APPEALABLE


def refusal(facts: EntryFacts, *, person_id: int, now: datetime, days: int) -> str | None:
    """Why ``person_id`` may not appeal this entry now, or None when they may: one of ``REFUSALS``, a sentence with
    a ``%(days)d`` placeholder (pages translate it, ``refusal_text`` fills it in)."""
    checks = (
        (facts.owner_id != person_id, "只能对本人的台账记录提出申诉"),
        (facts.kind == rules.REVERSAL, "冲销记录不能申诉"),
        (not is_appealable_kind(facts.kind), "该类记录无需申诉"),
        (facts.appealed, "该记录已提出过申诉，同一条记录只能申诉一次"),
        (facts.reversed, "该记录已被冲销，无需申诉"),
        (now > appeal_deadline(facts, days), LATE),
    )
    return next((why for refused, why in checks if refused), None)


def refusal_text(why: str, days: int) -> str:
    return why % {"days": days}


def decision_due(opened_at: datetime, days: int) -> datetime:
    """When the county should have decided an appeal opened at ``opened_at``."""
    return opened_at + timedelta(days=days)


def is_overdue(due_at: datetime, now: datetime, *, state: str) -> bool:
    return state == OPEN and now > due_at


def clean_text(text: str | None, *, limit: int, missing: str, too_long: str) -> tuple[str, str | None]:
    """The text stripped, and the problem with it (None when fine)."""
    value = (text or "").strip()
    if not value:
        return value, missing
    if len(value) > limit:
        return value, too_long
    return value, None
