"""Use cases: publishing announcements, the inbox and read receipts, nudges, reminders, and the outbox.

Everything that reaches a person goes through ``deliver``: an inbox row (unique per person and event) and, where the
person asked for it, an outbox row per channel (unique per event, channel and recipient). Nothing here talks to the
network except ``send_due``, which only ``flask outbox send`` calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from lms.accounts import rules as account_rules
from lms.accounts.access import scope_clause, user_scope_clause
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.channels import Channel, Target, channels_from_settings
from lms.announcements.models import (
    Announcement,
    ContactSetting,
    Delivery,
    GroupRobot,
    InboxMessage,
    OutboxMessage,
)
from lms.announcements.payloads import EMAIL, ROBOT_KINDS, Outgoing
from lms.core.clock import utcnow
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit

log = logging.getLogger(__name__)

CHUNK = 500


def path_for(endpoint: str, **values: Any) -> str:
    """A path inside the app for a stored link; works outside a request (commands, event receivers)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return "/"


_warned_without_base_url = False


def absolute_url(path: str) -> str:
    """The link an outbound message carries. Messages leave from ``flask outbox send``, outside any request, so only
    ``LMS_BASE_URL`` says where the platform is; without it they carry no link (a relative one opens nothing)."""
    global _warned_without_base_url  # noqa: PLW0603 - warn once per process, not once per message
    base = str(current_app.config.get("LMS_BASE_URL") or "").strip().rstrip("/")
    if not path:
        return ""
    if not base:
        if not _warned_without_base_url:
            _warned_without_base_url = True
            log.warning("LMS_BASE_URL is not set: e-mails and robot messages are sent without a link to the platform")
        return ""
    return base + path


def smtp_configured() -> bool:
    return bool(current_app.config.get("LMS_SMTP_HOST"))


# --- delivery: inbox rows and outbox rows, each inserted at most once ---------------------------------------------


def _insert_ignoring_duplicates(session: Session, model: Any, rows: list[dict[str, Any]],
                                conflict: list[str]) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL); returns the ids actually inserted.

    Two processes generating the same reminder at once cannot both insert it: the unique key decides.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        stmt = insert(model).values(rows[start:start + CHUNK]).on_conflict_do_nothing(index_elements=conflict)
        inserted += list(session.scalars(stmt.returning(model.id)))
    return inserted


@dataclass
class DeliveryCount:
    inbox: int = 0
    outbox: int = 0


def deliver(session: Session, reminders: Sequence[rules.Reminder], *, now: datetime,
            announcement_id: int | None = None) -> DeliveryCount:
    """Put each message in its person's inbox and queue an e-mail for those who asked for one (no commit)."""
    count = DeliveryCount()
    if not reminders:
        return count
    inbox_rows = [{"user_id": r.user_id, "kind": r.kind, "event_key": r.event_key[:160], "title": r.title[:200],
                   "body": r.body, "link": r.link[:300], "announcement_id": announcement_id, "created_at": now}
                  for r in reminders]
    count.inbox = len(_insert_ignoring_duplicates(session, InboxMessage, inbox_rows, ["user_id", "event_key"]))
    if current_app.config.get("LMS_SMTP_HOST"):
        user_ids = {r.user_id for r in reminders}
        addresses: dict[int, str] = {}
        for start in range(0, len(user_ids), CHUNK):
            chunk = list(user_ids)[start:start + CHUNK]
            addresses.update(session.execute(
                select(ContactSetting.user_id, ContactSetting.email).where(
                    ContactSetting.user_id.in_(chunk), ContactSetting.email_enabled.is_(True),
                    ContactSetting.email.is_not(None))).all())
        outbox_rows = [_outbox_row(r.event_key, r.kind, EMAIL, recipient=addresses[r.user_id],
                                   key_recipient=f"user:{r.user_id}", subject=r.title, body=r.body, link=r.link,
                                   now=now, user_id=r.user_id)
                       for r in reminders if addresses.get(r.user_id)]
        count.outbox = len(_insert_ignoring_duplicates(session, OutboxMessage, outbox_rows, ["idempotency_key"]))
    return count


