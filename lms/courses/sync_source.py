"""The ``content`` source of ``flask sync``: plan = parse content/ (pure), apply = write lessons (no commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms.core.clock import utcnow
from lms.core.sync import SyncReport
from lms.courses import services
from lms.courses.loader import ContentPlan, load_tree


class ContentSource:
    name = "content"
    order = 10

    def __init__(self) -> None:
        self._went_live: list[str] = []

    def plan(self, config: dict[str, Any]) -> ContentPlan:
        return load_tree(Path(config["LMS_CONTENT_DIR"]))

    def apply(self, plan: ContentPlan) -> SyncReport:
        report, self._went_live = services.apply_content_plan_no_commit(plan, now=utcnow())
        return report

    def after_commit(self) -> None:
        services.announce_slugs(self._went_live)
