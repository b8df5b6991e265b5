"""Reads: the announcements a staff member follows and their read receipts, a person's inbox, the training
pack's lesson receipts, the outbox and the robots. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select

from lms.accounts import rules as account_rules
from lms.accounts.access import scope_clause, user_scope_clause
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.delivery import path_for
from lms.announcements.models import Announcement, ContactSetting, GroupRobot, InboxMessage, OutboxMessage
from lms.core.errors import NotFound
from lms.courses import pack_queries
from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit
from lms.quizzes.models import Quiz

# --- announcements and their read receipts ----------------------------------------------------------------------------


def publisher_scope(user: User) -> rules.PublisherScope:
    """Where ``user`` may publish, in the terms of the audience rules."""
    scope = user.scope
    if scope.kind == account_rules.ALL:
        return rules.PublisherScope(rules.SCOPE_ALL)
    if scope.kind == account_rules.COUNTY_SCOPE:
        return rules.PublisherScope(rules.SCOPE_COUNTY, county_id=scope.county_id)
    if scope.kind == account_rules.GRID_SCOPE:
        return rules.PublisherScope(rules.SCOPE_GRID, county_id=scope.county_id, grid_id=scope.grid_id)
    return rules.PublisherScope("none")


def units_for_publisher(user: User) -> tuple[list[Unit], list[Unit]]:
    """The counties and grids ``user`` may choose as an audience (deactivated units are not offered)."""
    scope = publisher_scope(user)
    in_use = Unit.active.is_(True)
    counties = list(db.session.scalars(select(Unit).where(Unit.kind == COUNTY, in_use).order_by(Unit.name)))
    grids = list(db.session.scalars(select(Unit).where(Unit.kind == GRID, in_use).order_by(Unit.parent_id, Unit.name)))
    if scope.kind == rules.SCOPE_COUNTY:
        counties = [c for c in counties if c.id == scope.county_id]
        grids = [g for g in grids if g.parent_id == scope.county_id]
    elif scope.kind == rules.SCOPE_GRID:
        counties = []
        grids = [g for g in grids if g.id == scope.grid_id]
    return counties, grids


def _visible_announcements(viewer: User) -> Any:
    """Announcements a staff member may manage or follow: all for city-wide roles; for a unit supervisor, their own
    and those that reached someone in their unit."""
    stmt = select(Announcement)
    if viewer.scope.kind != account_rules.ALL:
        reached = exists().where(InboxMessage.announcement_id == Announcement.id,
                                 InboxMessage.kind == rules.ANNOUNCEMENT,
                                 InboxMessage.user_id == User.id, user_scope_clause(viewer))
        stmt = stmt.where(or_(Announcement.author_id == viewer.id, reached))
    return stmt


def get_announcement_for_staff(viewer: User, announcement_id: int) -> Announcement:
    announcement = db.session.scalar(_visible_announcements(viewer).where(Announcement.id == announcement_id))
    if announcement is None:
        raise NotFound("通知不存在")
    return announcement


@dataclass(frozen=True)
class AnnouncementRow:
    announcement: Announcement
    counts: rules.ReceiptCounts


def receipt_counts(viewer: User, announcement_ids: Sequence[int]) -> dict[int, rules.ReceiptCounts]:
    """Receipts per announcement, counting only the people in the viewer's unit."""
    if not announcement_ids:
        return {}
    rows = db.session.execute(
        select(InboxMessage.announcement_id, func.count(),
               func.count(InboxMessage.read_at), func.count(InboxMessage.acknowledged_at))
        .join(User, User.id == InboxMessage.user_id)
        .where(InboxMessage.announcement_id.in_(announcement_ids), InboxMessage.kind == rules.ANNOUNCEMENT,
               user_scope_clause(viewer))
        .group_by(InboxMessage.announcement_id))
    return {aid: rules.ReceiptCounts(total, opened, acked) for aid, total, opened, acked in rows}


def list_announcements(viewer: User, *, page: int = 1, per_page: int = 20) -> Any:
    stmt = _visible_announcements(viewer).order_by(Announcement.published_at.desc(), Announcement.id.desc())
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    counts = receipt_counts(viewer, [a.id for a in pagination.items])
    rows = [AnnouncementRow(a, counts.get(a.id, rules.ReceiptCounts(0, 0, 0))) for a in pagination.items]
    return pagination, rows


def _acknowledged_clause(announcement: Announcement) -> Any:
    # Without a required acknowledgement, opening it is all that is asked.
    return (InboxMessage.acknowledged_at.is_not(None) if announcement.requires_ack
            else InboxMessage.read_at.is_not(None))


@dataclass(frozen=True)
class Receipt:
    user: User
    message: InboxMessage
    state: str

    @property
    def state_label(self) -> str:
        return rules.RECEIPT_LABELS[self.state]


