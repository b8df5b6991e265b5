"""Reminding the shops that have not finished their month (提醒未学习的门店): which of a manager's shops are not done
and at which stage (lms.outreach.reminder_rules), and the manager's reminders recorded per shop and month.

The reminder itself is a message the manager pastes into the shop's WeChat group, so what is recorded is that the
manager says they sent it: how often and when. Not an administrative act: recorded, not audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.i18n import N_
from lms.extensions import db
from lms.outreach import contacts, queries, reminder_rules, rules
from lms.outreach.followup_models import ShopReminder

STAGE_LABELS = {
    reminder_rules.NOT_OPENED: N_("未打开"),
    reminder_rules.NOT_READ: N_("已打开，未确认学习"),
    reminder_rules.NOT_PASSED: N_("已确认，测验未通过"),
}


@dataclass(frozen=True)
class PendingShop:
    row: queries.ShopRow
    stage: str  # reminder_rules.STAGES
    reminder: ShopReminder | None

    @property
    def has_active_link(self) -> bool:
        return self.row.link is not None and self.row.link_state == rules.ACTIVE


def reminders_of(shop_ids: Sequence[int], period: str) -> dict[int, ShopReminder]:
    if not shop_ids:
        return {}
    stmt = select(ShopReminder).where(ShopReminder.shop_id.in_(shop_ids), ShopReminder.period == period)
    return {reminder.shop_id: reminder for reminder in db.session.scalars(stmt)}


def stage_of(row: queries.ShopRow, *, has_check: bool) -> str | None:
    reading = row.reading
    return reminder_rules.stage(opened=reading is not None,
                                confirmed=reading is not None and reading.confirmed_at is not None,
                                passed=reading is not None and bool(reading.check_passed), has_check=has_check)


def month_has_check(period: str) -> bool:
    return bool(queries.check_questions(queries.shop_pack(period)))


def pending_shops(rows: Iterable[queries.ShopRow], period: str, *, has_check: bool) -> list[PendingShop]:
    """The shops of ``rows`` their viewer shares (their own, open) whose month is not done, in the rows' order."""
    stuck = [(row, stage) for row in rows if row.can_share
             and (stage := stage_of(row, has_check=has_check)) is not None]
    found = reminders_of([row.shop.id for row, _stage in stuck], period)
    return [PendingShop(row, stage, found.get(row.shop.id)) for row, stage in stuck]


@dataclass(frozen=True)
class Followup:
    """What the manager's page shows under a shop: where its month is stuck, the reminders, how many contacts."""

    stage: str | None
    reminder: ShopReminder | None
    contacts: int


def followups(rows: Sequence[queries.ShopRow], period: str, *, has_check: bool) -> dict[int, Followup]:
    ids = [row.shop.id for row in rows]
    found = reminders_of(ids, period)
    counts = contacts.contact_counts(ids)
    return {row.shop.id: Followup(stage_of(row, has_check=has_check), found.get(row.shop.id),
                                  counts.get(row.shop.id, 0)) for row in rows}


def _reminder(shop_id: int, period: str, now: datetime) -> ShopReminder:
    found = db.session.scalar(select(ShopReminder).where(ShopReminder.shop_id == shop_id,
                                                         ShopReminder.period == period))
    if found is not None:
        return found
    fresh = ShopReminder(shop_id=shop_id, period=period, count=0, first_reminded_at=now, reminded_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(fresh)
    except IntegrityError:  # the same manager's other tab recorded the same shop at the same moment
        found = db.session.scalar(select(ShopReminder).where(ShopReminder.shop_id == shop_id,
                                                             ShopReminder.period == period))
        assert found is not None  # noqa: S101 - the other insert is what failed this one
        return found
    return fresh


def record_reminders(actor: User, period: str, shop_ids: Sequence[int] | None = None, *,
                     now: datetime | None = None) -> list[ShopReminder]:
    """The manager reminded these shops (None: every shop of theirs not done this month). A shop that is not the
    manager's, or whose month is already done, is left out: there was nothing to remind it of."""
    now = now or utcnow()
    rows = queries.shop_rows(actor, period, now)
    pending = pending_shops(rows, period, has_check=month_has_check(period))
    wanted = set(shop_ids) if shop_ids is not None else None
    recorded = []
    for shop in pending:
        if wanted is not None and shop.row.shop.id not in wanted:
            continue
        reminder = _reminder(shop.row.shop.id, period, now)
        reminder.count = (reminder.count or 0) + 1
        reminder.reminded_at = now
        reminder.reminded_by_id = actor.id
        recorded.append(reminder)
    db.session.commit()
    return recorded
