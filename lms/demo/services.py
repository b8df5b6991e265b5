"""Loading the demo: people first, then their history (``history``: monthly tests sat, months closed), then the
field day (shops, check-ins, visits with their tickets, daily reports)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import hash_password
from lms.demo import checkins, daily, history, shops, visits
from lms.demo.people import DEMO_PASSWORD, demo_people
from lms.extensions import db
from lms.org import services as org

log = logging.getLogger(__name__)

# Demo people have been in post since before the history starts, so every month's test is assigned to them.
DEMO_JOINED = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class DemoReport:
    people_created: int = 0
    people_kept: int = 0
    history: list[str] = field(default_factory=list)


def load_people(company_city: str = "示例市") -> tuple[int, int]:
    """Create the demo people that are missing; never touch people who already exist (their passwords stay)."""
    org.get_city(company_city)
    existing = set(db.session.scalars(select(User.employee_no)))
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for person in demo_people():
        if person.employee_no in existing:
            continue
        county = org.ensure_county(person.county) if person.county else None
        grid = org.ensure_grid(county, person.grid) if county is not None and person.grid else None
        db.session.add(User(employee_no=person.employee_no, name=person.name, role=person.role,
                            county_id=county.id if county else None, grid_id=grid.id if grid else None,
                            phone=person.phone, password_hash=password_hash, active=True, joined_at=DEMO_JOINED))
        created += 1
    db.session.commit()
    return created, len(existing)


def load_demo() -> DemoReport:
    created, kept = load_people()
    report = DemoReport(people_created=created, people_kept=kept)
    # The tests are sat first: each month's close reads them.
    report.history.append(f"monthly tests: {history.sit_monthly_tests()}")
    report.history.append(f"assessment: {history.close_months()}")
    report.history.append(f"training packs: {history.publish_packs()}")
    report.history.append(f"shops: {shops.load_shops()} added")
    report.history.append(f"business halls placed: {checkins.place_halls()}; "
                          f"check-ins: {checkins.record_checkins()}")
    report.history.append(f"visits: {visits.record_visits()}")
    days, activities = daily.record_days()
    report.history.append(f"daily reports: {days} days written, {activities} ground activities")
    return report


def demo_accounts() -> list[User]:
    """One of each kind, for the printout: admin, trainers, every supervisor, a few managers per county."""
    numbers = [p.employee_no for p in demo_people()]
    people = {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers)))}
    shown: list[User] = []
    managers_per_county: dict[int | None, int] = {}
    for number in numbers:
        user = people.get(number)
        if user is None:
            continue
        if user.role == "manager":
            if managers_per_county.get(user.county_id, 0) >= 2:
                continue
            managers_per_county[user.county_id] = managers_per_county.get(user.county_id, 0) + 1
        shown.append(user)
    return shown
