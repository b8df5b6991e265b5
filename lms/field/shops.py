"""Use cases of the shop registry: add, edit, close and reopen a shop, change its manager, and import a file of
shops (previewed, then confirmed; or at once from the command line).

Every change of a shop's star, kind, grid, manager or status writes a ShopHistory row and an audit entry in the
same transaction as the change itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core import staged_uploads
from lms.core.clock import utcnow
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.core.tabular import read_table
from lms.extensions import db
from lms.field import shop_queries, shop_rules
from lms.field.models import Shop, ShopHistory
from lms.field.rules import SHOP_KINDS, STARS, valid_position
from lms.field.shop_models import ShopUpload
from lms.org import rules as org_rules
from lms.org.models import Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShopFields:
    """What a form sets on a shop (the code is set once, when the shop is added)."""

    name: str
    kind: str
    star: int
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    grid_id: int | None = None
    manager_id: int | None = None


# --- history and audit texts -------------------------------------------------------------------------------------

def _grid_text(grid_id: int | None) -> str | None:
    grid = db.session.get(Unit, grid_id) if grid_id is not None else None
    if grid is None:
        return None
    return shop_rules.unit_text(grid.parent.name if grid.parent else "", grid.name) or grid.name


def _manager_text(manager_id: int | None) -> str | None:
    manager = db.session.get(User, manager_id) if manager_id is not None else None
    return f"{manager.employee_no} {manager.name}" if manager is not None else None


def _tracked(shop: Shop) -> dict[str, str | None]:
    """The shop's tracked fields as history stores them."""
    return {"star": str(shop.star) if shop.star is not None else None, "kind": shop.kind,
            "grid": _grid_text(shop.grid_id), "manager": _manager_text(shop.manager_id),
            "active": None if shop.active is None else ("1" if shop.active else "0")}


def _described(shop: Shop) -> dict[str, Any]:
    return {**_tracked(shop), "active": bool(shop.active), "name": shop.name, "address": shop.address,
            "position": shop_rules.position_text(shop.latitude, shop.longitude)}


def _note_history(shop: Shop, before: dict[str, str | None], actor: User | None) -> None:
    after = _tracked(shop)
    for field in shop_rules.TRACKED_FIELDS:
        if before.get(field) != after[field]:
            db.session.add(ShopHistory(shop=shop, field=field, old=before.get(field), new=after[field],
                                       changed_at=utcnow(), changed_by_id=actor.id if actor else None))


# --- checks ------------------------------------------------------------------------------------------------------

def _check(fields: ShopFields) -> None:
    problems = []
    if not fields.name.strip() or len(fields.name) > shop_rules.NAME_MAX:
        problems.append(f"渠道名称为空或超过{shop_rules.NAME_MAX}个字符")
    if fields.kind not in SHOP_KINDS:
        problems.append(f"类型“{fields.kind}”无效")
    if fields.star not in STARS:
        problems.append(f"星级“{fields.star}”无效（1-5）")
    if len(fields.address) > shop_rules.ADDRESS_MAX:
        problems.append(f"地址超过{shop_rules.ADDRESS_MAX}个字符")
    if (fields.latitude is None) != (fields.longitude is None):
        problems.append("纬度和经度须同时填写或同时留空")
    elif fields.latitude is not None and not valid_position(fields.latitude, fields.longitude):
        problems.append("坐标无效（纬度-90~90，经度-180~180）")
    grid = db.session.get(Unit, fields.grid_id) if fields.grid_id is not None else None
    if fields.grid_id is not None and (grid is None or grid.kind != org_rules.GRID):
        problems.append("所选网格不存在")
    manager = db.session.get(User, fields.manager_id) if fields.manager_id is not None else None
    if fields.manager_id is not None and (manager is None or manager.role != account_rules.MANAGER
                                          or not manager.active):
        problems.append("负责人须为在职的渠道经理")
    if problems:
        raise ValidationFailed("渠道信息有误，未保存", problems)


