"""The administrator's people pages: the list with the roster upload, one person, and the roster template."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from lms.accounts import people, rules, services
from lms.accounts.access import roles_required
from lms.accounts.forms import RosterUploadForm
from lms.accounts.models import User
from lms.accounts.views import bp
from lms.core.errors import ValidationFailed
from lms.extensions import db


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required("admin")
def admin_users() -> Any:
    form = RosterUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = people.import_roster(
                upload.read(current_app.config["LMS_UPLOAD_MAX_BYTES"] + 1), upload.filename or "upload",
                max_rows=current_app.config["LMS_ROSTER_MAX_ROWS"],
                max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"],
            )
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        else:
            flash(_("导入完成：新增 %(c)d 人，更新 %(u)d 人。", c=report.created, u=report.updated), "success")
            return redirect(url_for("accounts.admin_users"))
    query = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.role, User.employee_no)
    if query:
        like = f"%{query}%"
        stmt = stmt.where((User.employee_no.like(like)) | (User.name.like(like)))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    listed = db.paginate(stmt, page=page, per_page=50, error_out=False)
    # People by role, each role by its label (never the stored code), in a fixed order.
    counts = [(rules.ROLE_LABELS.get(role, role), n) for role, n in db.session.execute(
        select(User.role, func.count()).group_by(User.role).order_by(User.role))]
    return render_template("accounts/admin_users.html", form=form, people=listed, problems=problems,
                           query=query, counts=counts)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def admin_person(user_id: int) -> Any:
    person = db.get_or_404(User, user_id)
    form = FlaskForm()
    temporary = None
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "deactivate":
            people.set_active(user_id, False)
            flash(_("已停用。"), "success")
        elif action == "activate":
            people.set_active(user_id, True)
            flash(_("已启用。"), "success")
        elif action == "reset":
            person, temporary = services.reset_to_temporary_password(user_id)
        else:
            abort(400)
        if temporary is None:
            return redirect(url_for("accounts.admin_person", user_id=user_id))
    return render_template("accounts/admin_person.html", person=person, form=form, temporary=temporary)


@bp.route("/admin/users/template.csv")
@roles_required("admin")
def roster_template() -> Any:
    body = "\ufeff工号,姓名,角色,县区,网格,手机\nM0001,张三,manager,城区,东城网格,13800000000\n"
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=roster-template.csv"
    return response
