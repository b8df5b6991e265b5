"""The manager's home panel: "my records" (results, ledger entries, published notices)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.assessment import queries
from lms.home import panels


def _my_records_panel(user: Any) -> dict[str, Any] | None:
    records = queries.my_records(user)
    if not records.outcomes and not records.ledger.entries and not records.notices:
        return None
    return {"records": records, "latest": records.outcomes[0] if records.outcomes else None}


def init_app(app: Flask) -> None:
    panels.register("manager", "assessment/_home_panel.html", _my_records_panel, order=30)
