"""Use cases for administering people: the roster import and activation. Services own the commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts import rules
from lms.accounts.models import User, new_session_token
from lms.core.errors import NotFound, ValidationFailed
from lms.core.tabular import read_table
from lms.extensions import db
from lms.org import services as org

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RosterReport:
    created: int
    updated: int
    rows: int


def import_roster(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> RosterReport:
    """All or nothing: every row is checked first; any problem raises ValidationFailed listing each row."""
    table = read_table(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    parsed = rules.parse_roster_rows(table.header, table.rows)
    if parsed.problems:
        raise ValidationFailed(f"{filename}：发现 {len(parsed.problems)} 处问题，未导入任何数据", parsed.problems)
    existing = {
        u.employee_no: u
        for u in db.session.scalars(select(User).where(User.employee_no.in_([r.employee_no for r in parsed.rows])))
    }
    created = updated = 0
    try:
        for row in parsed.rows:
            county = org.ensure_county(row.county) if row.county else None
            grid = org.ensure_grid(county, row.grid) if county is not None and row.grid else None
            user = existing.get(row.employee_no)
            if user is None:
                user = User(employee_no=row.employee_no, active=True)
                db.session.add(user)
                created += 1
            else:
                updated += 1
            user.name = row.name
            user.role = row.role
            user.phone = row.phone
            user.county_id = county.id if county else None
            user.grid_id = grid.id if grid else None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("roster %s: %d created, %d updated", filename, created, updated)
    return RosterReport(created=created, updated=updated, rows=len(parsed.rows))


def set_active(user_id: int, active: bool) -> User:
    """Deactivate (someone who left) or reactivate; deactivation ends their sessions and API tokens' use."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("没有该人员")
    user.active = active
    if not active:
        user.session_token = new_session_token()
    db.session.commit()
    log.info("%s %s", user.employee_no, "activated" if active else "deactivated")
    return user
