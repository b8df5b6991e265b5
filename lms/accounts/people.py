"""Use cases for administering people: the roster import (previewed, then confirmed) and activation.

Services own the commit; every change to a person's role, unit, name or status is recorded in the audit log in the
same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.accounts import history, rules, sessions
from lms.accounts.models import User
from lms.accounts.roster_uploads import RosterUpload
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core import staged_uploads
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.core.tabular import read_table
from lms.extensions import db
from lms.org import services as org
from lms.org.models import Unit

log = logging.getLogger(__name__)

# A full roster deactivates the channel managers missing from it, never other roles: trainers, supervisors and
# administrators are few, are often not on the HR roster at all, and are deactivated one by one on their page.
FULL_ROSTER_ROLES = frozenset({rules.MANAGER})


@dataclass(frozen=True)
class RosterReport:
    created: int
    updated: int
    deactivated: int
    refused: int
    rows: int
    diff: rules.RosterDiff


@dataclass(frozen=True)
class RosterPreview:
    """What confirming an upload would write. ``diff`` assumes the admin-access confirmation is given (the preview
    lists those writes apart); ``digest`` fingerprints it, so a confirmation of an outdated preview is refused."""

    token: str
    filename: str
    deactivate_missing: bool
    rows: int
    diff: rules.RosterDiff
    digest: str


class PreviewOutdated(Conflict):
    """The people changed since the preview was shown: ``preview`` is the fresh one, to be shown and confirmed."""

    def __init__(self, preview: RosterPreview) -> None:
        super().__init__("预览之后人员数据已有变化，请核对新的预览后再确认")
        self.preview = preview


PreviewExpired = staged_uploads.PreviewExpired  # the name the roster's views catch

def _parse(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> list[rules.RosterRow]:
    """Every row valid or nothing: any problem raises ValidationFailed listing each row."""
    table = read_table(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    parsed = rules.parse_roster_rows(table.header, table.rows)
    if parsed.problems:
        raise ValidationFailed(f"{filename}：发现 {len(parsed.problems)} 处问题，未导入任何数据", parsed.problems)
    return parsed.rows


def current_people() -> list[rules.Person]:
    county, grid = aliased(Unit), aliased(Unit)
    statement = (
        select(User.employee_no, User.name, User.role, county.name, grid.name, User.phone, User.active)
        .outerjoin(county, User.county_id == county.id)
        .outerjoin(grid, User.grid_id == grid.id)
    )
    return [rules.Person(no, name, role, c, g, phone, bool(active))
            for no, name, role, c, g, phone, active in db.session.execute(statement)]


def _diff(rows: list[rules.RosterRow], *, actor: User | None, admin_confirmed: bool,
          deactivate_missing: bool) -> rules.RosterDiff:
    return rules.diff_roster(
        current_people(), rows, actor=actor.employee_no if actor is not None else None,
        admin_confirmed=admin_confirmed, deactivate_missing=FULL_ROSTER_ROLES if deactivate_missing else frozenset())


def _units(person: rules.Person) -> tuple[int | None, int | None]:
    county = org.ensure_county(person.county) if person.county else None
    grid = org.ensure_grid(county, person.grid) if county is not None and person.grid else None
    return (county.id if county else None), (grid.id if grid else None)


def _placement(person: rules.Person) -> dict[str, str | None]:
    return {history.ROLE: person.role, history.COUNTY: person.county, history.GRID: person.grid}


def _record_change(user: User, change: rules.RosterChange, reason: str) -> None:
    before, after = change.before, change.after
    if change.field("active") is not None:
        audit.record(audit_rules.PERSON_REACTIVATED, target=user, subject=user.employee_no,
                     changes={"active": [False, True]}, reason=reason)
    if change.field("role") is not None:
        audit.record(audit_rules.ROLE_CHANGED, target=user, subject=user.employee_no,
                     changes={"role": [before.role, after.role]}, reason=reason)
    if change.field("unit") is not None:
        audit.record(audit_rules.UNIT_CHANGED, target=user, subject=user.employee_no, reason=reason,
                     changes=audit_rules.describe_changes({"county": before.county, "grid": before.grid},
                                                          {"county": after.county, "grid": after.grid}))
    if change.field("name") is not None:
        audit.record(audit_rules.NAME_CHANGED, target=user, subject=user.employee_no,
                     changes={"name": [before.name, after.name]}, reason=reason)


def _write(diff: rules.RosterDiff, filename: str, rows: int, *, actor: User | None) -> RosterReport:
    """Write what ``diff`` says, with an audit entry for each act and one for the import; one commit."""
    reason = f"名单导入：{filename}"
    numbers = [c.after.employee_no for c in diff.changes] + [d.person.employee_no for d in diff.deactivations]
    users = {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers)))}
    try:
        for addition in diff.additions:
            person = addition.person
            county_id, grid_id = _units(person)
            user = User(employee_no=person.employee_no, name=person.name, role=person.role, phone=person.phone,
                        county_id=county_id, grid_id=grid_id, active=True)
            db.session.add(user)
            history.note_all(user, {}, {history.ROLE: person.role, history.COUNTY: person.county,
                                        history.GRID: person.grid}, by=actor)
            audit.record(audit_rules.PERSON_CREATED, target=user, subject=person.employee_no, reason=reason,
                         changes=audit_rules.describe_changes({}, {
                             "name": person.name, "role": person.role, "county": person.county,
                             "grid": person.grid}))
        for change in diff.changes:
            user = users[change.after.employee_no]
            history.note_all(user, _placement(change.before), _placement(change.after), by=actor)
            user.name, user.role, user.phone = change.after.name, change.after.role, change.after.phone
            user.county_id, user.grid_id = _units(change.after)
            user.active = True
            _record_change(user, change, reason)
        for deactivation in diff.deactivations:
            user = users[deactivation.person.employee_no]
            user.active = False
            sessions.end_all_sessions(user, reason="deactivated: missing from a full roster")
            audit.record(audit_rules.PERSON_DEACTIVATED, target=user, subject=user.employee_no,
                         changes={"active": [True, False]}, reason=f"{reason}（完整名单中没有此人）")
        report = RosterReport(created=len(diff.additions), updated=len(diff.changes),
                              deactivated=len(diff.deactivations), refused=len(diff.refusals), rows=rows, diff=diff)
        audit.record(audit_rules.ROSTER_IMPORTED, subject=filename, changes={
            "file": filename, "rows": rows, "created": report.created, "updated": report.updated,
            "deactivated": report.deactivated, "refused": report.refused})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("roster %s: %d created, %d updated, %d deactivated, %d refused", filename, report.created,
             report.updated, report.deactivated, report.refused)
    return report


# --- the command line: preview with --dry-run, else write --------------------------------------------------------

def import_roster(data: bytes, filename: str, *, max_rows: int, max_bytes: int, deactivate_missing: bool = False,
                  dry_run: bool = False) -> RosterReport:
    """The server command: an administrator at the keyboard, so admin access changes count as confirmed; the last
    active admin is still never demoted or deactivated (those rows are refused, the rest written)."""
    rows = _parse(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    diff = _diff(rows, actor=None, admin_confirmed=True, deactivate_missing=deactivate_missing)
    if dry_run:
        db.session.rollback()
        return RosterReport(created=len(diff.additions), updated=len(diff.changes),
                            deactivated=len(diff.deactivations), refused=len(diff.refusals), rows=len(rows), diff=diff)
    return _write(diff, filename, len(rows), actor=None)


# --- the admin pages: upload → preview → confirm -----------------------------------------------------------------

def _preview(upload: RosterUpload, rows: list[rules.RosterRow], actor: User) -> RosterPreview:
    diff = _diff(rows, actor=actor, admin_confirmed=True, deactivate_missing=upload.deactivate_missing)
    return RosterPreview(token=upload.token, filename=upload.filename, deactivate_missing=upload.deactivate_missing,
                         rows=len(rows), diff=diff, digest=rules.roster_diff_digest(diff))


def upload_roster(data: bytes, filename: str, *, uploader: User, deactivate_missing: bool, max_rows: int,
                  max_bytes: int) -> RosterPreview:
    """Check the file and keep it for confirmation; nothing about anyone changes yet."""
    rows = _parse(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    upload = staged_uploads.keep(RosterUpload, data, filename, uploader=uploader, ttl=rules.ROSTER_PREVIEW_TTL,
                                 deactivate_missing=deactivate_missing)
    return _preview(upload, rows, uploader)


def _pending(token: str, viewer: User) -> RosterUpload:
    return staged_uploads.pending(RosterUpload, token, viewer, ttl=rules.ROSTER_PREVIEW_TTL,
                                  missing="没有这份待确认的名单", expired="这份名单的预览已过期，请重新上传")


def _pending_rows(upload: RosterUpload, *, max_rows: int, max_bytes: int) -> list[rules.RosterRow]:
    return _parse(upload.data, upload.filename, max_rows=max_rows, max_bytes=max_bytes)


def preview_upload(token: str, *, viewer: User, max_rows: int, max_bytes: int) -> RosterPreview:
    """The preview of a waiting upload, computed afresh against the people as they are now."""
    upload = _pending(token, viewer)
    return _preview(upload, _pending_rows(upload, max_rows=max_rows, max_bytes=max_bytes), viewer)


def confirm_upload(token: str, *, actor: User, digest: str, admin_confirmed: bool, max_rows: int,
                   max_bytes: int) -> RosterReport:
    """Write the upload, if what it would write is still what the preview showed (else PreviewOutdated).

    Without ``admin_confirmed`` the writes that give or take away admin access are refused, each with its reason,
    and the rest are written.
    """
    upload = _pending(token, actor)
    rows = _pending_rows(upload, max_rows=max_rows, max_bytes=max_bytes)
    preview = _preview(upload, rows, actor)
    if preview.digest != digest:
        raise PreviewOutdated(preview)
    diff = preview.diff if admin_confirmed else _diff(rows, actor=actor, admin_confirmed=False,
                                                       deactivate_missing=upload.deactivate_missing)
    filename = upload.filename
    db.session.delete(upload)
    return _write(diff, filename, len(rows), actor=actor)


def cancel_upload(token: str, *, viewer: User) -> None:
    staged_uploads.cancel(RosterUpload, token, viewer)


# --- one person ----------------------------------------------------------------------------------------------------

def set_active(user_id: int, active: bool, *, actor: User | None = None) -> User:
    """Deactivate (someone who left) or reactivate. Deactivation ends every session of the person; nobody
    deactivates themselves, and the last active admin stays. Audited."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("没有该人员")
    if bool(user.active) == active:
        return user
    if not active:
        admins = db.session.scalar(
            select(func.count()).select_from(User).where(User.role == rules.ADMIN, User.active.is_(True))) or 0
        person = rules.Person(user.employee_no, user.name, user.role, active=bool(user.active))
        refusal = rules.refuse_deactivation(person, actor=actor.employee_no if actor else None, active_admins=admins)
        if refusal is not None:
            raise Conflict(rules.REFUSAL_REASONS[refusal], code=refusal)
    user.active = active
    if not active:
        sessions.end_all_sessions(user, reason="deactivated")
    audit.record(audit_rules.PERSON_REACTIVATED if active else audit_rules.PERSON_DEACTIVATED, target=user,
                 subject=user.employee_no, changes={"active": [not active, active]}, actor=actor)
    db.session.commit()
    log.info("%s %s", user.employee_no, "activated" if active else "deactivated")
    return user
