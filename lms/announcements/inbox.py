"""A person's own inbox: opening (the read receipt), acknowledging, marking all read; and where they want
messages besides the inbox (their contact setting).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.models import Announcement, ContactSetting, InboxMessage
from lms.core.clock import utcnow
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db


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
