"""The daily plan and report, written: the morning form, ground activities with their photos, the progress report
due at 17:00, the supervisor's assignment of the day; and the daily-report share the monthly close reads.

Each writer owns its commit. Days are local (Asia/Shanghai) days; a manager writes only today's report, except a
ground activity queued on the phone with no signal, which joins the day the phone recorded it (as a visit counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts import rules as account_rules
from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import to_local
from lms.core.errors import Conflict, Forbidden, ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.field import indicator_rules, indicators, visit_rules
from lms.field.daily_models import DailyReport, DayAssignment, GroundActivity
from lms.field.photos import media_root
from lms.field.rules import valid_position

MAX_TEXT = 2000
MAX_PHOTOS = 6
MAX_COUNT = 100_000


def local_day(now: datetime) -> date:
    return to_local(now).date()


def progress_due() -> time:
    return indicator_rules.parse_due(current_app.config["LMS_FIELD_PROGRESS_DUE"])


def report_for(user: User, day: date) -> DailyReport | None:
    return db.session.scalar(select(DailyReport).where(DailyReport.user_id == user.id, DailyReport.day == day))


def assignment_for(user: User, day: date) -> DayAssignment | None:
    return db.session.scalar(select(DayAssignment).where(DayAssignment.manager_id == user.id,
                                                         DayAssignment.day == day))


def yesterday_text(user: User, day: date) -> str:
    """What the morning form offers as yesterday's work: the last earlier day's progress report, else its plan."""
    earlier = db.session.scalar(select(DailyReport).where(DailyReport.user_id == user.id, DailyReport.day < day)
                                .order_by(DailyReport.day.desc()).limit(1))
    if earlier is None:
        return ""
    return earlier.progress or earlier.plan


def _check_manager(user: User) -> None:
    if user.role != account_rules.MANAGER:
        raise Forbidden("只有渠道经理填写工作日报")


def _text(value: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}")
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"{label}不能超过 {MAX_TEXT} 个字")
    return value


def _report(user: User, day: date) -> DailyReport:
    found = report_for(user, day)
    if found is None:
        found = DailyReport(user_id=user.id, day=day)
        db.session.add(found)
    return found


def save_plan(user: User, *, yesterday: str, plan: str, now: datetime) -> DailyReport:
    """The morning form: yesterday's work and today's plan. Filing it again corrects the text; the first filing's
    time stays the time the plan was submitted."""
    _check_manager(user)
    yesterday = _text(yesterday, "昨日工作情况", required=False)
    plan = _text(plan, "今天工作计划", required=True)
    report = _report(user, local_day(now))
    report.yesterday, report.plan = yesterday, plan
    report.plan_at = report.plan_at or now
    db.session.commit()
    return report


def save_progress(user: User, *, text: str, now: datetime) -> DailyReport:
    """The progress report, due before 17:00 (LMS_FIELD_PROGRESS_DUE); the first filing's time decides lateness."""
    _check_manager(user)
    text = _text(text, "工作进展", required=True)
    report = _report(user, local_day(now))
    report.progress = text
    if report.progress_at is None:
        report.progress_at = now
        report.progress_late = indicator_rules.is_progress_late(to_local(now), progress_due())
    db.session.commit()
    return report


@dataclass(frozen=True)
class ActivityInput:
    place: str
    latitude: float | None = None
    longitude: float | None = None
    handsets_sold: int = 0
    broadband_signups: int = 0
    new_lines: int = 0
    note: str = ""
    device_at: datetime | None = None  # the phone's time of an activity queued offline
    client_key: str | None = None  # the form's key: a resend of a queued activity is stored once


