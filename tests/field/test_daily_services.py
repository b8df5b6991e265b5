"""The daily plan and report through its services: the morning form, activities with photos, the progress report's
deadline, the supervisor's assignment, and the share the close reads."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, Forbidden, ValidationFailed
from lms.extensions import db
from lms.field import daily_services as daily
from lms.field import indicators
from lms.field.daily_models import DailyReport

MORNING = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, a Tuesday
AFTERNOON = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 16:30
EVENING = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)  # 17:05


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 0.0, 0.0)}  # GPS latitude: must not survive the re-encoding
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_the_morning_form_is_one_report_a_day_and_keeps_its_first_time(make_user):
    person = make_user()
    daily.save_plan(person, yesterday="", plan="拜访3家终端店", now=MORNING)
    report = daily.save_plan(person, yesterday="", plan="拜访4家终端店", now=AFTERNOON)
    assert (report.day, report.plan, report.plan_at) == (date(2026, 12, 1), "拜访4家终端店", MORNING)
    assert db.session.scalars(select(DailyReport)).all() == [report]
    with pytest.raises(ValidationFailed, match="今天工作计划"):
        daily.save_plan(person, yesterday="", plan="  ", now=MORNING)


def test_yesterday_is_offered_from_the_last_day_s_progress_else_its_plan(make_user):
    person = make_user()
    daily.save_plan(person, yesterday="", plan="计划A", now=datetime(2026, 11, 27, 1, tzinfo=UTC))
    assert daily.yesterday_text(person, date(2026, 11, 30)) == "计划A"
    daily.save_progress(person, text="完成A，签约2户", now=datetime(2026, 11, 27, 7, tzinfo=UTC))
    assert daily.yesterday_text(person, date(2026, 11, 30)) == "完成A，签约2户"
    assert daily.yesterday_text(person, date(2026, 11, 27)) == ""


def test_progress_after_17_00_is_late_and_the_first_filing_decides(make_user):
    early, late = make_user(), make_user()
    assert daily.save_progress(early, text="完成", now=AFTERNOON).progress_late is False
    assert daily.save_progress(early, text="补充", now=EVENING).progress_late is False
    assert daily.save_progress(late, text="完成", now=EVENING).progress_late is True


def test_an_activity_s_photos_are_stored_without_their_metadata_and_shown_to_supervisors_only(app, make_user):
    person, supervisor = make_user(), make_user("supervisor")
    stranger = make_user("supervisor", county="郊县", grid="北网格")
    activity = daily.add_activity(person, daily.ActivityInput(
        place="城东广场", latitude=30.27, longitude=120.15, handsets_sold=3, broadband_signups=2, new_lines=5),
        [(jpeg_with_gps(), "IMG_0001.jpg")], now=MORNING)
    assert activity.report.plan_at is None  # the activity came first: the plan is still due
    (name,) = activity.photos
    path = daily.activity_photo(supervisor, activity.id, name)
    assert path is not None
    assert Path(app.config["LMS_MEDIA_DIR"]) / "field" in path.parents
    with Image.open(path) as stored:
        assert not stored.getexif().get(0x8825)
    assert daily.activity_photo(person, activity.id, name) == path
    assert daily.activity_photo(stranger, activity.id, name) is None
    assert daily.activity_photo(supervisor, activity.id, "0" * 64 + ".jpg") is None


@pytest.mark.parametrize(("found", "photos", "message"), [
    (daily.ActivityInput(place=""), [], "请填写活动地点"),
    (daily.ActivityInput(place="广场", handsets_sold=-1), [], "活动成果"),
    (daily.ActivityInput(place="广场", latitude=95.0, longitude=1.0), [], "定位不正确"),
    (daily.ActivityInput(place="广场"), [(b"%PDF-1.4", "a.pdf")], "不是图片"),
    (daily.ActivityInput(place="广场"), [(b"not an image", "a.jpg")], "照片“a.jpg”"),
])
def test_an_activity_that_cannot_be_stored_says_why(make_user, found, photos, message):
    with pytest.raises(ValidationFailed, match=message):
        daily.add_activity(make_user(), found, photos, now=MORNING)


def test_an_activity_queued_offline_keeps_the_phone_s_day_is_flagged_and_is_stored_once(make_user):
    person, other = make_user(), make_user()
    evening = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai, the day before MORNING
    queued = daily.ActivityInput(place="村口地推", handsets_sold=1, device_at=evening, client_key="k1")
    activity = daily.add_activity(person, queued, [(jpeg_with_gps(), "IMG_0002.jpg")], now=MORNING)
    assert (activity.late_received, activity.device_at, activity.created_at) == (True, evening, MORNING)
    assert activity.report.day == date(2026, 11, 30)  # the day the phone recorded it, not the day it arrived
    assert daily.add_activity(person, queued, [], now=MORNING) is activity  # the answer was lost: sent again
    assert len(db.session.scalars(select(DailyReport)).one().activities) == 1
    with pytest.raises(Conflict):
        daily.add_activity(other, queued, [], now=MORNING)
    at_once = daily.add_activity(person, daily.ActivityInput(place="广场", client_key="k2"), [], now=MORNING)
    assert (at_once.late_received, at_once.device_at, at_once.report.day) == (False, None, date(2026, 12, 1))
    far_off = daily.ActivityInput(place="广场", device_at=datetime(2026, 11, 1, tzinfo=UTC))  # beyond a queue's age
    assert daily.add_activity(person, far_off, [], now=MORNING).report.day == date(2026, 12, 1)


def test_only_managers_file_reports(make_user):
    with pytest.raises(Forbidden):
        daily.save_plan(make_user("supervisor"), yesterday="", plan="x", now=MORNING)


def test_a_supervisor_assigns_in_scope_and_rewriting_is_audited(make_user):
    supervisor, person = make_user("supervisor"), make_user()
    outsider = make_user(county="郊县", grid="北网格")
    daily.assign_day(supervisor, person, day=date(2026, 12, 1), text="上午拜访城东三家店", now=MORNING)
    found = daily.assign_day(supervisor, person, day=date(2026, 12, 1), text="下午地推", now=AFTERNOON)
    assert found.text == "下午地推"
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.target_user_id) == ("field.day_assigned", person.id)
    assert entry.changes["text"] == ["上午拜访城东三家店", "下午地推"]
    with pytest.raises(Forbidden):
        daily.assign_day(supervisor, outsider, day=date(2026, 12, 1), text="x", now=MORNING)
    with pytest.raises(ValidationFailed, match="今天或以后"):
        daily.assign_day(supervisor, person, day=date(2026, 11, 30), text="x", now=MORNING)


def test_the_daily_report_share_counts_plan_and_progress_on_working_days_since_joining(make_user):
    person = make_user()
    person.joined_at = datetime(2026, 11, 26, tzinfo=UTC)  # Thursday: 27 Nov, 30 Nov due → 3 days with the 26th
    db.session.commit()
    for moment in (datetime(2026, 11, 26, 1, tzinfo=UTC), datetime(2026, 11, 28, 1, tzinfo=UTC)):
        daily.save_plan(person, yesterday="", plan="计划", now=moment)
        daily.save_progress(person, text="进展", now=moment)
    assert daily.daily_report_shares([person.id], "2026-11", date(2026, 11, 30)) == {person.id: pytest.approx(1 / 3)}


def test_the_daily_report_share_counts_no_day_ahead_of_the_close_nor_before_joining(make_user):
    """A close may run before its month ends (once the exam window shut): the days still ahead are not missed; a
    person who joined after the month had nothing due and gets no share (no row), not full marks."""
    early, late = make_user(), make_user()
    early.joined_at, late.joined_at = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    db.session.commit()
    moment = datetime(2026, 11, 2, 1, tzinfo=UTC)  # Monday
    daily.save_plan(early, yesterday="", plan="计划", now=moment)
    daily.save_progress(early, text="进展", now=moment)
    closed_on = indicators.measured_until("2026-11", datetime(2026, 11, 3, 12, tzinfo=UTC))  # Tuesday
    assert closed_on == date(2026, 11, 3)
    assert daily.daily_report_shares([early.id, late.id], "2026-11", closed_on) == {early.id: 0.5}
