"""A shop reports a problem from its own page (反映问题): it becomes a field ticket (lms.field.tickets), routed and
due as a visit's ticket of the same category, with the shop, no visit, and the staff member's name as the reporter;
a system-operation report after the manager passed the system-ops test is R3 evidence (lms.field.r3.after_tickets),
in the same transaction. The same form sent twice (a double tap), or the same words again within minutes, is stored
once; a shop's reports per day are capped. The shop's manager gets an inbox message.

Not audited: a ticket is not an administrative act (a visit's tickets are not either); answering and closing it are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.announcements import rules as announcement_rules
from lms.announcements.delivery import deliver, path_for
from lms.core.clock import to_local, utcnow
from lms.core.errors import ValidationFailed
from lms.core.i18n import N_
from lms.courses import media
from lms.extensions import db
from lms.field import r3, tickets, visit_rules
from lms.field.visit_models import Ticket
from lms.outreach import report_queries, report_rules
from lms.outreach.models import ShopLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Photo:
    data: bytes
    filename: str


@dataclass(frozen=True)
class ReportForm:
    """What the shop's page sends: the category, the description, who, an optional phone, photos, and the key the
    page put in the form (one per form shown)."""

    category: str | None
    text: str | None
    name: str | None
    phone: str | None = None
    photos: Sequence[Photo] = ()
    form_key: str | None = None


@dataclass(frozen=True)
class Reported:
    ticket: Ticket
    repeated: bool  # the same report sent again: nothing new was stored


def _checked_photos(photos: Sequence[Photo], limits: media.MediaLimits,
                    problems: list[str]) -> list[media.CheckedMedia]:
    """Optional photos, re-encoded without their metadata (as a visit's: lms.field.visits)."""
    photos = [p for p in photos if p.data]
    if len(photos) > report_rules.MAX_PHOTOS:
        problems.append(N_("照片最多 3 张"))
    stored: list[media.CheckedMedia] = []
    for photo in photos[:report_rules.MAX_PHOTOS]:
        if not photo.filename.lower().endswith(tuple(media.IMAGE_EXTENSIONS)):
            problems.append(N_("请上传照片（JPG、PNG、WebP）"))
            continue
        try:
            stored.append(media.check_upload(photo.data, photo.filename, limits))
        except media.MediaRefused:
            problems.append(N_("有照片无法读取或超过大小上限，请换一张"))
    return stored


def report_problem(link: ShopLink, form: ReportForm, *, photo_root: Path, limits: media.MediaLimits,
                   settings: visit_rules.TicketSettings, per_day: int = report_rules.DEFAULT_PER_DAY,
                   now: datetime | None = None) -> Reported:
    """The shop's report as a ticket (or the one already stored, when it is the same report again)."""
    now = now or utcnow()
    shop = link.shop
    key = report_rules.client_key(shop.id, form.form_key)
    if key is not None and (sent := report_queries.by_client_key(key)) is not None:
        return Reported(sent, repeated=True)
    report, problems = report_rules.check_report(form.category, form.text, form.name, form.phone)
    photos = _checked_photos(form.photos, limits, problems)
    if problems or report is None:
        raise ValidationFailed(N_("问题未提交"), problems)
    for earlier, facts in report_queries.earlier_reports(shop.id, now - report_rules.REPEAT_WINDOW):
        if report_rules.is_repeat([facts], report, now):
            return Reported(earlier, repeated=True)
    if report_rules.over_daily_limit(report_queries.sent_today(shop.id, now), per_day):
        raise ValidationFailed(N_("问题未提交"), [N_("本店今天反映的问题已达上限，请直接联系渠道经理")])
    try:
        ticket = tickets.raise_shop_ticket(
            shop, visit_rules.ProblemReport(report.category, report.text), reporter_name=report.name,
            reporter_phone=report.phone, photos=[p.stored_name for p in photos], client_key=key, now=now,
            settings=settings)
    except IntegrityError:  # the same form, sent a moment ago from a second tap, was stored first
        db.session.rollback()
        sent = report_queries.by_client_key(key) if key else None
        if sent is None:
            raise
        return Reported(sent, repeated=True)
    for photo in photos:
        media.store(photo_root, photo)
    r3.after_tickets([ticket], now=now)
    db.session.commit()
    _tell_manager(ticket, now)
    return Reported(ticket, repeated=False)


def _tell_manager(ticket: Ticket, now: datetime) -> None:
    """An inbox message (and e-mail, where the person asked for it) to the shop's manager: the shop reported this
    itself, so nobody at the operator has seen it yet. Queued in its own session after the ticket is committed; a
    message that cannot be queued never undoes the report."""
    shop = ticket.shop
    if shop.manager_id is None:
        return
    lines = [f"{shop.name}（{shop.code}）的{ticket.reporter_name}在门店学习页面反映了一个问题：", "",
             f"- 类别：{ticket.category_label}", f"- 问题：{ticket.description}",
             f"- 已转交：{ticket.routed_label}，处理期限 {to_local(ticket.due_at):%Y-%m-%d}"]
    reminder = announcement_rules.Reminder(
        f"shop-report:{ticket.id}", shop.manager_id, announcement_rules.SHOP_REPORT,
        f"门店反映：{shop.name} · {ticket.category_label}", "\n".join(lines), path_for("field.ticket_list"))
    try:
        with Session(db.engine) as session:
            deliver(session, [reminder], now=now)
            session.commit()
    except Exception:  # the shop's report is stored; the message is the lesser loss, and the log says so
        log.exception("could not queue the message for shop report %s", ticket.id)
