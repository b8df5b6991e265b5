"""Training packs for tests: a month's pack saved as published, without going through the pages or announcing it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.core.clock import utcnow
from lms.courses.models import Lesson, TrainingPack, TrainingPackLesson
from lms.extensions import db


def published_pack(period: str, slugs: list[str], *, quiz: Any = None, title: str | None = None) -> TrainingPack:
    """The published pack of ``period`` holding the lessons ``slugs`` in that order; committed."""
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.slug.in_(slugs)))}
    pack = TrainingPack(period=period, title=title or f"{period} 培训包", status="published", published_at=utcnow(),
                        quiz_id=quiz.id if quiz is not None else None)
    pack.items = [TrainingPackLesson(lesson_id=lessons[slug].id, position=n) for n, slug in enumerate(slugs)]
    db.session.add(pack)
    db.session.commit()
    return pack