def _outbox_row(event_key: str, kind: str, channel: str, *, recipient: str, key_recipient: str, subject: str,
                body: str, link: str, now: datetime, user_id: int | None = None,
                robot_id: int | None = None) -> dict[str, Any]:
    return {"idempotency_key": rules.outbox_key(event_key, channel, key_recipient), "event_key": event_key[:160],
            "kind": kind, "channel": channel, "recipient": recipient[:500], "user_id": user_id, "robot_id": robot_id,
            "subject": subject[:200], "body": body, "link": link[:300], "status": rules.PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now}


def robots_for_units(session: Session, *, county_id: int | None, grid_id: int | None) -> list[GroupRobot]:
    """Robots whose group lies inside the audience: the whole city reaches every robot; a county reaches that
    county's robots (its grids' included); a grid reaches that grid's robots. A group chat never hears about
    something meant for only part of it."""
    stmt = select(GroupRobot).where(GroupRobot.active.is_(True))
    if grid_id is not None:
        stmt = stmt.where(GroupRobot.grid_id == grid_id)
    elif county_id is not None:
        stmt = stmt.where(GroupRobot.county_id == county_id)
    return list(session.scalars(stmt.order_by(GroupRobot.id)))


def queue_for_robots(session: Session, robots: Iterable[GroupRobot], *, event_key: str, kind: str, subject: str,
                     body: str, link: str, now: datetime) -> int:
    rows = [_outbox_row(event_key, kind, robot.kind, recipient=f"robot:{robot.id}", key_recipient=f"robot:{robot.id}",
                        subject=subject, body=body, link=link, now=now, robot_id=robot.id) for robot in robots]
    return len(_insert_ignoring_duplicates(session, OutboxMessage, rows, ["idempotency_key"]))


# --- announcements ------------------------------------------------------------------------------------------------


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


def _publisher_scope(user: User) -> rules.PublisherScope:
    scope = user.scope
    if scope.kind == account_rules.ALL:
        return rules.PublisherScope(rules.SCOPE_ALL)
    if scope.kind == account_rules.COUNTY_SCOPE:
        return rules.PublisherScope(rules.SCOPE_COUNTY, county_id=scope.county_id)
    if scope.kind == account_rules.GRID_SCOPE:
        return rules.PublisherScope(rules.SCOPE_GRID, county_id=scope.county_id, grid_id=scope.grid_id)
    return rules.PublisherScope("none")


def can_publish(user: User) -> bool:
    return user.role in (account_rules.TRAINER, account_rules.SUPERVISOR, account_rules.ADMIN)


def units_for_publisher(user: User) -> tuple[list[Unit], list[Unit]]:
    """The counties and grids ``user`` may choose as an audience."""
    scope = _publisher_scope(user)
    counties = list(db.session.scalars(select(Unit).where(Unit.kind == COUNTY).order_by(Unit.name)))
    grids = list(db.session.scalars(select(Unit).where(Unit.kind == GRID).order_by(Unit.parent_id, Unit.name)))
    if scope.kind == rules.SCOPE_COUNTY:
        counties = [c for c in counties if c.id == scope.county_id]
        grids = [g for g in grids if g.parent_id == scope.county_id]
    elif scope.kind == rules.SCOPE_GRID:
        counties = []
        grids = [g for g in grids if g.id == scope.grid_id]
    return counties, grids


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
    from lms.quizzes.models import Quiz

    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug.strip(), Quiz.retired_at.is_(None)))
    if quiz is None:
        problems.append(f"考试“{slug.strip()}”不存在")
        return None
    return int(quiz.id)


def _known_lessons(slugs: list[str], problems: list[str]) -> None:
    if not slugs:
        return
    from lms.courses.models import Lesson

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
        _publisher_scope(author), audience, grid_county=grid_county, county_ids=county_ids,
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


