"""The administrator's organisation pages: the unit tree (city → county → grid) with people counts, adding a county
or a grid, and one unit's page (its people with their dual management, rename, move a grid, deactivate)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.core.errors import ValidationFailed
from lms.org import queries, rules, services
from lms.org.forms import CountyForm, GridForm, MoveForm, PlaceForm, RenameForm
from lms.org.models import COUNTY, GRID, Unit

bp = Blueprint("org", __name__)

# Why an act on a unit is refused, in the reader's language (rules.REFUSAL_REASONS says it in Chinese).
REFUSAL_LABELS = {
    rules.NAME_EMPTY: _l("请填写名称"),
    rules.NAME_TOO_LONG: _l("名称不能超过100个字符"),
    rules.NAME_TAKEN: _l("同一上级下已有同名单位"),
    rules.REFUSED_CITY: _l("市公司不能停用"),
    rules.REFUSED_ACTIVE_PEOPLE: _l("该单位还有在职人员，请先把他们调到其他单位"),
    rules.REFUSED_ACTIVE_GRIDS: _l("该县区下还有在用的网格，请先停用或调走这些网格"),
    rules.REFUSED_OPEN_SESSIONS: _l("该县区还有未结束的培训安排"),
    rules.REFUSED_ACTIVE_ROBOTS: _l("还有绑定该单位的群机器人在用"),
    rules.REFUSED_NOT_A_GRID: _l("只有网格可以调整所属县区"),
    rules.REFUSED_NOT_A_COUNTY: _l("网格只能调到县区之下"),
    rules.REFUSED_SAME_COUNTY: _l("网格已在该县区之下"),
    rules.REFUSED_INACTIVE_TARGET: _l("不能调到已停用的县区"),
    rules.REFUSED_INACTIVE_PARENT: _l("所属县区已停用，请先启用县区"),
}
KIND_LABELS = {"city": _l("市公司"), COUNTY: _l("县区"), GRID: _l("网格")}


def _refused(exc: services.UnitRefused, what: str) -> None:
    flash(_("%(what)s：%(why)s", what=what, why="；".join(str(REFUSAL_LABELS[c]) for c in exc.codes)), "error")


def _county_choices(exclude: int | None = None) -> list[SelectChoice]:
    return [SelectChoice(str(c.id), c.name) for c in queries.counties() if c.id != exclude]


@bp.route("/admin/org", methods=["GET", "POST"])
@roles_required("admin")
def tree() -> Any:
    county_form = CountyForm(prefix="county")
    grid_form = GridForm(prefix="grid")
    grid_form.county.choices = _county_choices()
    status = 200
    if request.method == "POST":
        kind = request.form.get("kind")
        form = county_form if kind == COUNTY else grid_form
        if kind in (COUNTY, GRID) and form.validate_on_submit():
            parent = int(grid_form.county.data) if kind == GRID else None
            try:
                unit = services.add_unit(kind, form.name.data or "", parent_id=parent, actor=current_user)
            except services.UnitRefused as exc:
                _refused(exc, _("未新增"))
            except ValidationFailed as exc:
                flash(exc.message, "error")
            else:
                flash(_("已新增%(kind)s“%(name)s”。", kind=KIND_LABELS[kind], name=unit.name), "success")
                return redirect(url_for("org.unit", unit_id=unit.id))
        status = 422
    return render_template("org/tree.html", roots=queries.tree(), county_form=county_form, grid_form=grid_form,
                           kinds=KIND_LABELS), status


@bp.route("/admin/org/<int:unit_id>")
@roles_required("admin")
def unit(unit_id: int) -> Any:
    found: Unit = queries.get_unit(unit_id)
    rename = RenameForm(prefix="rename", data={"name": found.name})
    place = PlaceForm(prefix="place", data={"latitude": found.latitude, "longitude": found.longitude})
    move = MoveForm(prefix="move")
    if found.kind == GRID:
        move.county.choices = _county_choices(exclude=found.parent_id)
    people = queries.members(found)
    management = {}
    for person in people:
        key = (person.county_id, person.grid_id)
        if key not in management:
            management[key] = queries.management(*key)
    load = queries.load(found)
    return render_template("org/unit.html", unit=found, people=people, management=management, rename=rename,
                           move=move, kinds=KIND_LABELS, refusals=[REFUSAL_LABELS[c] for c in
                                                                   rules.deactivation_refusals(load)],
                           load=load, form=FlaskForm(), place=place)


@bp.route("/admin/org/<int:unit_id>/rename", methods=["POST"])
@roles_required("admin")
def rename(unit_id: int) -> Any:
    form = RenameForm(prefix="rename")
    if form.validate_on_submit():
        try:
            services.rename_unit(unit_id, form.name.data or "", actor=current_user)
        except services.UnitRefused as exc:
            _refused(exc, _("未改名"))
        else:
            flash(_("已改名。"), "success")
    else:
        flash(_("未改名：%(why)s", why=_("请填写名称")), "error")
    return redirect(url_for("org.unit", unit_id=unit_id))


@bp.route("/admin/org/<int:unit_id>/move", methods=["POST"])
@roles_required("admin")
def move(unit_id: int) -> Any:
    form = MoveForm(prefix="move")
    form.county.choices = _county_choices()
    if form.validate_on_submit():
        try:
            moved = services.move_grid(unit_id, int(form.county.data), actor=current_user)
        except services.UnitRefused as exc:
            _refused(exc, _("未调整"))
        else:
            flash(_("已将网格调到“%(county)s”。", county=moved.parent.name if moved.parent else ""), "success")
    else:
        flash(_("未调整：%(why)s", why=_("请选择县区")), "error")
    return redirect(url_for("org.unit", unit_id=unit_id))


@bp.route("/admin/org/<int:unit_id>/active", methods=["POST"])
@roles_required("admin")
def set_active(unit_id: int) -> Any:
    form = FlaskForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            services.set_unit_active(unit_id, active, actor=current_user)
        except services.UnitRefused as exc:
            _refused(exc, _("未启用") if active else _("未停用"))
        else:
            flash(_("已启用。") if active else _("已停用。"), "success")
    return redirect(url_for("org.unit", unit_id=unit_id))


@bp.route("/admin/org/<int:unit_id>/place", methods=["POST"])
@roles_required("admin")
def set_place(unit_id: int) -> Any:
    form = PlaceForm(prefix="place")
    if form.validate_on_submit():
        try:
            services.set_unit_place(unit_id, form.latitude.data, form.longitude.data, actor=current_user)
        except ValidationFailed as exc:
            flash(_("未保存位置：%(why)s", why=exc.message), "error")
        else:
            flash(_("已保存营业厅位置。"), "success")
    else:
        why = "；".join(str(m) for messages in form.errors.values() for m in messages)
        flash(_("未保存位置：%(why)s", why=why), "error")
    return redirect(url_for("org.unit", unit_id=unit_id))
