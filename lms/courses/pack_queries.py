"""Reading the month's training packs: the trainers' list, one pack, the published pack a manager sees now, and what
a trainer can put in a pack (live lessons by category, the monthly tests)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lms.core.errors import NotFound
from lms.courses import pack_rules, rules
from lms.courses.models import Lesson, TrainingPack
from lms.extensions import db
from lms.quizzes.models import MONTHLY, Quiz


def all_packs() -> list[TrainingPack]:
    return list(db.session.scalars(select(TrainingPack).order_by(TrainingPack.period.desc())))


def get_pack(pack_id: int) -> TrainingPack:
    pack = db.session.get(TrainingPack, pack_id)
    if pack is None:
        raise NotFound("培训包不存在")
    return pack


def taken_periods() -> list[str]:
    return list(db.session.scalars(select(TrainingPack.period)))


def published_periods() -> list[str]:
    """Months with a published pack, newest first."""
    return list(db.session.scalars(select(TrainingPack.period).where(TrainingPack.status == pack_rules.PUBLISHED)
                                   .order_by(TrainingPack.period.desc())))


def published_pack(period: str) -> TrainingPack | None:
    return db.session.scalar(select(TrainingPack).where(TrainingPack.period == period,
                                                        TrainingPack.status == pack_rules.PUBLISHED))


def pack_for_now(now: datetime) -> TrainingPack | None:
    """The published pack of the current month, else the latest published one before it (a pack published ahead
    for next month is not shown until its month comes)."""
    period = rules.pack_period(now, published_periods())
    return published_pack(period) if period else None


def live_pack_lessons(pack: TrainingPack) -> list[Lesson]:
    """The pack's lessons in the trainer's order, without any taken offline since (managers could not open them)."""
    return [lesson for lesson in pack.lessons if lesson.is_live]


def lesson_choices() -> list[tuple[rules.Category, list[Lesson]]]:
    """Live lessons a trainer may put in a pack, by category in the catalogue's order (newest month first)."""
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.published_number.is_not(None),
                                                           Lesson.retired_at.is_(None))))
    groups = []
    for category in rules.CATEGORIES:
        members = [lesson for lesson in lessons if lesson.category == category.key]
        members.sort(key=lambda lesson: (-(int(lesson.period.replace("-", "")) if lesson.period else 0),
                                         lesson.sort_order, lesson.title))
        if members:
            groups.append((category, members))
    return groups


def monthly_tests() -> list[Quiz]:
    """The monthly tests a pack may name, newest month first."""
    return list(db.session.scalars(select(Quiz).where(Quiz.kind == MONTHLY, Quiz.retired_at.is_(None))
                                   .order_by(Quiz.period.desc(), Quiz.title)))


def monthly_test(quiz_id: int) -> Quiz | None:
    return db.session.scalar(select(Quiz).where(Quiz.id == quiz_id, Quiz.kind == MONTHLY, Quiz.retired_at.is_(None)))


def monthly_test_of(period: str) -> Quiz | None:
    """The month's test when there is exactly one, to attach to a new pack by default."""
    tests = [quiz for quiz in monthly_tests() if quiz.period == period]
    return tests[0] if len(tests) == 1 else None