def nudge_outstanding(viewer: User, announcement_id: int, *, now: datetime | None = None) -> int:
    """Remind everyone in the viewer's unit who has not read (or acknowledged) it; once per person per day."""
    now = now or utcnow()
    announcement = get_announcement_for_staff(viewer, announcement_id)
    if announcement.is_withdrawn:
        raise Conflict("通知已撤回，不能再催阅")
    waiting = [r for r in receipts(viewer, announcement, only="outstanding") if r.user.id != viewer.id]
    link = path_for("announcements.announcement_page", announcement_id=announcement.id)
    action = "阅读并确认" if announcement.requires_ack else "阅读"
    reminders = [rules.Reminder(rules.nudge_key(announcement.id, r.user.id, now), r.user.id, rules.NUDGE,
                                f"请尽快{action}：{announcement.title}",
                                f"{viewer.name}提醒您{action}通知 **{announcement.title}**。", link)
                 for r in waiting]
    count = deliver(db.session, reminders, now=now)
    db.session.commit()
    log.info("nudge for announcement %s by %s: %d new", announcement.id, viewer.employee_no, count.inbox)
    return count.inbox


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


# --- the inbox ----------------------------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return int(db.session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))) or 0)


def inbox(user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 20) -> Any:
    stmt = select(InboxMessage).where(InboxMessage.user_id == user.id)
    if unread_only:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    stmt = stmt.order_by(InboxMessage.read_at.is_not(None), InboxMessage.created_at.desc(), InboxMessage.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _own_message(user: User, message_id: int) -> InboxMessage:
    message = db.session.get(InboxMessage, message_id)
    if message is None or message.user_id != user.id:
        raise NotFound("消息不存在")  # someone else's message looks the same as none at all
    return message


def open_message(user: User, message_id: int, *, now: datetime | None = None) -> InboxMessage:
    """The message, marked read the first time it is opened (the read receipt)."""
    message = _own_message(user, message_id)
    if message.read_at is None:
        message.read_at = now or utcnow()
        db.session.commit()
    return message


def announcement_message(user: User, announcement_id: int, *, now: datetime | None = None) -> InboxMessage:
    """The recipient's own copy of an announcement, opened (a link in a nudge, an e-mail or a group chat)."""
    message = db.session.scalar(select(InboxMessage).where(
        InboxMessage.user_id == user.id, InboxMessage.announcement_id == announcement_id,
        InboxMessage.kind == rules.ANNOUNCEMENT))
    if message is None:
        raise NotFound("通知不存在")
    return open_message(user, message.id, now=now)


def acknowledge(user: User, message_id: int, *, now: datetime | None = None) -> InboxMessage:
    now = now or utcnow()
    message = _own_message(user, message_id)
    if message.announcement is not None and message.announcement.is_withdrawn:
        raise Conflict("通知已撤回")
    message.read_at = message.read_at or now
    message.acknowledged_at = message.acknowledged_at or now
    db.session.commit()
    return message


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Mark every unread message read — except announcements that ask for acknowledgement, which stay unread
    until the person opens them (a click on "all read" is not reading a policy)."""
    now = now or utcnow()
    needs_ack = select(Announcement.id).where(Announcement.requires_ack.is_(True))
    result = db.session.execute(
        update(InboxMessage)
        .where(InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None),
               or_(InboxMessage.announcement_id.is_(None), InboxMessage.announcement_id.not_in(needs_ack)))
        .values(read_at=now))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def contact_setting(user: User) -> ContactSetting:
    return db.session.get(ContactSetting, user.id) or ContactSetting(user_id=user.id, email=None,
                                                                     email_enabled=False)


def save_contact_setting(user: User, *, email: str, email_enabled: bool, now: datetime | None = None) -> None:
    email = email.strip()
    if email_enabled and not email:
        raise ValidationFailed("请填写电子邮箱", ["电子邮箱：开启邮件提醒需要填写邮箱地址"])
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        raise ValidationFailed("电子邮箱格式不正确", [f"电子邮箱：“{email}”格式不正确"])
    setting = db.session.get(ContactSetting, user.id)
    if setting is None:
        setting = ContactSetting(user_id=user.id)
        db.session.add(setting)
    setting.email = email or None
    setting.email_enabled = email_enabled
    setting.updated_at = now or utcnow()
    db.session.commit()


# --- lesson read receipts (the monthly training pack) -------------------------------------------------------------


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


def pack_lessons(period: str) -> list[Any]:
    from lms.courses.models import Lesson

    return list(db.session.scalars(select(Lesson).where(
        Lesson.period == period, Lesson.published_number.is_not(None), Lesson.retired_at.is_(None))
        .order_by(Lesson.sort_order, Lesson.title)))


def pack_periods() -> list[str]:
    from lms.courses.models import Lesson

    return sorted(set(db.session.scalars(select(Lesson.period).where(
        Lesson.period.is_not(None), Lesson.published_number.is_not(None), Lesson.retired_at.is_(None)))),
        reverse=True)


def managers_in_scope(viewer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == account_rules.MANAGER, User.active.is_(True), user_scope_clause(viewer))
        .order_by(User.county_id, User.grid_id, User.employee_no)))


def lesson_receipts(viewer: User, period: str) -> list[LessonReceipts]:
    """Per lesson of the period's pack: each channel manager in the viewer's unit, opened / studied / not yet."""
    from lms.courses.models import LessonProgress

    lessons = pack_lessons(period)
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


def nudge_lesson(viewer: User, period: str, lesson_slug: str, *, now: datetime | None = None) -> int:
    """Remind the viewer's channel managers who have not opened this pack lesson yet."""
    now = now or utcnow()
    match = next((r for r in lesson_receipts(viewer, period) if r.lesson.slug == lesson_slug), None)
    if match is None:
        raise NotFound("课程不在该月培训包中")
    link = path_for("courses.lesson", slug=lesson_slug)
    reminders = [rules.Reminder(rules.lesson_nudge_key(lesson_slug, row.user.id, now), row.user.id, rules.NUDGE,
                                f"请学习本月课程：{match.lesson.title}",
                                f"{viewer.name}提醒您学习{rules.period_label(period)}培训课程"
                                f" **{match.lesson.title}**。",
                                link)
                 for row in match.rows if row.state != rules.ACKNOWLEDGED]
    count = deliver(db.session, reminders, now=now)
    db.session.commit()
    return count.inbox


# --- reminders the system sends by itself ------------------------------------------------------------------------


@dataclass
class ReminderReport:
    due: int = 0
    created: int = 0
    emails: int = 0
    robot_posts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(self.by_kind.items())) or "none"
        return (f"reminders: {self.created} new of {self.due} due ({kinds}); {self.emails} e-mails and "
                f"{self.robot_posts} group-robot posts queued")


