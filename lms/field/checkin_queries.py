"""Reading check-ins: a person's day and month, a supervisor's board for their scope (today, and the month's rate
per manager), and ``checkin_rate`` for the process indicators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.core.clock import local_date, to_local, utcnow
from lms.core.errors import NotFound
from lms.extensions import db
from lms.field import checkin_rules as rules
from lms.field.checkin_models import CheckIn
from lms.field.rules import period_dates


def get_checkin(checkin_id: int) -> CheckIn:
    found = db.session.get(CheckIn, checkin_id)
    if found is None:
        raise NotFound("没有这条签到")
    return found


def day_checkins(user_id: int, day: date) -> dict[str, CheckIn]:
    rows = db.session.scalars(select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.day == day))
    return {row.slot: row for row in rows}


def person_checkins(user_id: int, period: str) -> list[CheckIn]:
    first, following = period_dates(period)
    return list(db.session.scalars(select(CheckIn).where(
        CheckIn.user_id == user_id, CheckIn.day >= first, CheckIn.day < following)
        .order_by(CheckIn.day.desc(), CheckIn.at.desc())))


Record = tuple[date, str, bool, bool, bool, bool]  # day, slot, late, early, far, no_location


def _records(user_ids: list[int], period: str) -> dict[int, list[Record]]:
    first, following = period_dates(period)
    records: dict[int, list[Record]] = {uid: [] for uid in user_ids}
    if user_ids:
        rows = db.session.execute(select(CheckIn.user_id, CheckIn.day, CheckIn.slot, CheckIn.late, CheckIn.early,
                                         CheckIn.far, CheckIn.no_location)
                                  .where(CheckIn.user_id.in_(user_ids), CheckIn.day >= first, CheckIn.day < following))
        for uid, day, slot, late, early, far, no_location in rows:
            records[uid].append((day, slot, late, early, far, no_location))
    return records


def _judged(period: str, records: list[Record], today: date, joined: date | None = None) -> rules.MonthCompliance:
    return rules.month_compliance(period, [(day, slot, not any(flags)) for day, slot, *flags in records], today,
                                  joined)


def _compliance(user_ids: list[int], period: str, today: date,
                joined: dict[int, date | None] | None = None) -> dict[int, rules.MonthCompliance]:
    return {uid: _judged(period, found, today, (joined or {}).get(uid))
            for uid, found in _records(user_ids, period).items()}


def month_compliances(user_ids: list[int], period: str, today: date,
                      joined: dict[int, date | None] | None = None) -> dict[int, rules.MonthCompliance]:
    """Each person's required check-ins of ``period`` up to ``today`` (from the day they joined, where ``joined``
    says), done and compliant, in one query."""
    return _compliance(user_ids, period, today, joined)


def checkin_rate(user_id: int, period: str, today: date | None = None) -> float | None:
    """The share (0..1) of a person's required check-ins of ``period`` done on time and at the place, counting
    working days up to ``today`` (the whole month once it is over); None when no working day has passed."""
    today = today or to_local(utcnow()).date()
    joined_at = db.session.scalar(select(User.joined_at).where(User.id == user_id))
    return _compliance([user_id], period, today, {user_id: local_date(joined_at)})[user_id].rate


@dataclass(frozen=True)
class TodayRow:
    person: User
    done: dict[str, CheckIn]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class MonthRow:
    person: User
    compliance: rules.MonthCompliance
    flags: rules.MonthFlags


def board_today(viewer: User, now_local: datetime, grace_minutes: int) -> list[TodayRow]:
    """Each manager in the viewer's scope with today's check-ins and the required ones already missed."""
    people = managers_in_scope(viewer, with_units=True)
    day = now_local.date()
    found: dict[int, dict[str, CheckIn]] = {p.id: {} for p in people}
    if people:
        for row in db.session.scalars(select(CheckIn).where(CheckIn.day == day, CheckIn.user_id.in_(found))):
            found[row.user_id][row.slot] = row
    return [TodayRow(p, found[p.id], rules.missing_slots(day, set(found[p.id]), now_local, grace_minutes))
            for p in people]


def board_month(viewer: User, period: str, today: date) -> list[MonthRow]:
    """Each manager in the viewer's scope with the month's compliance and flags (one query for all)."""
    people = managers_in_scope(viewer, with_units=True)
    records = _records([p.id for p in people], period)
    return [MonthRow(p, _judged(period, records[p.id], today, local_date(p.joined_at)),
                     rules.month_flags([(day, late, early, far, none) for day, _slot, late, early, far, none
                                        in records[p.id]])) for p in people]


MONTH_HEADERS = ["工号", "姓名", "县区", "网格", "签到天数", "应签", "已签", "合规", "迟到", "早退", "不在规定地点",
                 "无位置", "缺签", "签到率(%)"]


def month_rows(rows: list[MonthRow]) -> list[list[object]]:
    """The board's month table as the export's rows (the page's rows)."""
    return [[r.person.employee_no, r.person.name, r.person.county.name if r.person.county else "",
             r.person.grid.name if r.person.grid else "", r.flags.days, r.compliance.required, r.compliance.done,
             r.compliance.compliant, r.flags.late, r.flags.early, r.flags.far, r.flags.no_location,
             r.compliance.missing, None if r.compliance.rate is None else round(r.compliance.rate * 100, 1)]
            for r in rows]
