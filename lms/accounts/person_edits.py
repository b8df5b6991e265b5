"""An administrator's acts on one person from the people pages: add one person, edit their name, phone, role and
unit. The roster import's checks and guards apply (``rules.person_problems``, ``rules.refuse_edit``: no changing
one's own role, never the last active admin). Each act commits with an audit entry per changed field, and a change
of role, county or grid is kept in the person's history (``lms.accounts.history``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from lms.accounts import history, passwords, rules, sessions
from lms.accounts.models import User
from lms.accounts.services import hash_password
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.org.models import COUNTY, GRID, Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """Where a person belongs: a grid (and its county), a county alone, or the whole city (both None)."""

    county: Unit | None
    grid: Unit | None

    @property
    def names(self) -> dict[str, str | None]:
        return {history.COUNTY: self.county.name if self.county else None,
                history.GRID: self.grid.name if self.grid else None}


def placement(unit_id: int | None) -> Placement:
    """The county and grid for a picked unit id (a grid brings its county). Only active units can be picked."""
    if unit_id is None:
        return Placement(None, None)
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind not in (COUNTY, GRID) or not unit.active:
        raise ValidationFailed("请选择一个在用的县区或网格", ["请选择一个在用的县区或网格"], code="unit")
    if unit.kind == GRID:
        return Placement(unit.parent, unit)
    return Placement(unit, None)


def _check(employee_no: str, name: str, role: str, where: Placement, phone: str | None) -> None:
    _, problems = rules.person_problems(employee_no, name, role, county=where.names[history.COUNTY],
                                        grid=where.names[history.GRID], phone=phone)
    if problems:
        raise ValidationFailed("未保存：" + "；".join(problems), problems)


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == rules.ADMIN, User.active.is_(True))) or 0


def add_person(*, employee_no: str, name: str, phone: str | None, role: str, unit_id: int | None,
               actor: User) -> tuple[User, str]:
    """A new person with a temporary password (returned, to be shown once; changed at the first sign-in).
    Refused when the employee number exists (deactivated people included: reactivate them instead)."""
    employee_no, name, phone = employee_no.strip(), name.strip(), (phone or "").strip() or None
    where = placement(unit_id)
    _check(employee_no, name, role, where, phone)
    if db.session.scalar(select(User.id).where(func.lower(User.employee_no) == employee_no.lower())) is not None:
        raise Conflict(f"工号“{employee_no}”已存在", code="employee_no_taken")
    temporary = passwords.temporary_password()
    user = User(employee_no=employee_no, name=name, phone=phone, role=role,
                county_id=where.county.id if where.county else None, grid_id=where.grid.id if where.grid else None,
                active=True, password_hash=hash_password(temporary), must_change_password=True)
    db.session.add(user)
    audit.record(audit_rules.PERSON_CREATED, target=user, subject=employee_no, actor=actor, reason="管理员新增",
                 changes=audit_rules.describe_changes({}, {"name": name, "role": role, "phone": phone,
                                                           **where.names}))
    history.note_all(user, {}, {history.ROLE: role, **where.names}, by=actor)
    db.session.commit()
    log.info("person %s added by %s", employee_no, actor.employee_no)
    return user, temporary


def edit_person(user_id: int, *, name: str, phone: str | None, role: str, unit_id: int | None,
                actor: User) -> list[str]:
    """Change what differs of name, phone, role and unit; returns the audit actions written (empty: nothing
    changed). A change of role is refused for oneself and for the last active admin (Conflict, with its code)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("没有该人员")
    name, phone = name.strip(), (phone or "").strip() or None
    where = placement(unit_id)
    _check(user.employee_no, name, role, where, phone)
    before = rules.Person(user.employee_no, user.name, user.role, active=bool(user.active))
    after = rules.Person(user.employee_no, name, role, active=bool(user.active))
    refusal = rules.refuse_edit(before, after, actor=actor.employee_no, active_admins=_active_admins())
    if refusal is not None:
        raise Conflict(rules.REFUSAL_REASONS[refusal], code=refusal)
    old_names = {history.COUNTY: user.county.name if user.county else None,
                 history.GRID: user.grid.name if user.grid else None}
    written: list[str] = []

    def record(action: str, changes: dict[str, list[str | None]]) -> None:
        audit.record(action, target=user, subject=user.employee_no, actor=actor, changes=changes)
        written.append(action)

    if name != user.name:
        record(audit_rules.NAME_CHANGED, {"name": [user.name, name]})
        user.name = name
    if phone != user.phone:
        record(audit_rules.PHONE_CHANGED, {"phone": [user.phone, phone]})
        user.phone = phone
    if role != user.role:
        record(audit_rules.ROLE_CHANGED, {"role": [user.role, role]})
        history.note(user, history.ROLE, user.role, role, by=actor)
        user.role = role
    county_id = where.county.id if where.county else None
    grid_id = where.grid.id if where.grid else None
    if (county_id, grid_id) != (user.county_id, user.grid_id):
        record(audit_rules.UNIT_CHANGED, audit_rules.describe_changes(old_names, where.names))
        history.note_all(user, old_names, where.names, by=actor)
        user.county_id, user.grid_id = county_id, grid_id
    if audit_rules.ROLE_CHANGED in written and user.id != actor.id:
        # What they may see changed: their open pages should not keep showing what the old role saw.
        sessions.end_all_sessions(user, reason="role changed")
    db.session.commit()
    if written:
        log.info("person %s edited by %s: %s", user.employee_no, actor.employee_no, ", ".join(written))
    return written