def _monthly_windows() -> tuple[list[rules.QuizWindow], dict[int, int]]:
    """Every live monthly test's current window, and which of them are make-up tests of an earlier one."""
    from lms.quizzes.models import MONTHLY, Quiz, QuizVersion

    rows = db.session.execute(
        select(Quiz, QuizVersion).join(QuizVersion, QuizVersion.id == Quiz.current_version_id)
        .where(Quiz.kind == MONTHLY, Quiz.retired_at.is_(None)))
    windows = []
    for quiz, version in rows:
        definition = version.definition or {}

        def when(key: str, definition: dict[str, Any] = definition) -> datetime | None:
            value = definition.get(key)
            return datetime.fromisoformat(value) if value else None

        windows.append(rules.QuizWindow(quiz.id, quiz.slug, quiz.title, quiz.period, version.opens_at,
                                        version.closes_at, when("makeup_opens_at"), when("makeup_closes_at")))
    makeups = rules.makeup_quizzes(windows)
    return [replace(w, is_makeup_quiz=w.quiz_id in makeups) for w in windows], makeups


def _standings(window: rules.QuizWindow, earlier_quiz_id: int | None, people: Sequence[User]) -> list[rules.Standing]:
    from lms.attempts.models import EXEMPT, Accommodation, Attempt

    ids = [p.id for p in people]
    sat: set[int] = set()
    passed: set[int] = set()
    for user_id, was_passed in db.session.execute(
            select(Attempt.user_id, Attempt.passed).where(Attempt.quiz_id == window.quiz_id,
                                                          Attempt.official.is_(True))):
        sat.add(user_id)
        if was_passed:
            passed.add(user_id)
    exempt = set(db.session.scalars(select(Accommodation.user_id).where(
        Accommodation.quiz_id == window.quiz_id, Accommodation.kind == EXEMPT)))
    failed_earlier: set[int] = set()
    if earlier_quiz_id is not None:
        passed_earlier = set(db.session.scalars(select(Attempt.user_id).where(
            Attempt.quiz_id == earlier_quiz_id, Attempt.official.is_(True), Attempt.passed.is_(True))))
        failed_earlier = set(ids) - passed_earlier
    return [rules.Standing(uid, uid in sat, uid in passed, uid in exempt, uid in failed_earlier) for uid in ids]


