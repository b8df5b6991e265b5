"""The shop registry's pages: the list (我的渠道 for a manager, 渠道管理 for supervisors and admins), one shop with
its history, the edit form, and the import with its preview."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from lms.core.numbers import page_number
from lms.extensions import db
from lms.field import shop_queries, shop_rules, shops, visit_queries
from lms.field.blueprint import bp
from lms.field.models import Shop
from lms.field.rules import SHOP_KIND_LABELS, SHOP_KINDS, STARS, required_visits
from lms.field.shop_forms import ManagerForm, ShopConfirmForm, ShopFilterForm, ShopForm, ShopImportForm

FIELD_ROLES = ("manager", "supervisor", "admin")
PER_PAGE = 50
PREVIEW_LISTED = 500
HISTORY_FIELDS = {"star": "星级", "kind": "类型", "grid": "网格", "manager": "负责人", "active": "状态"}


def _limits() -> dict[str, int]:
    return {"max_rows": current_app.config["LMS_ROSTER_MAX_ROWS"],
            "max_bytes": current_app.config["LMS_UPLOAD_MAX_BYTES"]}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _grid_label(grid: Any, county: Any) -> str:
    return f"{county.name} / {grid.name}"


def _manager_options(managers: list[Any], current: Any = None) -> list[SelectChoice]:
    """The managers offered, and the shop's present manager even if no longer offered (so saving keeps them)."""
    options = [SelectChoice("", _("（未指定）"))] + [SelectChoice(str(m.id), f"{m.employee_no} {m.name}")
                                                     for m in managers]
    if current is not None and str(current.id) not in {option.value for option in options}:
        options.append(SelectChoice(str(current.id), f"{current.employee_no} {current.name}"))
    return options


@bp.route("/field/shops")
@roles_required(*FIELD_ROLES)
def shops_list() -> Any:
    form = ShopFilterForm(formdata=request.args)
    grids = shop_queries.grid_choices(current_user)
    form.grid.choices = [SelectChoice("", _("全部网格"))] + [SelectChoice(str(g.id), _grid_label(g, c))
                                                              for g, c in grids]
    mine = current_user.role == "manager"
    if not mine:
        form.manager.choices = [SelectChoice("", _("全部负责人"))] + [
            SelectChoice(str(m.id), f"{m.employee_no} {m.name}") for m in shop_queries.manager_choices(current_user)]
    form.validate()
    filters = shop_queries.ShopFilters(
        kind=form.kind.data if form.kind.data in SHOP_KINDS else None, star=_int(form.star.data),
        grid_id=_int(form.grid.data), manager_id=None if mine else _int(form.manager.data),
        text=(form.q.data or "").strip() or None)
    arguments = {key: value for key, value in request.args.items() if value and key != "page"}
    listed = db.paginate(shop_queries.shops_statement(current_user, filters), page=page_number(),
                         per_page=PER_PAGE, error_out=False)
    return render_template("field/shops.html", form=form, shops=listed, mine=mine, arguments=arguments,
                           counts=shop_queries.shop_counts(current_user, filters), kinds=SHOP_KINDS, stars=STARS,
                           kind_labels=SHOP_KIND_LABELS, can_manage=shop_queries.can_manage_shops(current_user))


def _visible(shop_id: int) -> Shop:
    shop = db.get_or_404(Shop, shop_id)
    if not shop_queries.can_view_shop(current_user, shop):
        abort(404)  # another scope's shop: as if it did not exist
    return shop


@bp.route("/field/shops/<int:shop_id>")
@roles_required(*FIELD_ROLES)
def shop_page(shop_id: int) -> Any:
    shop = _visible(shop_id)
    return render_template("field/shop.html", shop=shop, history=shop_queries.history_of(shop.id),
                           history_fields=HISTORY_FIELDS, kind_labels=SHOP_KIND_LABELS,
                           rule=required_visits(shop.kind, shop.star), form=FlaskForm(),
                           visits=visit_queries.visits_to_shop(current_user, shop.id),
                           can_edit=shop_queries.can_edit_shop(current_user, shop),
                           can_reassign=shop_queries.can_change_manager(current_user, shop))


def _shop_form(shop: Shop | None) -> ShopForm:
    data = None
    if shop is not None and request.method == "GET":
        data = {"code": shop.code, "name": shop.name, "kind": shop.kind, "star": str(shop.star),
                "address": shop.address, "latitude": shop.latitude, "longitude": shop.longitude,
                "grid": str(shop.grid_id or ""), "manager": str(shop.manager_id or "")}
    form = ShopForm(data=data)
    grids = shop_queries.grid_choices(current_user)
    choices = [SelectChoice("", _("（未指定）"))] + [SelectChoice(str(g.id), _grid_label(g, c)) for g, c in grids]
    if shop is not None and shop.grid is not None and str(shop.grid_id) not in {c.value for c in choices}:
        choices.append(SelectChoice(str(shop.grid_id), shop.grid.name))
    form.grid.choices = choices
    form.manager.choices = _manager_options(shop_queries.manager_choices(current_user),
                                            shop.manager if shop is not None else None)
    return form


def _fields(form: ShopForm) -> shops.ShopFields:
    return shops.ShopFields(name=form.name.data or "", kind=form.kind.data or "", star=int(form.star.data or 0),
                            address=form.address.data or "", latitude=form.latitude.data,
                            longitude=form.longitude.data, grid_id=_int(form.grid.data),
                            manager_id=_int(form.manager.data))


