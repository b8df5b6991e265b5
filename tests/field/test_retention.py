"""The retention purge (lms.field.retention) over visits and ground activities: their photos leave the disk and their
coordinates are cleared past the retention period, the facts stay (answers, tickets, results), recent ones are
kept, a photo a kept row shares stays, a dry run changes nothing, and the pages say the photos were removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.courses import media
from lms.extensions import db
from lms.field import daily_services, retention
from lms.field import visits as visit_services
from lms.field.daily_models import GroundActivity
from lms.field.visit_models import Visit
from tests.field.checkin_support import app_config, photo  # noqa: F401 - app_config: a media folder of its own
from tests.support.visits import add_shop, record, visit_form

PURGED = "照片和位置已按保留期限删除"


def _exists(root: Path, names: list[str]) -> list[bool]:
    return [media.stored_path(root, name).is_file() for name in names]


@pytest.fixture
def field(app: Any, make_user: Any) -> dict[str, Any]:
    manager = make_user("manager")
    shop = add_shop(manager)
    root = Path(app.config["LMS_MEDIA_DIR"]) / "field"
    now = utcnow()
    old_at, recent_at = now - timedelta(days=400), now - timedelta(days=10)

    def _visit(at: Any, *sizes: tuple[int, int], problems: dict[str, str] | None = None) -> Visit:
        form = visit_form(shop, photos=[visit_services.Photo(photo(size), "门头.jpg") for size in sizes],
                          **({"problems": problems} if problems else {}))
        return record(form, manager, at, root)

    old_visit = _visit(old_at, (30, 20), (31, 20), problems={"system_ops": "不会在B2B订货", "remuneration": "无",
                                                            "after_sales": "无"})
    shared_old = _visit(old_at + timedelta(days=1), (40, 20))
    recent_visit = _visit(recent_at, (40, 20))  # the same bytes as shared_old's photo: still needed
    old_activity = daily_services.add_activity(
        manager, daily_services.ActivityInput(place="东城广场", latitude=30.0, longitude=120.0, handsets_sold=3),
        [(photo((50, 20)), "a.jpg")], now=old_at)
    recent_activity = daily_services.add_activity(
        manager, daily_services.ActivityInput(place="西城广场", latitude=30.1, longitude=120.1, new_lines=2),
        [(photo((60, 20)), "b.jpg")], now=recent_at)
    return {"manager": manager, "root": root, "now": now, "old_visit": old_visit, "shared_old": shared_old,
            "recent_visit": recent_visit, "old_activity": old_activity, "recent_activity": recent_activity,
            "old_names": [*old_visit.photos, *old_activity.photos],
            "kept_names": [*recent_visit.photos, *recent_activity.photos]}


def _purge(field: dict[str, Any], *, dry_run: bool = False) -> retention.PurgeReport:
    return retention.purge_field_data(now=field["now"], retention_days=180, media_root=field["root"],
                                      dry_run=dry_run)


def test_a_dry_run_counts_and_changes_nothing(field: dict[str, Any]) -> None:
    report = _purge(field, dry_run=True)
    assert (report.checkins, report.visits, report.activities, report.photos_deleted) == (0, 2, 1, 3)
    assert all(_exists(field["root"], field["old_names"]))
    visit = db.session.get(Visit, field["old_visit"].id)
    assert visit is not None
    assert visit.purged_at is None
    assert len(visit.photos) == 2
    assert visit.latitude == 30.001
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "field.data_purged")).first() is None


def test_old_visit_and_activity_photos_and_places_go_the_facts_and_recent_ones_stay(field: dict[str, Any]) -> None:
    report = _purge(field)
    assert (report.visits, report.activities, report.photos_deleted) == (2, 1, 3)
    assert not any(_exists(field["root"], field["old_names"]))
    assert all(_exists(field["root"], field["kept_names"]))  # incl. the photo shared_old had too
    old = db.session.get(Visit, field["old_visit"].id)
    assert old is not None
    assert old.purged_at is not None
    assert (old.photos, old.latitude, old.longitude) == ([], None, None)
    assert old.answers["signboard"]["answer"] == "yes"
    assert old.distance_m is not None
    assert [t.category for t in old.tickets] == ["system_ops"]
    activity = db.session.get(GroundActivity, field["old_activity"].id)
    assert activity is not None
    assert (activity.photos, activity.latitude, activity.longitude) == ([], None, None)
    assert (activity.place, activity.handsets_sold, activity.purged_at is not None) == ("东城广场", 3, True)
    recent = db.session.get(Visit, field["recent_visit"].id)
    assert recent is not None
    assert recent.purged_at is None
    assert recent.latitude == 30.001
    assert recent.photos == field["recent_visit"].photos
    recent_activity = db.session.get(GroundActivity, field["recent_activity"].id)
    assert recent_activity is not None
    assert (recent_activity.latitude, recent_activity.purged_at) == (30.1, None)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "field.data_purged")).one()
    assert {k: entry.changes[k] for k in ("checkins_purged", "visits_purged", "activities_purged",
                                         "photos_deleted")} == {"checkins_purged": 0, "visits_purged": 2,
                                                                "activities_purged": 1, "photos_deleted": 3}
    again = _purge(field)
    assert (again.visits, again.activities, again.photos_deleted) == (0, 0, 0)


def test_the_cli_reports_each_kind(runner: Any, field: dict[str, Any]) -> None:
    dry = runner.invoke(args=["field", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "visits: 2 would be purged" in dry.output
    assert "ground activities: 1 would be purged" in dry.output
    assert "photos: 3 to delete" in dry.output
    done = runner.invoke(args=["field", "purge"])
    assert "visits: 2 purged" in done.output
    assert "ground activities: 1 purged" in done.output
    assert "photos: 3 deleted" in done.output


def test_pages_say_a_purged_photo_was_removed(field: dict[str, Any], auth: Any, make_user: Any) -> None:
    _purge(field)
    auth.login(field["manager"])
    old_page = auth.client.get(f"/field/visits/{field['old_visit'].id}").get_data(as_text=True)
    assert PURGED in old_page
    assert "/photos/" not in old_page
    assert "不会在B2B订货" in old_page  # the ticket stays
    recent_page = auth.client.get(f"/field/visits/{field['recent_visit'].id}").get_data(as_text=True)
    assert PURGED not in recent_page
    assert "/photos/" in recent_page
    auth.logout()
    auth.login(make_user("supervisor"))
    day = field["old_activity"].report.day.isoformat()
    board = auth.client.get(f"/field/daily/board?day={day}").get_data(as_text=True)
    assert "东城广场" in board
    assert PURGED in board


def test_photos_a_shop_sent_with_its_own_report_go_too_the_report_stays(app: Any, make_user: Any) -> None:
    from lms.field import photos as field_photos
    from lms.field import visit_rules
    from lms.field.visit_models import Ticket
    from lms.outreach import reports, services

    manager = make_user("manager")
    shop = add_shop(manager)
    link = services.make_link(shop.id, manager, days=900)
    now = utcnow()
    with app.test_request_context():
        root = field_photos.shop_report_root()

    def _report(at: Any, size: tuple[int, int], text: str) -> Ticket:
        form = reports.ReportForm("after_sales", text, "张三", photos=[reports.Photo(photo(size), "送修.jpg")])
        return reports.report_problem(link, form, photo_root=root, limits=media.MediaLimits(),
                                      settings=visit_rules.TicketSettings(), now=at).ticket

    old = _report(now - timedelta(days=400), (70, 20), "送修一周没答复")
    shared = _report(now - timedelta(days=300), (80, 20), "又一台送修没答复")
    recent = _report(now - timedelta(days=10), (80, 20), "第三台送修没答复")  # the same bytes as ``shared``'s
    old_names, kept_names = list(old.photos), list(recent.photos)
    field_root = Path(app.config["LMS_MEDIA_DIR"]) / "field"
    dry = retention.purge_field_data(now=now, retention_days=180, media_root=field_root, dry_run=True)
    assert (dry.shop_reports, dry.photos_deleted) == (2, 1)
    report = retention.purge_field_data(now=now, retention_days=180, media_root=field_root)
    assert (report.shop_reports, report.photos_deleted) == (2, 1)
    assert _exists(root, old_names) == [False]
    assert _exists(root, kept_names) == [True]
    assert (db.session.get(Ticket, old.id).photos, db.session.get(Ticket, old.id).description) == ([], "送修一周没答复")
    assert db.session.get(Ticket, shared.id).photos == []
    assert db.session.get(Ticket, recent.id).photos == kept_names
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "field.data_purged")).one()
    assert entry.changes["shop_reports_purged"] == 2
