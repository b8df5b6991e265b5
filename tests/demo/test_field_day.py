"""The demo's field day: a month of the first grid's managers' visits (through the visit service: photos, tickets
routed, one ticket overdue and swept into a deduction candidate, some answered and closed) and daily reports with
ground activities; written once however often the demo runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lms.courses import media
from lms.demo import checkins, daily, visits
from lms.extensions import db
from lms.field.daily_models import DailyReport, GroundActivity
from lms.field.visit_models import DeductionCandidate, Ticket, Visit
from tests.support.visits import add_shop

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # Saturday noon in Shanghai


@pytest.fixture
def grid(make_user: Any) -> dict[str, Any]:
    managers = [make_user("manager", county="城区", grid="东城网格") for _ in range(5)]
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    county = make_user("supervisor", county="城区", grid=None)
    elsewhere = make_user("manager", county="城区", grid="西城网格")
    for index, manager in enumerate([*managers, elsewhere]):
        for shop in range(5):
            add_shop(manager, code=f"S{index}{shop}", name=f"门店{index}{shop}",
                     latitude=30 + index / 100 + shop / 1000, longitude=120.0)
    checkins.place_halls()
    return {"managers": managers, "supervisor": supervisor, "county": county, "elsewhere": elsewhere}


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_demo_visits_make_tickets_in_every_state_and_one_overdue(grid: dict[str, Any], app: Any) -> None:
    summary = visits.record_visits(NOW)
    recorded = count(Visit)
    assert recorded > 60
    assert f"{recorded} recorded" in summary
    assert count(Visit, Visit.user_id == grid["elsewhere"].id) == 0  # the first grid's managers only
    per_manager = [count(Visit, Visit.user_id == m.id) for m in grid["managers"]]
    assert per_manager[-1] < min(per_manager[:-1])  # the last visits seldom
    states = dict(db.session.execute(select(Ticket.state, func.count(Ticket.id)).group_by(Ticket.state)).all())
    assert states == {"open": 4, "answered": 1, "closed": 3}
    overdue = db.session.scalars(select(Ticket).where(Ticket.state == "open", Ticket.due_at < NOW)).all()
    assert [t.category for t in overdue] == ["remuneration"]
    assert {t.routed_user_id for t in db.session.scalars(select(Ticket))} <= {grid["supervisor"].id,
                                                                              grid["county"].id}
    [candidate] = db.session.scalars(select(DeductionCandidate)).all()
    assert (candidate.reason, candidate.ticket_ids) == ("overdue_ticket", [overdue[0].id])
    assert any(v.answers[k]["fix_by"] for v in db.session.scalars(select(Visit)) for k in v.answers)
    root = Path(app.config["LMS_MEDIA_DIR"]) / "field"
    assert all(media.stored_path(root, name).is_file() for v in db.session.scalars(select(Visit)) for name in v.photos)
    again = visits.record_visits(NOW)
    assert again.startswith("0 recorded")
    assert (count(Visit), count(Ticket), count(DeductionCandidate)) == (recorded, 8, 1)


def test_demo_daily_reports_with_activities_late_and_missing_progress(grid: dict[str, Any]) -> None:
    days, activities = daily.record_days(NOW)
    assert days == 5 * visits.DAYS
    assert activities == count(GroundActivity) > 10
    assert count(DailyReport) == days
    assert count(DailyReport, DailyReport.progress_late.is_(True)) > 0
    assert count(DailyReport, DailyReport.progress_at.is_(None)) > 0
    assert count(DailyReport, DailyReport.yesterday != "") > 0
    assert all(a.photos and a.latitude for a in db.session.scalars(select(GroundActivity)))
    assert daily.record_days(NOW) == (0, 0)
    assert count(DailyReport) == days