def quiz_link_for(quiz_id: int | None) -> str:
    if quiz_id is None:
        return ""
    from lms.quizzes.models import Quiz

    quiz = db.session.get(Quiz, quiz_id)
    return _quiz_link(quiz.slug) if quiz is not None else ""


def _quiz_link(slug: str) -> str:
    return path_for("quizzes.detail", slug=slug)


def run_reminders(*, now: datetime | None = None, dry_run: bool = False,
                  settings: Mapping[str, Any] | None = None) -> ReminderReport:
    """Generate every reminder due at ``now`` and deliver the new ones. Idempotent: event keys are unique per
    person, so running it again the same day (or twice at once) creates nothing new."""
    now = now or utcnow()
    config = settings if settings is not None else current_app.config
    reminder_settings = rules.ReminderSettings.from_settings(config)
    report = ReminderReport()
    windows, makeups = _monthly_windows()
    managers = list(db.session.scalars(select(User).where(User.role == account_rules.MANAGER,
                                                          User.active.is_(True)).order_by(User.id)))
    for window in windows:
        if not _may_be_due(window, now):
            continue
        standings = _standings(window, makeups.get(window.quiz_id), managers)
        due = rules.quiz_reminders(now, window, standings, reminder_settings, link=_quiz_link(window.slug))
        report.due += len(due)
        if dry_run or not due:
            for reminder in due:
                report.by_kind[reminder.kind] = report.by_kind.get(reminder.kind, 0) + 1
            continue
        for kind in {r.kind for r in due}:
            batch = [r for r in due if r.kind == kind]
            count = deliver(db.session, batch, now=now)
            report.created += count.inbox
            report.emails += count.outbox
            if count.inbox:
                report.by_kind[kind] = report.by_kind.get(kind, 0) + count.inbox
            first = batch[0]
            if first.broadcast:
                report.robot_posts += queue_for_robots(
                    db.session, robots_for_units(db.session, county_id=None, grid_id=None),
                    event_key=first.event_key, kind=kind, subject=first.title, body=first.body, link=first.link,
                    now=now)
        db.session.commit()
    if dry_run:
        db.session.rollback()
    return report


def _may_be_due(window: rules.QuizWindow, now: datetime) -> bool:
    ends = [t for t in (window.closes_at, window.makeup_closes_at) if t is not None]
    starts = [t for t in (window.opens_at, window.makeup_opens_at) if t is not None]
    return bool(ends) and now < max(ends) and (not starts or now >= min(starts))


# --- event receivers: enqueue only, in their own session ---------------------------------------------------------


def notify_ledger_entry(entry: Any, *, now: datetime | None = None) -> int:
    """A ledger entry was committed: tell the person what, why, and how to appeal. Enqueues; never sends."""
    return notify_ledger_entries([entry], now=now)


