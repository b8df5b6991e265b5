"""Shop-visit rows for tests: a shop with its manager, a visit form that passes, a passed system-ops test."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from lms.courses import media
from lms.extensions import db
from lms.field import visit_rules, visits
from lms.field.models import Shop
from lms.quizzes.models import Quiz
from tests.support.attempts import graded_attempt
from tests.support.images import screenshot_png
from tests.support.quizzes import add_quiz

GOOD_ANSWERS = {"signboard": "yes", "realname_poster": "yes", "realname_card": "yes", "expired_posters": "no"}


def add_shop(manager: Any, *, code: str = "S001", name: str = "东城手机店", kind: str = "terminal", star: int = 3,
             latitude: float | None = 30.0, longitude: float | None = 120.0) -> Shop:
    shop = Shop(code=code, name=name, kind=kind, star=star, latitude=latitude, longitude=longitude,
                grid_id=manager.grid_id, manager_id=manager.id)
    db.session.add(shop)
    db.session.commit()
    return shop


def visit_form(shop: Shop, **changes: Any) -> visits.VisitForm:
    values: dict[str, Any] = {
        "shop_id": shop.id, "checklist_version": 1, "answers": dict(GOOD_ANSWERS), "fix_by": {},
        "problems": {"remuneration": "无", "system_ops": "无", "after_sales": "无"},
        "photos": [visits.Photo(screenshot_png(400, rows=1, with_exif=True), "门头.png")],
        "latitude": 30.001, "longitude": 120.0}
    values.update(changes)
    return visits.VisitForm(**values)


def record(form: visits.VisitForm, person: Any, now: datetime, root: Path) -> Any:
    return visits.record_visit(form, person=person, now=now, media_root=root, limits=media.MediaLimits(),
                               settings=visit_rules.TicketSettings())


def pass_system_ops(person: Any, *, finished_at: datetime) -> None:
    quiz = add_quiz(Quiz(slug=f"system-ops-{person.id}", kind="system-ops", title="系统操作考试"))
    db.session.add(graded_attempt(person, quiz, score=90, finished_at=finished_at))
    db.session.commit()


def fill_visit(page: Any, shop_name: str, photos: list[Any], *, b2b: str = "无", yes_no: tuple[str, str] = ("是", "否"),
               ) -> None:
    """The visit form filled in Chromium as a manager does: the shop, every check up to standard, problems (a
    system-operation one when ``b2b`` says), photos (paths or Playwright file payloads). The checklist's items are
    data (Chinese in the seed); ``yes_no`` are the page's own words for the answers."""
    yes, no = yes_no
    page.get_by_role("radio", name=shop_name).check()
    for legend in ("门头是否达标", "实名制海报", "实名制桌牌"):
        page.get_by_role("group", name=legend).get_by_label(yes, exact=True).check()
    page.get_by_role("group", name="过期海报").get_by_label(no, exact=True).check()
    page.locator("textarea[name=problem-remuneration]").fill("无")
    page.locator("textarea[name=problem-system_ops]").fill(b2b)
    page.locator("textarea[name=problem-after_sales]").fill("无")
    page.set_input_files("input[name=photos]", photos)
