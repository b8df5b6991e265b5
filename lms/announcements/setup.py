"""Wiring: event receivers (enqueue only), home panels, and the unread badge in the navigation."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from lms.core import events
from lms.core.templating import register_badge

log = logging.getLogger(__name__)


def _on_ledger_entry(entry: Any, **_extra: Any) -> None:
    from lms.announcements import services

    try:
        services.notify_ledger_entry(entry)
    except Exception:  # a message that cannot be queued must never undo or break the ledger write that caused it
        log.exception("could not queue the message for ledger entry %s", getattr(entry, "id", "?"))


def _on_ledger_entries(entries: Any, **_extra: Any) -> None:
    from lms.announcements import services

    try:
        services.notify_ledger_entries(entries)
    except Exception:  # as above: the close that wrote them has committed and must stay closed
        log.exception("could not queue the messages for %d ledger entries", len(entries))


def _on_lesson_published(lesson: Any, **_extra: Any) -> None:
    from lms.announcements import services

    try:
        services.notify_new_lesson(lesson)
    except Exception:  # same: publishing a lesson must succeed whatever happens to the reminder
        log.exception("could not queue new-lesson reminders for %s", getattr(lesson, "slug", "?"))


def manager_panel(user: Any) -> dict[str, Any] | None:
    from lms.announcements import services

    pagination = services.inbox(user, unread_only=True, per_page=5)
    return {"items": list(pagination.items), "unread": pagination.total or 0}


def supervisor_panel(user: Any) -> dict[str, Any] | None:
    from lms.announcements import services
    from lms.core.clock import utcnow

    return {"rows": services.outstanding_summary(user, now=utcnow()), "unread": services.unread_count(user)}


def unread_badge(user: Any) -> int:
    from lms.announcements import services

    return services.unread_count(user)


def init_app(app: Flask) -> None:
    from lms.home import panels

    # weak=False: the receivers are module functions, but be explicit that they live as long as the process.
    events.ledger_entry_written.connect(_on_ledger_entry, weak=False)
    events.ledger_entries_written.connect(_on_ledger_entries, weak=False)
    events.lesson_published.connect(_on_lesson_published, weak=False)
    panels.register("manager", "announcements/_home_panel_manager.html", manager_panel, order=5)
    panels.register("supervisor", "announcements/_home_panel_supervisor.html", supervisor_panel, order=5)
    register_badge("announcements.inbox", unread_badge)
