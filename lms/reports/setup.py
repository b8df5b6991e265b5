"""The supervisor's home panel: the board's monthly test at a glance and the size of the risk lists."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from lms.core.clock import utcnow
from lms.core.settings import is_on
from lms.home import panels
from lms.reports.queries import common, current_period, risk


def _supervisor_panel(user: Any) -> dict[str, Any] | None:
    # The board's period: this month if it has a monthly test, else the latest that had one (the tests open now,
    # system-ops included, are the home page's own panel).
    period = common.default_period(utcnow())
    absent_counts = is_on(current_app.config.get("LMS_ABSENT_COUNTS_AS_FAIL", True))
    current = current_period.current_period(user, period)
    risks = risk.risk_lists(user, period, absent_counts_as_fail=absent_counts, limit=0)  # totals only
    return {"current": current, "risks": risks, "period": period}


def init_app(app: Flask) -> None:
    panels.register("supervisor", "reports/_home_panel.html", _supervisor_panel, order=20)
