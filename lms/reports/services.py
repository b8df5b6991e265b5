"""The one write that starts from a report: turning a point-to-point suggestion into a training session, through
``lms.courses.services`` (which owns the commit); and the quiz lookup the trainer's quiz pages share. Regrading a
quiz, which also starts from a report, is the attempts domain's (``lms.attempts.regrade``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.errors import Forbidden, NotFound, ValidationFailed
from lms.courses import rules as course_rules
from lms.courses import services as courses
from lms.extensions import db
from lms.quizzes.models import Quiz

AUTHORS = ("trainer", "admin")


def get_quiz(slug: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None:
        raise NotFound("考试不存在")
    return quiz


# --- point-to-point sessions --------------------------------------------------------------------------------------


def create_point_to_point_session(*, title: str, starts_at: datetime, ends_at: datetime | None, place: str,
                                  notes: str, invitee_ids: list[int], lesson_slugs: list[str], county_id: int | None,
                                  actor: User, now: datetime) -> Any:
    """A 点对点 training session for a suggested grid or people, through the courses domain's service."""
    if actor.role not in AUTHORS:
        raise Forbidden("只有培训师或管理员可以安排培训")
    if not invitee_ids:
        raise ValidationFailed("培训安排有误，未保存", ["请至少选择一位参训人员"])
    return courses.create_training_session(
        title=title, mode=course_rules.POINT_TO_POINT, starts_at=starts_at, ends_at=ends_at, place=place,
        created_by=actor, invitee_ids=invitee_ids, lesson_slugs=lesson_slugs, notes=notes, county_id=county_id,
        now=now)