def _check_reach(actor: User, fields: ShopFields) -> None:
    """A county supervisor files shops only under the grids and managers of their county."""
    if actor.role == account_rules.ADMIN:
        return
    if fields.grid_id is not None and fields.grid_id not in {g.id for g, _ in shop_queries.grid_choices(actor)}:
        raise Forbidden("不能把渠道划到您管辖范围以外的网格")
    if fields.manager_id is not None and fields.manager_id not in {
            m.id for m in shop_queries.manager_choices(actor)}:
        raise Forbidden("负责人不在您的管辖范围内")


def _apply(shop: Shop, fields: ShopFields) -> None:
    shop.name, shop.kind, shop.star = fields.name.strip(), fields.kind, fields.star
    shop.address = fields.address.strip()
    shop.latitude, shop.longitude = fields.latitude, fields.longitude
    shop.grid_id, shop.manager_id = fields.grid_id, fields.manager_id


def _commit() -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# --- one shop ----------------------------------------------------------------------------------------------------

def create_shop(code: str, fields: ShopFields, *, actor: User) -> Shop:
    """Add a shop (administrators and county supervisors, within their county)."""
    if not shop_queries.can_manage_shops(actor):
        raise Forbidden("只有管理员和县区主管可以新增渠道")
    code = code.strip()
    if not shop_rules.CODE_RE.match(code):
        raise ValidationFailed("渠道信息有误，未保存", [f"渠道编码“{code}”无效（1-32位字母、数字、-或_）"])
    _check(fields)
    _check_reach(actor, fields)
    if shop_queries.shop_by_code(code) is not None:
        raise Conflict(f"渠道编码“{code}”已存在", code="code_taken")
    shop = Shop(code=code, active=True)
    _apply(shop, fields)
    db.session.add(shop)
    _note_history(shop, {}, actor)
    audit.record(audit_rules.SHOP_CREATED, subject=code, actor=actor,
                 changes=audit_rules.describe_changes({}, _described(shop)))
    _commit()
    log.info("shop %s created by %s", code, actor.employee_no)
    return shop


def _get(shop_id: int) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("没有这个渠道")
    return shop


def edit_shop(shop_id: int, fields: ShopFields, *, actor: User) -> bool:
    """Save a shop's fields; False when nothing changed (nothing is written then)."""
    shop = _get(shop_id)
    if not shop_queries.can_edit_shop(actor, shop):
        raise Forbidden("您不能修改这个渠道")
    _check(fields)
    _check_reach(actor, fields)
    before_tracked, before = _tracked(shop), _described(shop)
    _apply(shop, fields)
    changes = audit_rules.describe_changes(before, _described(shop))
    if not changes:
        db.session.rollback()
        return False
    _note_history(shop, before_tracked, actor)
    audit.record(audit_rules.SHOP_EDITED, subject=shop.code, actor=actor, changes=changes)
    _commit()
    return True


def change_manager(shop_id: int, manager_id: int | None, *, actor: User) -> bool:
    """A grid's supervisor hands a shop of their grid to another manager of that grid (county supervisors and
    administrators may too, as part of editing)."""
    shop = _get(shop_id)
    if not shop_queries.can_change_manager(actor, shop):
        raise Forbidden("您不能更换这个渠道的负责人")
    if manager_id is not None:
        allowed = shop_queries.manager_choices(actor, grid_id=shop.grid_id if not shop_queries.can_edit_shop(
            actor, shop) else None)
        if manager_id not in {m.id for m in allowed}:
            raise Forbidden("负责人须为您管辖范围内的在职渠道经理")
    if shop.manager_id == manager_id:
        return False
    before = _tracked(shop)
    shop.manager_id = manager_id
    db.session.flush()
    _note_history(shop, before, actor)
    audit.record(audit_rules.SHOP_EDITED, subject=shop.code, actor=actor,
                 changes={"manager": [before["manager"], _manager_text(manager_id)]})
    _commit()
    return True


def set_shop_active(shop_id: int, active: bool, *, actor: User, reason: str = "") -> bool:
    """Close a shop (it stays, with its visits, but is no longer listed, visited or counted) or reopen it."""
    shop = _get(shop_id)
    if not shop_queries.can_edit_shop(actor, shop):
        raise Forbidden("您不能修改这个渠道")
    if bool(shop.active) == active:
        return False
    before = _tracked(shop)
    shop.active = active
    _note_history(shop, before, actor)
    audit.record(audit_rules.SHOP_REOPENED if active else audit_rules.SHOP_CLOSED, subject=shop.code, actor=actor,
                 changes={"active": [not active, active]}, reason=reason.strip()[:500])
    _commit()
    return True


