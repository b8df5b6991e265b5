"""Demo check-ins: each grid's business hall placed, and the last working days' check-ins of the first grid's
managers (most on time near the hall, some late, far or sent late from a phone's queue), without photos, so the
check-in pages and the board have something to show. Idempotent: the keys are fixed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.clock import SHANGHAI, to_local, utcnow
from lms.extensions import db
from lms.field import checkin_rules as rules
from lms.field.checkin_models import CheckIn, PrivacyAcknowledgement
from lms.field.rules import distance_m
from lms.org.models import GRID, Unit

HALL_BASE = (30.6598, 104.0633)  # the demo city's first business hall; the others a few kilometres apart
DAYS = 5


def place_halls() -> int:
    placed = 0
    for index, grid in enumerate(db.session.scalars(select(Unit).where(Unit.kind == GRID).order_by(Unit.id))):
        if grid.latitude is None:
            grid.latitude, grid.longitude = HALL_BASE[0] + 0.02 * index, HALL_BASE[1] + 0.015 * (index % 3)
            placed += 1
    db.session.commit()
    return placed


def working_days_before(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if rules.is_working_day(day):
            days.append(day)
    return days


def record_checkins(now: datetime | None = None) -> int:
    now = now or utcnow()
    grid = db.session.scalars(select(Unit).where(Unit.kind == GRID).order_by(Unit.id)).first()
    if grid is None or grid.latitude is None or grid.longitude is None:
        return 0
    managers = list(db.session.scalars(select(User).where(User.grid_id == grid.id, User.role == "manager")
                                       .order_by(User.employee_no)))
    written = 0
    for person_index, person in enumerate(managers):
        if db.session.scalar(select(PrivacyAcknowledgement.id).where(PrivacyAcknowledgement.user_id == person.id)) \
                is None:
            db.session.add(PrivacyAcknowledgement(user_id=person.id, version=rules.PRIVACY_NOTICE_VERSION,
                                                  acknowledged_at=now - timedelta(days=10)))
        for day_index, day in enumerate(working_days_before(to_local(now).date(), DAYS)):
            for slot, minute in ((rules.MORNING, 55), (rules.EVENING, 5)):
                key = f"demo:{person.employee_no}:{day.isoformat()}:{slot}"
                if db.session.scalar(select(CheckIn.id).where(CheckIn.idempotency_key == key)) is not None:
                    continue
                turn = (person_index + day_index) % 7
                if turn == 6 and slot == rules.EVENING:
                    continue  # a missing evening check-in
                hour = 7 if slot == rules.MORNING else 17
                taken = datetime.combine(day, time(hour, minute), SHANGHAI) + timedelta(minutes=25 * (turn == 1))
                offset = 0.012 if turn == 2 else 0.0004 * (person_index % 3)
                lat, lng = grid.latitude + offset, grid.longitude + 0.0003
                judged = rules.assess(slot, taken, rules.Position(lat, lng, 15.0), (grid.latitude, grid.longitude),
                                      rules.CheckinSettings())
                queued = turn == 3 and slot == rules.MORNING
                arrived = taken + timedelta(hours=2) if queued else taken
                db.session.add(CheckIn(
                    user_id=person.id, slot=slot, day=day, at=arrived.astimezone(UTC),
                    device_at=taken.astimezone(UTC), late_received=queued, latitude=lat, longitude=lng,
                    accuracy_m=15.0, distance_m=round(distance_m(lat, lng, grid.latitude, grid.longitude), 1),
                    place_label=f"{grid.name}营业厅", place_latitude=grid.latitude, place_longitude=grid.longitude,
                    late=judged.late, early=judged.early, far=judged.far, no_location=False,
                    idempotency_key=key))
                written += 1
    db.session.commit()
    return written
