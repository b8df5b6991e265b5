"""Reminders a supervisor sends by hand: to those who have not read an announcement or opened a lesson of
the month's training pack; once per person per day.
"""

from __future__ import annotations

import logging
from datetime import datetime

from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.delivery import deliver, path_for
from lms.announcements.queries import get_announcement_for_staff, lesson_receipts, receipts
from lms.core.clock import utcnow
from lms.core.errors import Conflict, NotFound
from lms.extensions import db

log = logging.getLogger(__name__)


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