def notify_ledger_entries(entries: Sequence[Any], *, now: datetime | None = None) -> int:
    """Many ledger entries were committed together (a monthly close): the same messages as one by one, queued in
    one transaction — a commit per entry made a 10,000-person close three times slower."""
    from lms.assessment.rules import KIND_LABELS

    now = now or utcnow()
    settings = rules.ReminderSettings.from_settings(current_app.config)
    if not settings.ledger or not entries:
        return 0
    link = path_for("assessment.mine")
    reminders = [rules.ledger_reminder(rules.LedgerFacts(entry.id, entry.user_id, entry.period, entry.kind,
                                                         KIND_LABELS.get(entry.kind, entry.kind), entry.reason or "",
                                                         entry.amount_yuan, entry.points), settings, link=link)
                 for entry in entries]
    with Session(db.engine) as session:
        count = deliver(session, reminders, now=now)
        session.commit()
    return count.inbox


def notify_new_lesson(lesson: Any, *, now: datetime | None = None) -> int:
    """A lesson went live: if it is in this month's training pack, tell every active channel manager (once)."""
    now = now or utcnow()
    settings = rules.ReminderSettings.from_settings(current_app.config)
    period = getattr(lesson, "period", None)
    if not settings.new_lessons or not rules.is_current_pack(period, now):
        return 0
    slug, title = lesson.slug, lesson.title
    link = path_for("courses.lesson", slug=slug)
    with Session(db.engine) as session:
        managers = list(session.scalars(select(User.id).where(User.role == account_rules.MANAGER,
                                                              User.active.is_(True))))
        reminders = [rules.new_lesson_reminder(lesson_key=slug, title=title, period=str(period), user_id=uid,
                                               link=link) for uid in managers]
        count = deliver(session, reminders, now=now)
        session.commit()
    return count.inbox


# --- the outbox ---------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return f"outbox: {self.sent} sent, {self.retrying} will retry, {self.failed} failed, {self.skipped} skipped"