# --- import: read, check against the registry, write -------------------------------------------------------------

@dataclass(frozen=True)
class ShopImportReport:
    created: int
    updated: int
    unchanged: int
    rows: int
    diff: shop_rules.ShopDiff


@dataclass(frozen=True)
class ShopPreview:
    token: str
    filename: str
    rows: int
    diff: shop_rules.ShopDiff
    digest: str


class PreviewOutdated(Conflict):
    """The registry changed since the preview was shown: ``preview`` is the fresh one."""

    def __init__(self, preview: ShopPreview) -> None:
        super().__init__("预览之后渠道数据已有变化，请核对新的预览后再确认")
        self.preview = preview


PreviewExpired = staged_uploads.PreviewExpired  # the name the shops' views catch

def _references() -> shop_rules.References:
    county = aliased(Unit)
    grids = db.session.execute(select(county.name, Unit.name).join(county, Unit.parent_id == county.id)
                               .where(Unit.kind == org_rules.GRID))
    managers = db.session.scalars(select(User.employee_no).where(User.role == account_rules.MANAGER,
                                                                 User.active.is_(True)))
    return shop_rules.References(frozenset((county_name, grid_name) for county_name, grid_name in grids),
                                 frozenset(managers))


def current_shops() -> dict[str, shop_rules.ShopValues]:
    """Every shop (closed ones too) as the import compares them, by code."""
    county, grid = aliased(Unit), aliased(Unit)
    stmt = (select(Shop, county.name, grid.name, User.employee_no)
            .outerjoin(grid, Shop.grid_id == grid.id).outerjoin(county, grid.parent_id == county.id)
            .outerjoin(User, Shop.manager_id == User.id))
    return {shop.code: shop_rules.ShopValues(
        name=shop.name, kind=shop.kind, star=shop.star, address=shop.address or "", latitude=shop.latitude,
        longitude=shop.longitude, county=county_name, grid=grid_name, manager_no=manager_no, active=bool(shop.active))
        for shop, county_name, grid_name, manager_no in db.session.execute(stmt)}


