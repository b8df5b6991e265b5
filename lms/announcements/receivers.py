"""Receivers of other domains' events (connected in ``setup.init_app``): a ledger entry written, a lesson
published. They enqueue only, in their own session, and never break the write that fired the event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.delivery import deliver, path_for
from lms.assessment.rules import KIND_LABELS
from lms.core.clock import utcnow
from lms.extensions import db

log = logging.getLogger(__name__)


def notify_ledger_entry(entry: Any, *, now: datetime | None = None) -> int:
    """A ledger entry was committed: tell the person what, why, and how to appeal. Enqueues; never sends."""
    return notify_ledger_entries([entry], now=now)


def notify_ledger_entries(entries: Sequence[Any], *, now: datetime | None = None) -> int:
    """Many ledger entries were committed together (a monthly close): the same messages as one by one, queued in
    one transaction — a commit per entry made a 10,000-person close three times slower."""
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


# --- the receivers connected to the events: a failure is logged, never raised into the sender ------------------------


def on_ledger_entry(entry: Any, **_extra: Any) -> None:
    try:
        notify_ledger_entry(entry)
    except Exception:  # a message that cannot be queued must never undo or break the ledger write that caused it
        log.exception("could not queue the message for ledger entry %s", getattr(entry, "id", "?"))


def on_ledger_entries(entries: Any, **_extra: Any) -> None:
    try:
        notify_ledger_entries(entries)
    except Exception:  # as above: the close that wrote them has committed and must stay closed
        log.exception("could not queue the messages for %d ledger entries", len(entries))


def on_lesson_published(lesson: Any, **_extra: Any) -> None:
    try:
        notify_new_lesson(lesson)
    except Exception:  # same: publishing a lesson must succeed whatever happens to the reminder
        log.exception("could not queue new-lesson reminders for %s", getattr(lesson, "slug", "?"))
