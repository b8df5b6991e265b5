"""The field day's hooks into other domains: its process indicators join the monthly close
(lms.assessment.indicator_sources); the menu's 门店工单 and 拜访扣分 show how many wait for the person (badges, summed
on the folded 外勤 group), and the supervisors' home page a card of the same (lms.home.panels): each counted once
a request."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.assessment import indicator_sources
from lms.core.per_request import once_per_request
from lms.core.templating import register_badge
from lms.field import indicators, visit_queries
from lms.home import panels

# Counted once a request: the menu's badges and the home page's card show the same two numbers.
open_ticket_count = once_per_request(visit_queries.open_ticket_count)
pending_candidate_count = once_per_request(visit_queries.pending_candidate_count)


def _pending_work_panel(user: Any) -> dict[str, Any] | None:
    tickets, candidates = open_ticket_count(user), pending_candidate_count(user)
    if not tickets and not candidates:
        return None
    return {"open_tickets": tickets, "pending_candidates": candidates}


def init_app(app: Flask) -> None:
    indicator_sources.register("field", indicators.write_process_indicators)
    register_badge("field.ticket_list", open_ticket_count)
    register_badge("field.r3_queue", pending_candidate_count)
    for role in ("supervisor", "admin"):
        panels.register(role, "field/_pending_panel.html", _pending_work_panel, order=7)
