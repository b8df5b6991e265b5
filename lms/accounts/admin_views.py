"""The administrator's people pages: the list with the roster upload, the roster's preview and confirmation, one
person, and the roster template."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from lms.accounts import history, people, person_edits, rules, services
from lms.accounts.access import roles_required
from lms.accounts.blueprint import bp
from lms.accounts.forms import NewPersonForm, PersonForm, RosterConfirmForm, RosterImportForm
from lms.accounts.models import User
from lms.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from lms.core.numbers import page_number
from lms.extensions import db
from lms.org import queries as org_queries

# Why a roster row is refused, in the reader's language (rules.REFUSAL_REASONS says it in Chinese for the command).
REFUSAL_LABELS = {
    rules.REFUSED_OWN_ROLE: _l("不能通过名单修改自己的角色"),
    rules.REFUSED_OWN_DEACTIVATION: _l("不能停用自己"),
    rules.REFUSED_LAST_ADMIN: _l("不能降级或停用最后一位在职管理员"),
    rules.REFUSED_ADMIN_UNCONFIRMED: _l("涉及管理员权限，需另行勾选确认"),
    rules.REFUSED_OWN_ROLE_EDIT: _l("不能修改自己的角色"),
}
# A history row's field, in the reader's language.
HISTORY_FIELDS = {history.ROLE: _l("角色"), history.COUNTY: _l("县区"), history.GRID: _l("网格")}
# A preview lists at most this many additions, changes and deactivations each (a first import may add thousands);
# refusals and admin access changes are always listed in full.
PREVIEW_LISTED = 500
# At most this many refused rows are named one by one after a confirmation; the preview lists them all.
REFUSALS_FLASHED = 20


def _limits() -> dict[str, int]:
    return {"max_rows": current_app.config["LMS_ROSTER_MAX_ROWS"],
            "max_bytes": current_app.config["LMS_UPLOAD_MAX_BYTES"]}


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required("admin")
def admin_users() -> Any:
    form = RosterImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            preview = people.upload_roster(
                upload.read(current_app.config["LMS_UPLOAD_MAX_BYTES"] + 1), upload.filename or "upload",
                uploader=current_user, deactivate_missing=form.deactivate_missing.data, **_limits())
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        else:
            return redirect(url_for("accounts.roster_preview", token=preview.token))
    query = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.role, User.employee_no)
    if query:
        like = f"%{query}%"
        stmt = stmt.where((User.employee_no.like(like)) | (User.name.like(like)))
    page = page_number()
    listed = db.paginate(stmt, page=page, per_page=50, error_out=False)
    # People by role, each role by its label (never the stored code), in a fixed order.
    counts = [(rules.ROLE_LABELS.get(role, role), n) for role, n in db.session.execute(
        select(User.role, func.count()).group_by(User.role).order_by(User.role))]
    return render_template("accounts/admin_users.html", form=form, people=listed, problems=problems,
                           query=query, counts=counts)


def _render_preview(preview: people.RosterPreview, form: RosterConfirmForm) -> str:
    form.digest.data = preview.digest
    return render_template("accounts/roster_preview.html", preview=preview, diff=preview.diff, form=form,
                           role_labels=rules.ROLE_LABELS, refusal_labels=REFUSAL_LABELS, unit_text=rules.unit_text,
                           limit=PREVIEW_LISTED)


def _flash_refusals(refusals: tuple[rules.RosterRefusal, ...]) -> None:
    for refusal in refusals[:REFUSALS_FLASHED]:
        where = _("第%(n)d行", n=refusal.row) if refusal.row is not None else "—"
        flash(_("%(who)s：%(what)s", who=f"{where} {refusal.employee_no} {refusal.name}",
                what=REFUSAL_LABELS[refusal.code]), "warning")
    if len(refusals) > REFUSALS_FLASHED:
        flash(_("另有 %(n)d 项未写入。", n=len(refusals) - REFUSALS_FLASHED), "warning")


def _confirm_or_cancel(token: str, form: RosterConfirmForm) -> Any:
    if request.form.get("action") == "cancel":
        people.cancel_upload(token, viewer=current_user)
        flash(_("已取消，名单未导入。"), "success")
        return redirect(url_for("accounts.admin_users"))
    try:
        report = people.confirm_upload(token, actor=current_user, digest=form.digest.data or "",
                                       admin_confirmed=form.confirm_admin.data, **_limits())
    except people.PreviewOutdated as exc:
        flash(_("预览之后人员数据已有变化，请核对新的预览后再确认。"), "warning")
        form.confirm_admin.data = False
        return _render_preview(exc.preview, form), 409
    flash(_("导入完成：新增 %(c)d 人，更新 %(u)d 人，停用 %(d)d 人。", c=report.created, u=report.updated,
            d=report.deactivated), "success")
    _flash_refusals(report.diff.refusals)
    return redirect(url_for("accounts.admin_users"))


@bp.route("/admin/users/import/<token>", methods=["GET", "POST"])
@roles_required("admin")
def roster_preview(token: str) -> Any:
    """What an uploaded roster would change; written only when confirmed here (or dropped with 取消)."""
    form = RosterConfirmForm()
    try:
        if form.validate_on_submit():
            return _confirm_or_cancel(token, form)
        return _render_preview(people.preview_upload(token, viewer=current_user, **_limits()), form)
    except NotFound:
        if request.method == "POST":  # pressed twice, or in two tabs: the first press already wrote it
            flash(_("这份名单已经导入或已取消。"), "warning")
            return redirect(url_for("accounts.admin_users"))
        abort(404)
    except people.PreviewExpired:
        flash(_("这份名单的预览已过期，请重新上传。"), "error")
        return redirect(url_for("accounts.admin_users"))
    except ValidationFailed as exc:  # the stored file no longer parses (the limits changed): upload it again
        flash(exc.message, "error")
        return redirect(url_for("accounts.admin_users"))


def _unit_choices(current: User | None = None) -> list[SelectChoice]:
    """Active counties and grids (a grid as "county / grid": picking it places the person in both); the person's
    own unit stays listed even if deactivated since, so that saving a name does not move them."""
    choices = [SelectChoice("", _("全市（不属于县区）"))]
    listed = set()
    for unit, county in org_queries.unit_choices():
        listed.add(unit.id)
        choices.append(SelectChoice(str(unit.id), f"{county.name} / {unit.name}" if county else unit.name))
    if current is not None:
        own = current.grid or current.county
        if own is not None and own.id not in listed:
            choices.append(SelectChoice(str(own.id), _("%(unit)s（已停用）", unit=current.unit_label)))
    return choices


def _unit_id(form: PersonForm) -> int | None:
    return int(form.unit.data) if (form.unit.data or "").isdigit() else None


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def add_person() -> Any:
    """Add one person, with the roster's checks; a temporary password is shown once, to be changed at sign-in."""
    form = NewPersonForm()
    form.unit.choices = _unit_choices()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            person, temporary = person_edits.add_person(
                employee_no=form.employee_no.data or "", name=form.name.data or "", phone=form.phone.data,
                role=form.role.data or "", unit_id=_unit_id(form), actor=current_user)
        except Conflict as exc:
            if exc.code == "employee_no_taken":
                form.employee_no.errors = [_("该工号已存在（含已停用人员）：请在人员列表中找到此人")]
            else:
                problems = [exc.message]
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            flash(_("已新增 %(who)s。", who=f"{person.employee_no} {person.name}"), "success")
            return render_template("accounts/admin_person.html", **_person_page(person), temporary=temporary)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/admin_person_new.html", form=form, problems=problems), status


