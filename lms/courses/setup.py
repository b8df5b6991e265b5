"""Wiring: the ``content`` sync source and the managers' home panel (this month's training pack)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.core import clock
from lms.core.sync import register_source
from lms.courses import queries
from lms.courses.sync_source import ContentSource
from lms.home import panels


def home_panel(user: Any) -> dict[str, Any] | None:
    """The published pack of this month (or the latest one) in the trainer's order, each lesson with whether the
    person studied it; without a published pack the panel says so. Their upcoming training sessions too."""
    now = clock.utcnow()  # read per call: tests set the server's clock
    pack = queries.training_pack(user, now)
    upcoming = queries.sessions_for(user, upcoming_from=now)[:3]
    return {"pack": pack, "studied": queries.studied_lesson_ids(user), "upcoming": upcoming,
            "current_period": clock.period_of(now)}


def init_app(app: Flask) -> None:
    register_source("content", ContentSource)
    panels.register("manager", "courses/_home_panel.html", home_panel, order=20)
