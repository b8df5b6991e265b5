"""Announcement use cases: who may publish, publishing to an audience, withdrawing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from lms.accounts import rules as account_rules
from lms.accounts.access import user_scope_clause
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.delivery import deliver, path_for, queue_for_robots, robots_for_units
from lms.announcements.models import Announcement, InboxMessage, OutboxMessage
from lms.announcements.queries import get_announcement_for_staff, publisher_scope
from lms.core.clock import utcnow
from lms.core.errors import Forbidden, ValidationFailed
from lms.courses.models import Lesson
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit
from lms.quizzes.models import DRAFT, Quiz

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnnouncementDraft:
    title: str
    body: str
    kind: str = rules.NOTICE
    audience_kind: str = rules.EVERYONE
    unit_id: int | None = None
    employee_numbers: str = ""
    requires_ack: bool = False
    lesson_slugs: str = ""
    quiz_slug: str = ""


def can_publish(user: User) -> bool:
    return user.role in (account_rules.TRAINER, account_rules.SUPERVISOR, account_rules.ADMIN)


def _recipients(audience: rules.Audience, author: User) -> list[User]:
    stmt = select(User).where(User.active.is_(True), User.id != author.id)
    if audience.kind == rules.COUNTY:
        stmt = stmt.where(User.county_id == audience.unit_id)
    elif audience.kind == rules.GRID:
        stmt = stmt.where(User.grid_id == audience.unit_id)
    elif audience.kind == rules.PEOPLE:
        stmt = stmt.where(User.id.in_(audience.user_ids))
    # Whatever the audience, a supervisor's announcement reaches only people in their unit.
    stmt = stmt.where(user_scope_clause(author)) if author.role == account_rules.SUPERVISOR else stmt
    return list(db.session.scalars(stmt.order_by(User.id)))


def _linked_quiz(slug: str, problems: list[str]) -> int | None:
    if not slug.strip():
        return None
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug.strip(), Quiz.retired_at.is_(None),
                                            Quiz.status != DRAFT))
    if quiz is None:
        problems.append(f"考试“{slug.strip()}”不存在")
        return None
    return int(quiz.id)


def _known_lessons(slugs: list[str], problems: list[str]) -> None:
    if not slugs:
        return
    found = set(db.session.scalars(select(Lesson.slug).where(Lesson.slug.in_(slugs))))
    problems += [f"课程“{slug}”不存在" for slug in slugs if slug not in found]


def publish_announcement(author: User, draft: AnnouncementDraft, *, now: datetime | None = None) -> Announcement:
    """Validate, fix the recipients, put it in every recipient's inbox, queue e-mails and group robots; commit."""
    now = now or utcnow()
    if not can_publish(author):
        raise Forbidden("您没有发布通知的权限")
    problems: list[str] = []
    title, body = draft.title.strip(), draft.body.strip()
    if not title:
        problems.append("标题：请填写标题")
    elif len(title) > rules.TITLE_MAX:
        problems.append(f"标题：不能超过 {rules.TITLE_MAX} 个字符")
    if not body:
        problems.append("正文：请填写正文")
    elif len(body) > rules.BODY_MAX:
        problems.append(f"正文：不能超过 {rules.BODY_MAX} 个字符")
    if draft.kind not in rules.ANNOUNCEMENT_KINDS:
        problems.append("类别无效")
    chosen: list[User] = []
    if draft.audience_kind == rules.PEOPLE:
        numbers = rules.parse_employee_numbers(draft.employee_numbers)
        chosen = list(db.session.scalars(select(User).where(User.employee_no.in_(numbers), User.active.is_(True))))
        missing = sorted(set(numbers) - {u.employee_no for u in chosen})
        if missing:
            problems.append("以下工号不存在或已停用：" + "、".join(missing))
    audience = rules.Audience(draft.audience_kind,
                              draft.unit_id if draft.audience_kind in (rules.COUNTY, rules.GRID) else None,
                              tuple(u.id for u in chosen))
    grid_county = dict(db.session.execute(select(Unit.id, Unit.parent_id).where(Unit.kind == GRID)).all())
    county_ids = list(db.session.scalars(select(Unit.id).where(Unit.kind == COUNTY)))
    problems += rules.audience_problems(
        publisher_scope(author), audience, grid_county=grid_county, county_ids=county_ids,
        chosen=[rules.PersonUnits(u.id, u.county_id, u.grid_id) for u in chosen])
    slugs, slug_problems = rules.parse_slugs(draft.lesson_slugs)
    problems += slug_problems
    _known_lessons(slugs, problems)
    quiz_id = _linked_quiz(draft.quiz_slug, problems)
    recipients = [] if problems else _recipients(audience, author)
    if not problems and not recipients:
        problems.append("发布范围内没有可接收通知的人员")
    if problems:
        raise ValidationFailed("通知未发布，请修改以下问题", problems)

    announcement = Announcement(
        kind=draft.kind, title=title, body=body, audience_kind=audience.kind, audience_unit_id=audience.unit_id,
        requires_ack=draft.requires_ack, lesson_slugs=slugs, quiz_id=quiz_id, author_id=author.id,
        recipient_count=len(recipients), published_at=now)
    db.session.add(announcement)
    db.session.flush()
    event_key = f"announcement:{announcement.id}"
    link = path_for("announcements.inbox")  # replaced below once the inbox rows have ids
    reminders = [rules.Reminder(event_key, u.id, rules.ANNOUNCEMENT, title, body, link) for u in recipients]
    deliver(db.session, reminders, now=now, announcement_id=announcement.id)
    # Each inbox row links to itself, so opening it from an e-mail or a robot records the receipt.
    db.session.execute(update(InboxMessage).where(InboxMessage.announcement_id == announcement.id,
                                                  InboxMessage.kind == rules.ANNOUNCEMENT)
                       .values(link=path_for("announcements.announcement_page", announcement_id=announcement.id)))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.event_key == event_key)
                       .values(link=path_for("announcements.announcement_page", announcement_id=announcement.id)))
    county_id, grid_id = _audience_units(audience)
    if audience.kind != rules.PEOPLE:  # a message to chosen people is not for a group chat
        queue_for_robots(db.session, robots_for_units(db.session, county_id=county_id, grid_id=grid_id),
                         event_key=event_key, kind=rules.ANNOUNCEMENT, subject=f"【{announcement.kind_label}】{title}",
                         body=body, now=now,
                         link=path_for("announcements.announcement_page", announcement_id=announcement.id))
    db.session.commit()
    log.info("announcement %s published by %s to %d people", announcement.id, author.employee_no, len(recipients))
    return announcement


def _audience_units(audience: rules.Audience) -> tuple[int | None, int | None]:
    if audience.kind == rules.COUNTY:
        return audience.unit_id, None
    if audience.kind == rules.GRID and audience.unit_id is not None:
        grid = db.session.get(Unit, audience.unit_id)
        return (grid.parent_id if grid else None), audience.unit_id
    return None, None


def withdraw_announcement(viewer: User, announcement_id: int, *, now: datetime | None = None) -> Announcement:
    now = now or utcnow()
    announcement = get_announcement_for_staff(viewer, announcement_id)
    if announcement.author_id != viewer.id and viewer.role != account_rules.ADMIN:
        raise Forbidden("只有发布人或管理员可以撤回通知")
    if announcement.is_withdrawn:
        return announcement
    announcement.withdrawn_at = now
    announcement.withdrawn_by_id = viewer.id
    # Messages not yet sent are not sent; those already out cannot be recalled.
    db.session.execute(update(OutboxMessage)
                       .where(OutboxMessage.event_key == f"announcement:{announcement.id}",
                              OutboxMessage.status == rules.PENDING)
                       .values(status=rules.CANCELLED, last_error="通知已撤回"))
    db.session.commit()
    return announcement
