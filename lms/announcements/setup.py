"""Wiring: event receivers (enqueue only), home panels, and the unread badge in the navigation."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.announcements import queries, receivers
from lms.core import events
from lms.core.clock import utcnow
from lms.core.templating import register_badge
from lms.home import panels


def manager_panel(user: Any) -> dict[str, Any] | None:
    pagination = queries.inbox(user, unread_only=True, per_page=5)
    return {"items": list(pagination.items), "unread": pagination.total or 0}


def supervisor_panel(user: Any) -> dict[str, Any] | None:
    return {"rows": queries.outstanding_summary(user, now=utcnow()), "unread": queries.unread_count(user)}


def unread_badge(user: Any) -> int:
    return queries.unread_count(user)


def init_app(app: Flask) -> None:
    # weak=False: the receivers are module functions, but be explicit that they live as long as the process.
    events.ledger_entry_written.connect(receivers.on_ledger_entry, weak=False)
    events.ledger_entries_written.connect(receivers.on_ledger_entries, weak=False)
    panels.register("manager", "announcements/_home_panel_manager.html", manager_panel, order=5)
    panels.register("supervisor", "announcements/_home_panel_supervisor.html", supervisor_panel, order=5)
    register_badge("announcements.inbox", unread_badge)