@bp.route("/field/shops/new", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def shop_new() -> Any:
    if not shop_queries.can_manage_shops(current_user):
        abort(403)
    form = _shop_form(None)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            shop = shops.create_shop(form.code.data or "", _fields(form), actor=current_user)
        except Conflict as exc:
            form.code.errors = [_("该渠道编码已存在")] if exc.code == "code_taken" else [exc.message]
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        except DomainError as exc:
            problems = [exc.message]
        else:
            flash(_("已新增渠道 %(code)s。", code=shop.code), "success")
            return redirect(url_for("field.shop_page", shop_id=shop.id))
    status = 422 if request.method == "POST" else 200
    return render_template("field/shop_form.html", form=form, shop=None, problems=problems), status


@bp.route("/field/shops/<int:shop_id>/edit", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def shop_edit(shop_id: int) -> Any:
    """The whole form for admins and county supervisors; a grid's supervisor changes only the manager."""
    shop = _visible(shop_id)
    if shop_queries.can_edit_shop(current_user, shop):
        form: ShopForm | ManagerForm = _shop_form(shop)
    elif shop_queries.can_change_manager(current_user, shop):
        form = ManagerForm(data={"manager": str(shop.manager_id or "")} if request.method == "GET" else None)
        form.manager.choices = _manager_options(
            shop_queries.manager_choices(current_user, grid_id=shop.grid_id), shop.manager)
    else:
        abort(403)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            if isinstance(form, ShopForm):
                written = shops.edit_shop(shop.id, _fields(form), actor=current_user)
            else:
                written = shops.change_manager(shop.id, _int(form.manager.data), actor=current_user)
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        except DomainError as exc:
            problems = [exc.message]
        else:
            flash(_("已保存。") if written else _("没有需要保存的变更。"), "success" if written else "info")
            return redirect(url_for("field.shop_page", shop_id=shop.id))
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("field/shop_form.html", form=form, shop=shop, problems=problems), status


@bp.route("/field/shops/<int:shop_id>/status", methods=["POST"])
@roles_required("supervisor", "admin")
def shop_status(shop_id: int) -> Any:
    shop = _visible(shop_id)
    form = FlaskForm()
    if not form.validate_on_submit() or request.form.get("action") not in ("close", "reopen"):
        abort(400)
    active = request.form["action"] == "reopen"
    try:
        shops.set_shop_active(shop.id, active, actor=current_user, reason=request.form.get("reason", ""))
    except DomainError as exc:
        if exc.status == 403:
            abort(403)
        flash(exc.message, "error")
    else:
        flash(_("渠道已重新启用。") if active else _("渠道已关闭。"), "success")
    return redirect(url_for("field.shop_page", shop_id=shop.id))


# --- import -----------------------------------------------------------------------------------------------------

@bp.route("/field/shops/import", methods=["GET", "POST"])
@roles_required("admin")
def shops_import() -> Any:
    form = ShopImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            preview = shops.upload_shops(upload.read(current_app.config["LMS_UPLOAD_MAX_BYTES"] + 1),
                                         upload.filename or "upload", uploader=current_user, **_limits())
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        else:
            return redirect(url_for("field.shops_import_preview", token=preview.token))
    status = 422 if problems else 200
    return render_template("field/shops_import.html", form=form, problems=problems), status


def _render_preview(preview: shops.ShopPreview, form: ShopConfirmForm) -> str:
    form.digest.data = preview.digest
    return render_template("field/shops_import_preview.html", preview=preview, diff=preview.diff, form=form,
                           kind_labels=SHOP_KIND_LABELS, limit=PREVIEW_LISTED)


def _confirm_or_cancel(token: str, form: ShopConfirmForm) -> Any:
    if request.form.get("action") == "cancel":
        shops.cancel_upload(token, viewer=current_user)
        flash(_("已取消，渠道未导入。"), "success")
        return redirect(url_for("field.shops_import"))
    try:
        report = shops.confirm_upload(token, actor=current_user, digest=form.digest.data or "", **_limits())
    except shops.PreviewOutdated as exc:
        flash(_("预览之后渠道数据已有变化，请核对新的预览后再确认。"), "warning")
        return _render_preview(exc.preview, form), 409
    flash(_("导入完成：新增 %(c)d 个渠道，更新 %(u)d 个，未变 %(n)d 个。", c=report.created,
            u=report.updated, n=report.unchanged), "success")
    return redirect(url_for("field.shops_list"))


@bp.route("/field/shops/import/<token>", methods=["GET", "POST"])
@roles_required("admin")
def shops_import_preview(token: str) -> Any:
    """What an uploaded shop file would change; written only when confirmed here (or dropped with 取消)."""
    form = ShopConfirmForm()
    try:
        if form.validate_on_submit():
            return _confirm_or_cancel(token, form)
        return _render_preview(shops.preview_upload(token, viewer=current_user, **_limits()), form)
    except NotFound:
        if request.method == "POST":  # pressed twice, or in two tabs: the first press already wrote it
            flash(_("这份渠道文件已经导入或已取消。"), "warning")
            return redirect(url_for("field.shops_list"))
        abort(404)
    except shops.PreviewExpired:
        flash(_("这份渠道文件的预览已过期，请重新上传。"), "error")
        return redirect(url_for("field.shops_import"))
    except ValidationFailed as exc:  # the registry changed under the file (a grid removed): upload it again
        flash(exc.message, "error")
        return render_template("field/shops_import.html", form=ShopImportForm(), problems=exc.problems), 422


@bp.route("/field/shops/template.csv")
@roles_required("admin")
def shops_template() -> Any:
    body = "\ufeff" + "\n".join(",".join(row) for row in shop_rules.template_rows()) + "\n"
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=shops-template.csv"
    return response