def _person_page(person: User, edit: PersonForm | None = None) -> dict[str, Any]:
    if edit is None:
        own = person.grid or person.county
        edit = PersonForm(prefix="edit", data={"name": person.name, "phone": person.phone or "", "role": person.role,
                                               "unit": str(own.id) if own else ""})
        edit.unit.choices = _unit_choices(person)
    return {"person": person, "form": FlaskForm(), "edit": edit, "history": history.of(person.id),
            "history_fields": HISTORY_FIELDS, "role_labels": rules.ROLE_LABELS,
            "management": org_queries.management(person.county_id, person.grid_id)}


@bp.route("/admin/users/<int:user_id>/edit", methods=["POST"])
@roles_required("admin")
def edit_person(user_id: int) -> Any:
    person = db.get_or_404(User, user_id)
    edit = PersonForm(prefix="edit")
    edit.unit.choices = _unit_choices(person)
    if edit.validate_on_submit():
        try:
            written = person_edits.edit_person(user_id, name=edit.name.data or "", phone=edit.phone.data,
                                               role=edit.role.data or "", unit_id=_unit_id(edit),
                                               actor=current_user)
        except Conflict as exc:
            flash(_("未保存：%(reason)s", reason=REFUSAL_LABELS.get(exc.code, exc.message)), "error")
        except ValidationFailed as exc:
            flash(_("未保存：%(reason)s", reason="；".join(exc.problems or [exc.message])), "error")
        else:
            flash(_("已保存。") if written else _("没有需要保存的变更。"), "success" if written else "info")
            return redirect(url_for("accounts.admin_person", user_id=user_id))
    db.session.rollback()
    db.session.refresh(person)
    return render_template("accounts/admin_person.html", **_person_page(person, edit), temporary=None), 422


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def admin_person(user_id: int) -> Any:
    person = db.get_or_404(User, user_id)
    form = FlaskForm()
    temporary = None
    if form.validate_on_submit():
        action = request.form.get("action")
        if action in ("deactivate", "activate"):
            try:
                people.set_active(user_id, action == "activate", actor=current_user)
            except DomainError as exc:
                flash(_("未停用：%(reason)s", reason=REFUSAL_LABELS.get(exc.code, exc.message)), "error")
            else:
                flash(_("已启用。") if action == "activate" else _("已停用。"), "success")
        elif action == "reset":
            person, temporary = services.reset_to_temporary_password(user_id)
        else:
            abort(400)
        if temporary is None:
            return redirect(url_for("accounts.admin_person", user_id=user_id))
    return render_template("accounts/admin_person.html", **_person_page(person), temporary=temporary)


@bp.route("/admin/users/template.csv")
@roles_required("admin")
def roster_template() -> Any:
    body = "\ufeff工号,姓名,角色,县区,网格,手机\nM0001,张三,manager,城区,东城网格,13800000000\n"
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=roster-template.csv"
    return response
