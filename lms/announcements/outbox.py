"""The outbox: sending what is due through the channels (only ``flask outbox send`` calls it), with retries, the
delivery log, and an administrator's resend.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.channels import Channel, Target, channels_from_settings
from lms.announcements.models import Delivery, OutboxMessage
from lms.announcements.payloads import EMAIL, Outgoing
from lms.core.clock import utcnow
from lms.core.errors import Conflict, Forbidden, NotFound
from lms.extensions import db

log = logging.getLogger(__name__)


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
