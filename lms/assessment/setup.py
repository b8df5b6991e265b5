"""Home panels: the manager's "my records" (results, ledger entries, published notices); the supervisors' and
admins' open appeals (how many, the nearest decision due, how many overdue)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.assessment import appeal_queries, queries
from lms.core import clock
from lms.core.templating import register_badge
from lms.home import panels


def _my_records_panel(user: Any) -> dict[str, Any] | None:
    records = queries.my_records(user)
    if not records.outcomes and not records.ledger.entries and not records.notices:
        return None
    return {"records": records, "latest": records.outcomes[0] if records.outcomes else None}


def _appeals_panel(user: Any) -> dict[str, Any] | None:
    now = clock.utcnow()  # read per call: tests set the server's clock
    summary = appeal_queries.open_summary(user, now=now)
    if not summary.count:
        return None
    return {"summary": summary, "now": now}


def _open_appeals(user: Any) -> int:
    return appeal_queries.open_summary(user, now=clock.utcnow()).count


def init_app(app: Flask) -> None:
    panels.register("manager", "assessment/_home_panel.html", _my_records_panel, order=30)
    for role in ("supervisor", "admin"):
        panels.register(role, "assessment/_appeals_panel.html", _appeals_panel, order=6)
    # the menu's 申诉处理 shows how many wait for a decision in the person's scope
    register_badge("assessment.appeals_queue", _open_appeals)
