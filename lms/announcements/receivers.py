"""Receivers of other domains' events (connected in ``setup.init_app``): ledger entries written. They enqueue
only, in their own session, and never break the write that fired the event.

A lesson going live tells nobody by itself: the month's lessons reach people in the one announcement that
publishes the month's training pack (lms/courses/pack_services.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

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
