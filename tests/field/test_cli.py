"""``flask field purge`` on check-ins: photos and coordinates past the retention period go, the check-ins and their
flags stay (the month's rate still counts them); a report and an audit entry; --dry-run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.courses import media
from lms.extensions import db
from lms.field import checkin_queries
from lms.field.checkin_models import CheckIn
from tests.field.checkin_support import app_config, photo  # noqa: F401 - app_config: a media folder of its own
from tests.support.people import LONG_AGO


def _stored(app: Any, picture: bytes) -> str:
    checked = media.check_upload(picture, "p.jpg", media.MediaLimits())
    media.store(Path(app.config["LMS_MEDIA_DIR"]) / "field", checked)
    return checked.stored_name


def _checkin(user: Any, day: date, name: str, *, late: bool = False) -> CheckIn:
    row = CheckIn(user_id=user.id, slot="morning", day=day, at=datetime(day.year, day.month, day.day, 0, tzinfo=UTC),
                  latitude=30.66, longitude=104.06, accuracy_m=10, distance_m=90, place_latitude=30.6598,
                  place_longitude=104.0633, photo_name=name, photo_content_type="image/jpeg", late=late,
                  idempotency_key=f"k-{day}")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def history(app: Any, make_user: Any) -> dict[str, Any]:
    person = make_user("manager")
    today = utcnow().date()
    old_name = _stored(app, photo((30, 20)))
    shared_name = _stored(app, photo((40, 20)))
    old = _checkin(person, date.fromordinal(today.toordinal() - 400), old_name, late=True)
    shared_old = _checkin(person, date.fromordinal(today.toordinal() - 300), shared_name)
    kept = _checkin(person, date.fromordinal(today.toordinal() - 10), shared_name)  # the same bytes, still kept
    return {"person": person, "old": old, "shared_old": shared_old, "kept": kept, "old_name": old_name,
            "shared_name": shared_name, "root": Path(app.config["LMS_MEDIA_DIR"]) / "field"}


def test_dry_run_counts_and_changes_nothing(runner: Any, history: dict[str, Any]) -> None:
    result = runner.invoke(args=["field", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "check-ins: 2 would be purged" in result.output
    assert "photos: 1 to delete" in result.output
    assert db.session.scalars(select(CheckIn).where(CheckIn.purged_at.is_not(None))).first() is None
    assert media.stored_path(history["root"], history["old_name"]).is_file()


def test_purge_clears_old_photos_and_coordinates_and_keeps_the_facts(runner: Any, history: dict[str, Any]) -> None:
    result = runner.invoke(args=["field", "purge"])
    assert result.exit_code == 0, result.output
    kept_day = history["kept"].day.isoformat()
    assert "check-ins: 2 purged" in result.output
    assert "photos: 1 deleted" in result.output
    assert f"oldest check-in kept: {kept_day}" in result.output
    old = db.session.get(CheckIn, history["old"].id)
    assert old is not None
    assert old.purged_at is not None
    assert old.late
    assert (old.photo_name, old.latitude, old.longitude, old.place_latitude) == (None, None, None, None)
    assert not media.stored_path(history["root"], history["old_name"]).exists()
    # a photo a kept check-in shares is not deleted
    assert media.stored_path(history["root"], history["shared_name"]).is_file()
    kept = db.session.get(CheckIn, history["kept"].id)
    assert kept is not None
    assert kept.photo_name == history["shared_name"]
    assert kept.latitude == 30.66
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "field.data_purged")).one()
    assert entry.changes["checkins_purged"] == 2
    assert entry.changes["retention_days"] == 180
    again = runner.invoke(args=["field", "purge"])
    assert "check-ins: 0 purged" in again.output


def test_the_retention_is_a_setting_and_days_can_be_given(runner: Any, history: dict[str, Any], app: Any) -> None:
    app.config["LMS_FIELD_RETENTION_DAYS"] = 350
    assert "check-ins: 1 purged" in runner.invoke(args=["field", "purge"]).output
    assert "check-ins: 2 purged" in runner.invoke(args=["field", "purge", "--days", "5"]).output  # the other two
    assert runner.invoke(args=["field", "purge", "--days", "0"]).exit_code != 0


def test_checkin_rate_for_the_process_indicators(make_user: Any) -> None:
    person = make_user("manager")
    person.joined_at = LONG_AGO  # nothing is due before a person joined
    _checkin(person, date(2026, 12, 1), "", late=False)  # Tuesday: on time
    _checkin(person, date(2026, 12, 2), "", late=True)  # Wednesday: late
    # Tue 1 .. Thu 3: 3 working days, 6 required check-ins, one of them compliant
    assert checkin_queries.checkin_rate(person.id, "2026-12", today=date(2026, 12, 3)) == round(1 / 6, 4)
    assert checkin_queries.checkin_rate(person.id, "2026-11", today=date(2026, 12, 3)) == 0.0
    assert checkin_queries.checkin_rate(person.id, "2027-01", today=date(2026, 12, 3)) is None
