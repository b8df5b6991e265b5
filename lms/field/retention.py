"""Retention (PIPL): the photos and coordinates of the field day are kept for LMS_FIELD_RETENTION_DAYS, then purged.

What goes: check-in photos and coordinates, visit photos and coordinates, ground-activity photos and coordinates, the
photos a shop sent with its own report. What stays: the facts — a check-in and its flags (the month's rate), a visit
with its checklist answers, distance to the shop and tickets, an activity with its place and results, a shop's report
with its words and answer. Each purged row gets ``purged_at`` so its pages say
the photo was removed after the retention period. A stored photo (content-addressed, so rows may share one) is
deleted only when no kept row of any kind still names it. One audit entry per run, after which the files go."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import SHANGHAI, local_midnight, to_local
from lms.courses import media
from lms.extensions import db
from lms.field import visit_rules
from lms.field.checkin_models import CheckIn
from lms.field.daily_models import DailyReport, GroundActivity
from lms.field.photos import SHOP_REPORTS
from lms.field.visit_models import Ticket, Visit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: date  # rows of a local day before this are purged
    checkins: int  # check-ins whose photo and coordinates were (or would be) cleared
    visits: int  # visits whose photos and coordinates were (or would be) cleared
    activities: int  # ground activities whose photos and coordinates were (or would be) cleared
    photos_deleted: int  # files removed from disk (all kinds; a file shared with a kept row stays)
    oldest_kept: date | None  # the oldest check-in that still has its photo or coordinates
    dry_run: bool
    shop_reports: int = 0  # shops' own reports (tickets) whose photos were (or would be) cleared


def cutoff_day(now: datetime, retention_days: int) -> date:
    return to_local(now, SHANGHAI).date() - timedelta(days=retention_days)


def _names(lists: Iterable[list[str] | None]) -> set[str]:
    return {name for names in lists for name in (names or []) if name}


def _shop_report_photos(cutoff_at: datetime) -> tuple[list[Ticket], list[str]]:
    """The shops' own reports raised before the cutoff that still have photos, and the photo files (in their own
    folder) that no later report names."""
    old = [t for t in db.session.scalars(select(Ticket).where(Ticket.source == visit_rules.FROM_SHOP,
                                                            Ticket.raised_at < cutoff_at)) if t.photos]
    names = _names(t.photos for t in old)
    kept = _names(db.session.scalars(select(Ticket.photos).where(
        Ticket.source == visit_rules.FROM_SHOP, Ticket.raised_at >= cutoff_at))) if names else set()
    return old, sorted(names - kept)


def purge_field_data(*, now: datetime, retention_days: int, media_root: Path, dry_run: bool = False) -> PurgeReport:
    """Clear photos and coordinates of check-ins, visits and ground activities of a local day older than
    ``retention_days``; delete the photo files no kept row names. Audited; ``dry_run`` only counts."""
    cutoff = cutoff_day(now, retention_days)
    cutoff_at = local_midnight(cutoff)
    checkins = list(db.session.scalars(select(CheckIn).where(CheckIn.day < cutoff, CheckIn.purged_at.is_(None))))
    visits = list(db.session.scalars(select(Visit).where(Visit.counted_at < cutoff_at, Visit.purged_at.is_(None))))
    activities = list(db.session.scalars(select(GroundActivity).join(DailyReport).where(
        DailyReport.day < cutoff, GroundActivity.purged_at.is_(None))))
    names = ({c.photo_name for c in checkins if c.photo_name} | _names(v.photos for v in visits)
             | _names(a.photos for a in activities))
    kept = set(db.session.scalars(select(CheckIn.photo_name).where(
        CheckIn.day >= cutoff, CheckIn.photo_name.in_(names)))) if names else set()
    if names:  # photo lists are JSON: read the kept rows' lists (only the column) and look
        kept |= _names(db.session.scalars(select(Visit.photos).where(Visit.counted_at >= cutoff_at)))
        kept |= _names(db.session.scalars(select(GroundActivity.photos).join(DailyReport).where(
            DailyReport.day >= cutoff)))
    deletable = sorted(names - kept)
    reports, report_photos = _shop_report_photos(cutoff_at)
    oldest_kept = db.session.scalar(select(func.min(CheckIn.day)).where(CheckIn.day >= cutoff))
    report = PurgeReport(cutoff, len(checkins), len(visits), len(activities), len(deletable) + len(report_photos),
                         oldest_kept, dry_run, len(reports))
    if dry_run or not (checkins or visits or activities or reports):
        return report
    for checkin in checkins:
        checkin.photo_name = checkin.photo_content_type = None
        checkin.latitude = checkin.longitude = checkin.accuracy_m = None
        checkin.place_latitude = checkin.place_longitude = None
        checkin.purged_at = now
    for visit in visits:  # the answers, the distance to the shop and the tickets stay
        visit.photos = []
        visit.latitude = visit.longitude = None
        visit.purged_at = now
    for activity in activities:  # the place as written and the results stay
        activity.photos = []
        activity.latitude = activity.longitude = None
        activity.purged_at = now
    for ticket in reports:  # the ticket, its words and its answer stay
        ticket.photos = []
    audit.record(audit_rules.FIELD_DATA_PURGED, subject=f"before {cutoff.isoformat()}", changes={
        "checkins_purged": len(checkins), "visits_purged": len(visits), "activities_purged": len(activities),
        "shop_reports_purged": len(reports), "photos_deleted": report.photos_deleted,
        "retention_days": retention_days,
        "oldest_kept": oldest_kept.isoformat() if oldest_kept else None})
    db.session.commit()
    for root, gone in ((media_root, deletable), (media_root / SHOP_REPORTS, report_photos)):
        for name in gone:  # after the commit: a failed commit leaves every photo where it was
            if media.is_stored_name(name):
                media.stored_path(root, name).unlink(missing_ok=True)
    log.info("field purge before %s: %d check-ins, %d visits, %d activities, %d photos", cutoff, len(checkins),
             len(visits), len(activities), len(deletable))
    return report
