"""Writing the month's training pack: create it for a month, save its lessons, order and test, publish it once with
one announcement, and after publishing record each change (announcing it again only when the trainer asks)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.announcements import rules as announcement_rules
from lms.announcements.delivery import path_for
from lms.announcements.models import Announcement
from lms.announcements.services import AnnouncementDraft, publish_announcement
from lms.audit import rules as audit_rules
from lms.audit.services import record
from lms.core.clock import utcnow
from lms.core.errors import Conflict, ValidationFailed
from lms.courses import pack_queries, pack_rules
from lms.courses.models import Lesson, TrainingPack, TrainingPackLesson
from lms.extensions import db

log = logging.getLogger(__name__)


def create_pack(period: str, author: User, *, now: datetime | None = None) -> TrainingPack:
    """A draft pack for ``period`` with its default title and, when the month has exactly one, its monthly test."""
    now = now or utcnow()
    period = period.strip()
    problems = pack_rules.period_problems(period, pack_queries.taken_periods())
    if problems:
        raise ValidationFailed("培训包未创建", problems)
    test = pack_queries.monthly_test_of(period)
    pack = TrainingPack(period=period, title=pack_rules.default_title(period), status=pack_rules.DRAFT,
                        quiz_id=test.id if test else None, created_by_id=author.id, created_at=now, updated_at=now)
    db.session.add(pack)
    db.session.commit()
    return pack


def _snapshot(pack: TrainingPack) -> dict[str, object]:
    return {"title": pack.title, "quiz": pack.quiz.slug if pack.quiz else None,
            "lessons": [lesson.slug for lesson in pack.lessons]}


def save_pack(pack: TrainingPack, *, title: str, quiz_id: int | None, lesson_ids: Sequence[int], author: User,
              notify_again: bool = False, now: datetime | None = None) -> bool:
    """Save the pack's title, test and lessons (in ``lesson_ids``' order). After publishing, a change is recorded
    in the audit log, and announced again only when ``notify_again``. Returns whether anything changed."""
    now = now or utcnow()
    problems = pack_rules.content_problems(title, len(lesson_ids))
    wanted = list(dict.fromkeys(lesson_ids))
    found = {lesson.id: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.id.in_(wanted)))}
    current = {lesson.id for lesson in pack.lessons}
    # A lesson already in the pack may stay even if it went offline since; a new one must be live.
    problems += [f"课程 {lesson_id} 不存在或未发布" for lesson_id in wanted
                 if lesson_id not in found or (lesson_id not in current and not found[lesson_id].is_live)]
    if quiz_id is not None and pack_queries.monthly_test(quiz_id) is None:
        problems.append("考试：请选择一场月度考试")
    if problems:
        raise ValidationFailed("培训包未保存，请修改以下问题", problems)
    before = _snapshot(pack)
    pack.title = title.strip()
    pack.quiz_id = quiz_id
    pack.items = [TrainingPackLesson(lesson_id=lesson_id, position=position)
                  for position, lesson_id in enumerate(wanted)]
    db.session.flush()
    db.session.refresh(pack)
    after = _snapshot(pack)
    changes = audit_rules.describe_changes(before, after)
    if not changes and not notify_again:
        db.session.rollback()
        return False
    pack.updated_at = now
    if pack.is_published:
        if notify_again:
            changes["notified"] = [False, True]
        record(audit_rules.PACK_CHANGED, subject=f"{pack.period} {pack.title}", changes=changes, actor=author)
        if notify_again:
            _announce(pack, author, now=now, again=True)  # commits the pack, its record and the announcement
            return True
    db.session.commit()
    return True


def publish_pack(pack: TrainingPack, author: User, *, now: datetime | None = None) -> Announcement:
    """Publish the pack once: managers see it on their home page from now, and one announcement tells everyone,
    with a link to each lesson and the test. The pack, its audit entry and the announcement land together."""
    now = now or utcnow()
    if pack.is_published:
        raise Conflict("培训包已发布；修改后可勾选“再次通知”")
    lessons = pack_queries.live_pack_lessons(pack)
    problems = []
    if not lessons:
        problems.append("培训包里还没有已发布的课程，请先选择课程")
    offline = [lesson.title for lesson in pack.lessons if not lesson.is_live]
    if offline:
        problems.append("以下课程已下线，请移出培训包或重新发布课程：" + "、".join(offline))
    if problems:
        raise ValidationFailed("培训包未发布", problems)
    pack.status = pack_rules.PUBLISHED
    pack.published_at = now
    pack.published_by_id = author.id
    pack.updated_at = now
    record(audit_rules.PACK_PUBLISHED, subject=f"{pack.period} {pack.title}",
           changes={"period": [None, pack.period], "title": [None, pack.title],
                    "lessons": [None, [lesson.slug for lesson in lessons]],
                    "quiz": [None, pack.quiz.slug if pack.quiz else None]}, actor=author)
    announcement = _announce(pack, author, now=now, again=False)
    log.info("training pack %s published by %s", pack.period, author.employee_no)
    return announcement


def _announce(pack: TrainingPack, author: User, *, now: datetime, again: bool) -> Announcement:
    """One announcement to everyone (managers study the pack, their supervisors follow it up); commits. A refused
    announcement (nobody to tell) leaves the pack as it was."""
    lessons = pack_queries.live_pack_lessons(pack)
    links = [pack_rules.Link(lesson.title, path_for("courses.lesson", slug=lesson.slug)) for lesson in lessons]
    quiz = pack.quiz
    quiz_link = pack_rules.Link(quiz.title, path_for("attempts.take", slug=quiz.slug)) if quiz else None
    title, body = pack_rules.announcement_text(pack.period, pack.title, links, quiz_link, again=again)
    draft = AnnouncementDraft(
        title=title, body=body,
        kind=announcement_rules.LESSON_CHANGE if again else announcement_rules.NOTICE,
        audience_kind=announcement_rules.EVERYONE, lesson_slugs="\n".join(lesson.slug for lesson in lessons),
        quiz_slug=quiz.slug if quiz else "")
    try:
        db.session.flush()
        announcement = publish_announcement(author, draft, now=now)
    except Exception:
        db.session.rollback()
        raise
    pack.announcement_id = announcement.id
    db.session.commit()
    return announcement