def _due_ids(now: datetime, limit: int) -> list[int]:
    stmt = (select(OutboxMessage.id)
            .where(or_(and_(OutboxMessage.status == rules.PENDING, OutboxMessage.next_attempt_at <= now),
                       and_(OutboxMessage.status == rules.SENDING, OutboxMessage.claimed_until < now)))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    return list(db.session.scalars(stmt))


def _claim(message_id: int, now: datetime, policy: rules.RetryPolicy) -> bool:
    """Compare-and-set, so two workers never send the same row: only one UPDATE matches."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id,
               or_(OutboxMessage.status == rules.PENDING,
                   and_(OutboxMessage.status == rules.SENDING, OutboxMessage.claimed_until < now)))
        .values(status=rules.SENDING, claimed_until=now + timedelta(seconds=policy.lease_seconds)))
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def _target(message: OutboxMessage) -> Target | None:
    if message.channel == EMAIL:
        return Target(message.recipient)
    robot = message.robot
    if robot is None or not robot.active:
        return None
    return Target(robot.url, robot.secret, robot.msgtype)


def send_due(*, now: datetime | None = None, limit: int = 100,
             channels: Mapping[str, Channel] | None = None) -> SendReport:
    """Send what is due. Each row is claimed and committed before the network call, so no database lock is held
    while waiting on a slow robot, and the delivery is logged and committed right after."""
    now = now or utcnow()
    policy = rules.RetryPolicy.from_settings(current_app.config)
    channels = channels if channels is not None else channels_from_settings(current_app.config)
    report = SendReport()
    for message_id in _due_ids(now, limit):
        if not _claim(message_id, now, policy):
            report.skipped += 1
            continue
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None  # noqa: S101 - just claimed
        target = _target(message)
        channel = channels.get(message.channel)
        outgoing = Outgoing(message.idempotency_key, message.subject, message.body, absolute_url(message.link),
                            message.kind, message.event_key)
        if target is None or channel is None:
            message.status, message.last_error, message.claimed_until = rules.CANCELLED, "目标已停用或不存在", None
            db.session.commit()
            report.skipped += 1
            continue
        result = channel.send(outgoing, target)
        tried_at = now
        previous = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.message_id == message.id)) or 0
        message.attempts += 1
        db.session.add(Delivery(message_id=message.id, attempt=previous + 1, attempted_at=tried_at, ok=result.ok,
                                status_code=result.status_code, error=result.error or None,
                                duration_ms=result.duration_ms))
        message.claimed_until = None
        if result.ok:
            message.status, message.sent_at, message.last_error = rules.SENT, tried_at, None
            report.sent += 1
        else:
            outcome = rules.after_failure(tried_at, message.attempts, policy, permanent=result.permanent)
            message.status, message.last_error = outcome.status, result.error
            if outcome.next_attempt_at is not None:
                message.next_attempt_at = outcome.next_attempt_at
                report.retrying += 1
            else:
                report.failed += 1
                log.warning("outbox message %s failed for good: %s", message.id, result.error)
        db.session.commit()
    return report


def retry_message(viewer: User, message_id: int, *, now: datetime | None = None) -> OutboxMessage:
    """An administrator sends a failed message again (after fixing a robot URL, say): a fresh round of tries."""
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以重发消息")
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("消息不存在")
    if message.status not in (rules.FAILED, rules.CANCELLED):
        raise Conflict("只有发送失败或已取消的消息可以重发")
    message.status, message.attempts, message.next_attempt_at = rules.PENDING, 0, now or utcnow()
    db.session.commit()
    return message


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


# --- group robots -------------------------------------------------------------------------------------------------


def list_robots() -> list[GroupRobot]:
    return list(db.session.scalars(select(GroupRobot).order_by(GroupRobot.active.desc(), GroupRobot.name)))


def save_robot(viewer: User, *, name: str, kind: str, url: str, secret: str = "", msgtype: str = "markdown",
               unit_id: int | None = None, robot_id: int | None = None) -> GroupRobot:
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    problems = []
    name, url, secret = name.strip(), url.strip(), secret.strip()
    if not name or len(name) > 100:
        problems.append("名称：请填写（不超过100个字符）")
    if kind not in ROBOT_KINDS:
        problems.append("类型无效")
    if not url.startswith(("https://", "http://")) or len(url) > 500 or any(c.isspace() for c in url):
        problems.append("地址：请填写以 https:// 开头的完整地址")
    if msgtype not in ("markdown", "text"):
        problems.append("消息格式无效")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and (unit is None or unit.kind not in (COUNTY, GRID)):
        problems.append("所属单位无效")
    if problems:
        raise ValidationFailed("群机器人未保存", problems)
    robot = db.session.get(GroupRobot, robot_id) if robot_id else None
    if robot_id and robot is None:
        raise NotFound("群机器人不存在")
    if robot is None:
        robot = GroupRobot()
        db.session.add(robot)
    robot.name, robot.kind, robot.url, robot.msgtype = name, kind, url, msgtype
    robot.secret = secret or (robot.secret if robot_id else None)
    robot.county_id = (unit.parent_id if unit is not None and unit.kind == GRID else unit.id if unit else None)
    robot.grid_id = unit.id if unit is not None and unit.kind == GRID else None
    robot.active = True
    db.session.commit()
    return robot


def set_robot_active(viewer: User, robot_id: int, active: bool) -> GroupRobot:
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    robot = db.session.get(GroupRobot, robot_id)
    if robot is None:
        raise NotFound("群机器人不存在")
    robot.active = active
    db.session.commit()
    return robot


def queue_robot_test(viewer: User, robot_id: int, *, now: datetime | None = None) -> int:
    """A test message to one robot, through the outbox like any other (sent by the next ``outbox send``)."""
    now = now or utcnow()
    if viewer.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以配置群机器人")
    robot = db.session.get(GroupRobot, robot_id)
    if robot is None:
        raise NotFound("群机器人不存在")
    count = queue_for_robots(db.session, [robot], event_key=f"robot-test:{robot.id}:{now.isoformat()}",
                             kind="test", subject="测试消息", body=f"这是来自培训考核平台的测试消息（{robot.name}）。",
                             link="", now=now)
    db.session.commit()
    return count
