"""A shop's own report for the outreach tests: the world of tests.outreach.support with the supervisors who handle
tickets (the grid's, the county's), a link for the first shop, and a report form that passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lms.courses import media
from lms.courses import services as courses
from lms.field import visit_rules
from lms.outreach import reports, services
from tests.outreach.support import World, shop_world
from tests.support.images import screenshot_png


@dataclass
class ReportWorld:
    world: World
    grid: Any
    county: Any
    link: Any


def report_world(make_user: Any) -> ReportWorld:
    world = shop_world(make_user)
    grid = make_user("supervisor", county="城区", grid="东城网格", name="赵主管")
    county = make_user("supervisor", county="城区", grid=None, name="钱主管")
    return ReportWorld(world, grid, county, services.make_link(world.shops[0].id, world.manager, days=90))


def report_form(**changes: Any) -> reports.ReportForm:
    values: dict[str, Any] = {"category": "system_ops", "text": "B2B 不会订货", "name": "张三",
                              "phone": "13800138000", "form_key": None}
    values.update(changes)
    return reports.ReportForm(**values)


def photo(width: int = 400) -> reports.Photo:
    return reports.Photo(screenshot_png(width, rows=1, with_exif=True), "订货页面.png")


def report(link: Any, root: Path, now: datetime | None = None, **changes: Any) -> reports.Reported:
    return reports.report_problem(link, report_form(**changes), photo_root=root, limits=media.MediaLimits(),
                                  settings=visit_rules.TicketSettings(), now=now)


def picture_in(lesson_row: Any, trainer: Any, root: Path, *, width: int = 600, publish: bool = True,
               in_text: bool = True) -> str:
    """Upload a screenshot to a web lesson (as the editor does) and, when ``in_text``, put it in the lesson's
    text as a new revision (published when ``publish``); the stored name."""
    item = courses.add_lesson_media(lesson_row, data=screenshot_png(width, rows=2), filename="订货页面.png",
                                    author=trainer, root=root, limits=media.MediaLimits())
    if in_text:
        latest = lesson_row.revision(lesson_row.current_number)
        body = f"{latest.body}\n\n{courses.media_markdown(lesson_row, item)}\n"
        courses.save_web_lesson(lesson_row, meta=latest.meta, body=body, author=trainer, publish=publish)
    return item.stored_name