def receipts(viewer: User, announcement: Announcement, *, only: str = "") -> list[Receipt]:
    """Who in the viewer's unit has opened / acknowledged it; ``only="outstanding"`` lists those still waited for."""
    stmt = (select(User, InboxMessage).join(InboxMessage, InboxMessage.user_id == User.id)
            .where(InboxMessage.announcement_id == announcement.id, InboxMessage.kind == rules.ANNOUNCEMENT,
                   user_scope_clause(viewer)))
    if only == "outstanding":
        stmt = stmt.where(~_acknowledged_clause(announcement))
    stmt = stmt.order_by(InboxMessage.read_at.is_not(None), User.county_id, User.grid_id, User.employee_no)
    return [Receipt(user, message, rules.receipt_state(opened_at=message.read_at,
                                                       acknowledged_at=message.acknowledged_at,
                                                       requires_ack=announcement.requires_ack))
            for user, message in db.session.execute(stmt)]


def outstanding_summary(viewer: User, *, now: datetime, days: int = 30, limit: int = 5) -> list[AnnouncementRow]:
    """Recent live announcements with people in the viewer's unit still to read them (the supervisor panel)."""
    stmt = (_visible_announcements(viewer)
            .where(Announcement.withdrawn_at.is_(None), Announcement.published_at >= now - timedelta(days=days))
            .order_by(Announcement.published_at.desc()).limit(50))
    announcements = list(db.session.scalars(stmt))
    counts = receipt_counts(viewer, [a.id for a in announcements])
    rows = []
    for a in announcements:
        c = counts.get(a.id)
        if c is None:
            continue
        done = c.acknowledged if a.requires_ack else c.opened
        if done < c.total:
            rows.append(AnnouncementRow(a, rules.ReceiptCounts(c.total, c.opened, done)))
    return rows[:limit]


def quiz_link_for(quiz_id: int | None) -> str:
    if quiz_id is None:
        return ""
    quiz = db.session.get(Quiz, quiz_id)
    return path_for("quizzes.detail", slug=quiz.slug) if quiz is not None else ""


# --- the inbox --------------------------------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return int(db.session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))) or 0)


def inbox(user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 20) -> Any:
    stmt = select(InboxMessage).where(InboxMessage.user_id == user.id)
    if unread_only:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    stmt = stmt.order_by(InboxMessage.read_at.is_not(None), InboxMessage.created_at.desc(), InboxMessage.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def contact_setting(user: User) -> ContactSetting:
    return db.session.get(ContactSetting, user.id) or ContactSetting(user_id=user.id, email=None,
                                                                     email_enabled=False)


# --- lesson read receipts (the monthly training pack) -----------------------------------------------------------------


@dataclass(frozen=True)
class LessonReceiptRow:
    user: User
    opened_at: datetime | None
    studied_at: datetime | None

    @property
    def state(self) -> str:
        if self.studied_at is not None:
            return rules.ACKNOWLEDGED
        return rules.OPENED if self.opened_at is not None else rules.UNREAD


@dataclass
class LessonReceipts:
    lesson: Any
    rows: list[LessonReceiptRow] = field(default_factory=list)

    @property
    def opened(self) -> int:
        return sum(1 for r in self.rows if r.opened_at is not None)

    @property
    def studied(self) -> int:
        return sum(1 for r in self.rows if r.studied_at is not None)


def managers_in_scope(viewer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == account_rules.MANAGER, User.active.is_(True), user_scope_clause(viewer))
        .order_by(User.county_id, User.grid_id, User.employee_no)))


def lesson_receipts(viewer: User, period: str) -> list[LessonReceipts]:
    """Per live lesson of the month's published pack (none when it has none): each channel manager in the viewer's
    unit, opened / studied / not yet."""
    pack = pack_queries.published_pack(period)
    lessons = pack_queries.live_pack_lessons(pack) if pack else []
    people = managers_in_scope(viewer)
    progress: dict[tuple[int, int], tuple[datetime | None, datetime | None]] = {}
    if lessons and people:
        rows = db.session.execute(
            select(LessonProgress.lesson_id, LessonProgress.user_id, LessonProgress.first_opened_at,
                   LessonProgress.studied_at)
            .join(User, User.id == LessonProgress.user_id)
            .where(LessonProgress.lesson_id.in_([lesson.id for lesson in lessons]),
                   scope_clause(viewer, user_id_col=LessonProgress.user_id, county_col=User.county_id,
                                grid_col=User.grid_id)))
        progress = {(lid, uid): (opened, studied) for lid, uid, opened, studied in rows}
    return [LessonReceipts(lesson, [LessonReceiptRow(p, *progress.get((lesson.id, p.id), (None, None)))
                                    for p in people]) for lesson in lessons]


# --- the outbox and the group robots ----------------------------------------------------------------------------------


def outbox_page(*, status: str = "", page: int = 1, per_page: int = 50) -> Any:
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.paginate(stmt.order_by(OutboxMessage.id.desc()), page=page, per_page=per_page, error_out=False)


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return dict(rows.all())


def get_outbox_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("消息不存在")
    return message


def list_robots() -> list[GroupRobot]:
    return list(db.session.scalars(select(GroupRobot).order_by(GroupRobot.active.desc(), GroupRobot.name)))