def add_activity(user: User, found: ActivityInput, photos: Sequence[tuple[bytes, str]], *,
                 now: datetime) -> GroundActivity:
    """A ground activity of today with its photos, each re-encoded without metadata (lms.courses.media). One the
    phone queued offline (``device_at``) is flagged late-received and belongs to the day the phone recorded it when
    that is plausible (``visit_rules.counted_at``); sent again with the same key, the stored one is returned."""
    _check_manager(user)
    if found.client_key:
        existing = db.session.scalar(select(GroundActivity).where(GroundActivity.client_key == found.client_key))
        if existing is not None:  # the phone sent the queued activity again (its answer was lost)
            if existing.report.user_id != user.id:
                raise Conflict("该活动记录已由他人提交")
            return existing
    place = _text(found.place, "活动地点", required=True)[:200]
    note = _text(found.note, "备注", required=False)
    counts = (found.handsets_sold, found.broadband_signups, found.new_lines)
    if any(not 0 <= c <= MAX_COUNT for c in counts):
        raise ValidationFailed(f"活动成果须在 0 到 {MAX_COUNT} 之间")
    has_position = found.latitude is not None or found.longitude is not None
    if has_position and not valid_position(found.latitude, found.longitude):
        raise ValidationFailed("定位不正确，请重新获取位置")
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"每个活动最多上传 {MAX_PHOTOS} 张照片")
    limits = media.MediaLimits.from_settings(current_app.config)
    checked = []
    for data, filename in photos:
        try:
            item = media.check_upload(data, filename, limits)
        except media.MediaRefused as exc:
            raise ValidationFailed(f"照片“{media.clean_name(filename)}”：{exc}") from exc
        if not item.is_image:
            raise ValidationFailed(f"照片“{media.clean_name(filename)}”不是图片")
        checked.append(item)
    names = [media.store(media_root(), item).name for item in checked]
    day = local_day(visit_rules.counted_at(now, found.device_at))
    activity = GroundActivity(report=_report(user, day), place=place, latitude=found.latitude,
                              longitude=found.longitude, photos=names, handsets_sold=found.handsets_sold,
                              broadband_signups=found.broadband_signups, new_lines=found.new_lines, note=note,
                              created_at=now, device_at=found.device_at, late_received=found.device_at is not None,
                              client_key=found.client_key or None)
    db.session.add(activity)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same key sent twice at once
        db.session.rollback()
        raise Conflict("该活动记录已提交") from exc
    return activity


def can_assign(actor: User, manager: User) -> bool:
    return (actor.role in (account_rules.SUPERVISOR, account_rules.ADMIN) and manager.role == account_rules.MANAGER
            and manager.active and can_view_person(actor, manager))


def assign_day(actor: User, manager: User, *, day: date, text: str, now: datetime) -> DayAssignment:
    """The day's work for one manager; writing it again replaces it (the audit entry keeps both texts)."""
    if not can_assign(actor, manager):
        raise Forbidden("只能为您管辖范围内的渠道经理布置工作")
    if day < local_day(now):
        raise ValidationFailed("只能布置今天或以后的工作")
    text = _text(text, "工作安排", required=True)
    found = db.session.scalar(select(DayAssignment).where(DayAssignment.manager_id == manager.id,
                                                          DayAssignment.day == day))
    before = found.text if found is not None else None
    if found is None:
        found = DayAssignment(manager_id=manager.id, day=day, text=text, created_by_id=actor.id, created_at=now)
        db.session.add(found)
    else:
        found.text, found.created_by_id, found.created_at = text, actor.id, now
    audit.record(audit_rules.DAY_ASSIGNED, actor=actor, target=manager, subject=day.isoformat(),
                 changes={"day": day.isoformat(), "text": [before, text]})
    db.session.commit()
    return found


def can_see_photos(viewer: User, person: User) -> bool:
    """Photos and places are sensitive (PIPL): the person and their supervisors; not trainers or administrators,
    whose scope is everyone."""
    return viewer.id == person.id or (viewer.role == account_rules.SUPERVISOR and can_view_person(viewer, person))


def activity_photo(viewer: User, activity_id: int, name: str) -> Path | None:
    """The file of one of an activity's photos, for the person and their supervisors only (None: not theirs)."""
    activity = db.session.get(GroundActivity, activity_id)
    if activity is None or name not in (activity.photos or []):
        return None
    if not can_see_photos(viewer, activity.report.user):
        return None
    path = media.stored_path(media_root(), name)
    return path if path.is_file() else None


@indicators.register(indicator_rules.DAILY_REPORT_RATE)
def daily_report_shares(user_ids: Sequence[int], period: str, until: date) -> dict[int, float]:
    """Working days with both the plan and the progress report, over the working days due: from the day each
    joined, up to the month's end or today. A person with no day due yet is left out (nothing to measure)."""
    days = indicator_rules.period_days(period)
    joined = indicators.joined_days(user_ids)
    filed: dict[int, set[date]] = {user_id: set() for user_id in joined}
    rows = db.session.execute(select(DailyReport.user_id, DailyReport.day).where(
        DailyReport.user_id.in_(list(filed)), DailyReport.day.between(days[0], days[-1]),
        DailyReport.plan_at.is_not(None), DailyReport.progress_at.is_not(None)))
    for user_id, day in rows:
        filed[user_id].add(day)
    due = {user_id: indicator_rules.working_days(period, joined=joined[user_id], until=until) for user_id in filed}
    return {user_id: indicator_rules.daily_report_rate(filed[user_id], due[user_id])
            for user_id in filed if due[user_id]}
