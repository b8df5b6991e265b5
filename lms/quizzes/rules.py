"""Quiz rules, pure: the monthly window (its default from the period, its state at ``now``) and what makes a question
valid whatever its source. No Flask, no SQLAlchemy; the window policy and ``now`` are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from lms.quizzes.question_types import TYPES
from lms.quizzes.specs import QUESTION_TYPES, QuestionSpec

MONTHLY, PRACTICE, SYSTEM_OPS = "monthly", "practice", "system-ops"
QUIZ_KINDS = (MONTHLY, PRACTICE, SYSTEM_OPS)
# What people read for each kind (Chinese source; templates show ``_(quiz.kind_label)``). The one place for them.
KIND_LABELS = {MONTHLY: "月度考试", PRACTICE: "练习", SYSTEM_OPS: "系统操作考试"}

# A draft is seen only by trainers (and their previews); a published test reaches people in its window.
DRAFT, PUBLISHED = "draft", "published"
QUIZ_STATUSES = (DRAFT, PUBLISHED)
STATUS_LABELS = {DRAFT: "草稿", PUBLISHED: "已发布"}


@dataclass(frozen=True)
class WindowPolicy:
    """The monthly window setting: day ``first_day`` 00:00 to day ``last_day`` 23:59:59 local time."""

    first_day: int = 1
    last_day: int = 8
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def default_window(period: str, policy: WindowPolicy) -> tuple[datetime, datetime]:
    year, month = (int(p) for p in period.split("-"))
    opens = datetime.combine(date(year, month, policy.first_day), time(0, 0), tzinfo=policy.tz)
    closes = datetime.combine(date(year, month, policy.last_day), time(23, 59, 59), tzinfo=policy.tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def window_state(now: datetime, opens_at: datetime | None, closes_at: datetime | None) -> str:
    """'upcoming', 'open' or 'closed' (a quiz without a window is always open)."""
    if opens_at is not None and now < opens_at:
        return "upcoming"
    if closes_at is not None and now > closes_at:
        return "closed"
    return "open"


# --- the make-up window (补考) -------------------------------------------------------------------------------------

# Who a make-up window is for: everyone without a pass (the default), only those who failed, only the absent, or the
# people the trainer chose by employee number. Each invited person gets one make-up attempt, whatever the regular
# window's attempts left; a make-up pass counts for the month as LMS_MAKEUP_CLEARS_FAIL says (lms.assessment.outcomes).
MAKEUP_FAILED_OR_ABSENT, MAKEUP_FAILED, MAKEUP_ABSENT, MAKEUP_CHOSEN = "failed_or_absent", "failed", "absent", "chosen"
MAKEUP_AUDIENCES = (MAKEUP_FAILED_OR_ABSENT, MAKEUP_FAILED, MAKEUP_ABSENT, MAKEUP_CHOSEN)
MAKEUP_ATTEMPTS = 1


def makeup_invited(audience: str, *, sat: bool, passed: bool, chosen: bool) -> bool:
    """Is a person invited to a make-up window? ``sat``/``passed``: their official attempts in the regular window;
    ``chosen``: named in the window's list (the only thing that counts for a chosen audience)."""
    if audience == MAKEUP_CHOSEN:
        return chosen
    if passed:
        return False
    if audience == MAKEUP_FAILED:
        return sat
    if audience == MAKEUP_ABSENT:
        return not sat
    return True


def validate_spec(spec: QuestionSpec) -> list[str]:
    """What is wrong with a question, whatever its source (file, importer)."""
    where = f"{spec.source}: " if spec.source else ""
    problems = []
    if spec.type not in QUESTION_TYPES:
        problems.append(f"{where}unknown question type {spec.type!r} (use {', '.join(QUESTION_TYPES)})")
        return problems
    if not spec.stem.strip():
        problems.append(f"{where}question {spec.key} has no stem")
    if spec.points <= 0:
        problems.append(f"{where}question {spec.key}: points must be positive")
    if not 1 <= spec.difficulty <= 5:
        problems.append(f"{where}question {spec.key}: difficulty must be 1..5")
    problems.extend(TYPES[spec.type].validate(spec, where))
    return problems