def _parse(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> list[shop_rules.ShopRow]:
    """Every row valid (values, grids, managers) or nothing: any problem raises ValidationFailed naming each row."""
    table = read_table(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    parsed = shop_rules.parse_shop_rows(table.header, table.rows)
    problems = parsed.problems + shop_rules.reference_problems(parsed.rows, _references())
    if problems:
        problems.sort(key=_row_number)
        raise ValidationFailed(f"{filename}：发现 {len(problems)} 处问题，未导入任何数据", problems)
    return parsed.rows


def _row_number(problem: str) -> int:
    digits = problem[1:problem.find("行")] if problem.startswith("第") else ""
    return int(digits) if digits.isdigit() else 0


def _write(diff: shop_rules.ShopDiff, filename: str, rows: int, *, actor: User | None) -> ShopImportReport:
    """Write what ``diff`` says, with history, an audit entry per shop and one for the file; one commit."""
    reason = f"渠道导入：{filename}"
    county = aliased(Unit)
    grids = {(county_name, grid_name): grid_id for grid_id, county_name, grid_name in db.session.execute(
        select(Unit.id, county.name, Unit.name).join(county, Unit.parent_id == county.id)
        .where(Unit.kind == org_rules.GRID))}
    numbers = {a.values.manager_no for a in diff.additions} | {c.after.manager_no for c in diff.changes}
    managers = dict(db.session.execute(  # .all(): rows; a Result itself would be read as a mapping
        select(User.employee_no, User.id).where(User.employee_no.in_([n for n in numbers if n]))).all())
    codes = [change.code for change in diff.changes]
    shops = {shop.code: shop for shop in db.session.scalars(select(Shop).where(Shop.code.in_(codes)))}

    def fields(values: shop_rules.ShopValues) -> ShopFields:
        grid_id = grids.get((values.county, values.grid)) if values.county and values.grid else None
        return ShopFields(name=values.name, kind=values.kind, star=values.star, address=values.address,
                          latitude=values.latitude, longitude=values.longitude, grid_id=grid_id,
                          manager_id=managers.get(values.manager_no) if values.manager_no else None)

    try:
        for addition in diff.additions:
            shop = Shop(code=addition.code, active=True)
            _apply(shop, fields(addition.values))
            db.session.add(shop)
            _note_history(shop, {}, actor)
            audit.record(audit_rules.SHOP_CREATED, subject=shop.code, actor=actor, reason=reason,
                         changes=audit_rules.describe_changes({}, _described(shop)))
        for change in diff.changes:
            shop = shops[change.code]
            before_tracked, before = _tracked(shop), _described(shop)
            _apply(shop, fields(change.after))
            shop.active = True
            _note_history(shop, before_tracked, actor)
            audit.record(audit_rules.SHOP_EDITED, subject=shop.code, actor=actor, reason=reason,
                         changes=audit_rules.describe_changes(before, _described(shop)))
        report = ShopImportReport(created=len(diff.additions), updated=len(diff.changes), unchanged=diff.unchanged,
                                  rows=rows, diff=diff)
        audit.record(audit_rules.SHOPS_IMPORTED, subject=filename, actor=actor, changes={
            "file": filename, "rows": rows, "created": report.created, "updated": report.updated})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("shops %s: %d created, %d updated, %d unchanged", filename, report.created, report.updated,
             report.unchanged)
    return report


def import_shops(data: bytes, filename: str, *, max_rows: int, max_bytes: int,
                 dry_run: bool = False) -> ShopImportReport:
    """The server command: check the whole file, then write it (or only report with ``dry_run``)."""
    rows = _parse(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    diff = shop_rules.diff_shops(current_shops(), rows)
    if dry_run:
        db.session.rollback()
        return ShopImportReport(created=len(diff.additions), updated=len(diff.changes), unchanged=diff.unchanged,
                                rows=len(rows), diff=diff)
    return _write(diff, filename, len(rows), actor=None)


def _preview(upload: ShopUpload, rows: list[shop_rules.ShopRow]) -> ShopPreview:
    diff = shop_rules.diff_shops(current_shops(), rows)
    return ShopPreview(token=upload.token, filename=upload.filename, rows=len(rows), diff=diff,
                       digest=shop_rules.shop_diff_digest(diff))


def upload_shops(data: bytes, filename: str, *, uploader: User, max_rows: int, max_bytes: int) -> ShopPreview:
    """Check the file and keep it for confirmation; no shop changes yet."""
    if uploader.role != account_rules.ADMIN:
        raise Forbidden("只有管理员可以导入渠道")
    rows = _parse(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    upload = staged_uploads.keep(ShopUpload, data, filename, uploader=uploader, ttl=shop_rules.SHOP_PREVIEW_TTL)
    return _preview(upload, rows)


def _pending(token: str, viewer: User) -> ShopUpload:
    return staged_uploads.pending(ShopUpload, token, viewer, ttl=shop_rules.SHOP_PREVIEW_TTL,
                                  missing="没有这份待确认的渠道文件", expired="这份渠道文件的预览已过期，请重新上传")


def preview_upload(token: str, *, viewer: User, max_rows: int, max_bytes: int) -> ShopPreview:
    upload = _pending(token, viewer)
    return _preview(upload, _parse(upload.data, upload.filename, max_rows=max_rows, max_bytes=max_bytes))


def confirm_upload(token: str, *, actor: User, digest: str, max_rows: int, max_bytes: int) -> ShopImportReport:
    """Write the upload if what it would write is still what the preview showed (else PreviewOutdated)."""
    upload = _pending(token, actor)
    rows = _parse(upload.data, upload.filename, max_rows=max_rows, max_bytes=max_bytes)
    preview = _preview(upload, rows)
    if preview.digest != digest:
        raise PreviewOutdated(preview)
    filename = upload.filename
    db.session.delete(upload)
    return _write(preview.diff, filename, len(rows), actor=actor)


def cancel_upload(token: str, *, viewer: User) -> None:
    staged_uploads.cancel(ShopUpload, token, viewer)
