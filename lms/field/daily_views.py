"""今日工作 on the phone (the morning form, the day's assignment, ground activities with photos, the progress
report) and the grid board for supervisors (who reported, the day's assignments, the export); the process
indicators' points per county."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.access import roles_required
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core import clock
from lms.core.errors import DomainError
from lms.extensions import db
from lms.field import daily_queries, daily_services, indicator_rules, indicators, photos, queued
from lms.field.blueprint import bp
from lms.field.indicator_models import CITY
from lms.org.models import COUNTY, Unit
from lms.reports import export


def _failed(exc: DomainError) -> None:
    flash(" ".join([exc.message, *getattr(exc, "problems", [])]), "error")


@bp.route("/field/daily")
@roles_required("manager")
def daily_today() -> Any:
    now = clock.utcnow()
    day = daily_services.local_day(now)
    report = daily_services.report_for(current_user, day)
    page = render_template(
        "field/daily.html", day=day, report=report, assignment=daily_services.assignment_for(current_user, day),
        yesterday=report.yesterday if report and report.plan_at else daily_services.yesterday_text(current_user, day),
        due=daily_services.progress_due(), late_now=indicator_rules.is_progress_late(
            clock.to_local(now), daily_services.progress_due()), client_key=queued.new_key())
    return photos.allow_geolocation(make_response(page))


@bp.route("/field/daily/plan", methods=["POST"])
@roles_required("manager")
def daily_plan() -> Any:
    try:
        daily_services.save_plan(current_user, yesterday=request.form.get("yesterday", ""),
                                 plan=request.form.get("plan", ""), now=clock.utcnow())
        flash(_("今日计划已提交。"), "success")
    except DomainError as exc:
        _failed(exc)
    return redirect(url_for("field.daily_today"))


def _number(name: str) -> int:
    raw = (request.form.get(name) or "0").strip() or "0"
    return int(raw) if raw.isdigit() else -1  # -1: refused by the service with its message


def _position(name: str) -> float | None:
    try:
        return float(request.form[name]) if request.form.get(name) else None
    except ValueError:
        return None


@bp.route("/field/daily/activities", methods=["POST"])
@roles_required("manager")
def daily_activity() -> Any:
    """The activity form, posted by the page, or later by the phone's offline queue (JSON answer, the phone's time,
    the form's key)."""
    found = daily_services.ActivityInput(
        place=request.form.get("place", ""), latitude=_position("latitude"), longitude=_position("longitude"),
        handsets_sold=_number("handsets_sold"), broadband_signups=_number("broadband_signups"),
        new_lines=_number("new_lines"), note=request.form.get("note", ""), device_at=queued.device_at(),
        client_key=queued.client_key())
    photos = [(f.read(), f.filename or "photo.jpg") for f in request.files.getlist("photos") if f.filename]
    try:
        activity = daily_services.add_activity(current_user, found, photos, now=clock.utcnow())
    except DomainError as exc:
        if queued.wants_json():
            return jsonify(error={"code": exc.code, "message": exc.message,
                                  "problems": getattr(exc, "problems", [])}), exc.status
        _failed(exc)
    else:
        if not activity.late_received:  # sent at once: the page shows it next (a queued one is said by the queue)
            flash(_("地面活动已上报。"), "success")
        if queued.wants_json():
            return jsonify(id=activity.id, late_received=activity.late_received,
                           url=url_for("field.daily_today") + "#activities"), 201
    return redirect(url_for("field.daily_today") + "#activities")


@bp.route("/field/daily/progress", methods=["POST"])
@roles_required("manager")
def daily_progress() -> Any:
    try:
        report = daily_services.save_progress(current_user, text=request.form.get("progress", ""),
                                              now=clock.utcnow())
        flash(_("进展已汇报（已过截止时间，记为迟报）。") if report.progress_late else _("进展已汇报。"),
              "warning" if report.progress_late else "success")
    except DomainError as exc:
        _failed(exc)
    return redirect(url_for("field.daily_today") + "#progress")


@bp.route("/field/daily/activities/<int:activity_id>/photos/<name>")
@roles_required()
def daily_photo(activity_id: int, name: str) -> Any:
    path = daily_services.activity_photo(current_user, activity_id, name)
    if path is None:
        abort(404)
    return photos.photo_response(path, cache="private, max-age=3600")  # a person's photo: never in a shared cache


# --- the grid board ---------------------------------------------------------------------------------------------

def _board_day() -> date:
    try:
        return date.fromisoformat(request.args["day"]) if request.args.get("day") else daily_services.local_day(
            clock.utcnow())
    except ValueError:
        abort(404)


@bp.route("/field/daily/board")
@roles_required("supervisor", "admin")
def daily_board() -> Any:
    day, now = _board_day(), clock.utcnow()
    rows = daily_queries.day_board(current_user, day, now=now, due=daily_services.progress_due())
    return render_template("field/daily_board.html", day=day, rows=rows, today=daily_services.local_day(now),
                           photos_visible=current_user.role == "supervisor",
                           weights_editable=indicators.can_edit_weights(current_user, current_user.county_id or CITY),
                           counts={state: sum(r.progress == state for r in rows)
                                   for state in daily_queries.PROGRESS_LABELS},
                           planned=sum(1 for r in rows if r.report and r.report.plan_at))


@bp.route("/field/daily/board/assign", methods=["POST"])
@roles_required("supervisor", "admin")
def daily_assign() -> Any:
    manager = db.session.get(User, request.form.get("manager_id", type=int) or 0)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        abort(400)
    if manager is None or not daily_services.can_assign(current_user, manager):
        abort(404)
    try:
        daily_services.assign_day(current_user, manager, day=day, text=request.form.get("text", ""),
                                  now=clock.utcnow())
        flash(_("已为 %(name)s 布置工作。", name=manager.name), "success")
    except DomainError as exc:
        _failed(exc)
    return redirect(url_for("field.daily_board", day=day.isoformat()) + f"#m{manager.id}")


@bp.route("/field/daily/board/export.xlsx")
@roles_required("supervisor", "admin")
def daily_board_xlsx() -> Any:
    day = _board_day()
    rows = daily_queries.day_board(current_user, day, now=clock.utcnow(), due=daily_services.progress_due())
    sheet = export.Sheet(f"工作日报 {day.isoformat()}", daily_queries.BOARD_HEADERS, daily_queries.board_rows(rows))
    filename = f"daily-board-{day.isoformat()}.xlsx"
    audit.record_export(audit_rules.EXPORT_FIELD_DAILY, filename=filename, fmt="xlsx", rows=len(rows),
                        filters={"day": day.isoformat()})
    return send_file(io.BytesIO(export.workbook([sheet])), mimetype=export.XLSX_MIME, as_attachment=True,
                     download_name=filename)


# --- process indicator points --------------------------------------------------------------------------------------

def _editable_counties() -> list[Unit]:
    counties = db.session.scalars(select(Unit).where(Unit.kind == COUNTY, Unit.active.is_(True))
                                  .order_by(Unit.name)).all()
    return [c for c in counties if indicators.can_edit_weights(current_user, c.id)]


@bp.route("/field/indicator-weights", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def indicator_weights() -> Any:
    counties = _editable_counties()
    can_city = indicators.can_edit_weights(current_user, CITY)
    if not counties and not can_city:
        abort(403)
    if request.method == "POST":
        county_id = request.form.get("county_id", type=int)
        if county_id is None or not indicators.can_edit_weights(current_user, county_id):
            abort(404)
        values: dict[str, float | None] = {}
        try:
            for key in indicator_rules.INDICATOR_KEYS:
                raw = (request.form.get(key) or "").strip()
                values[key] = float(raw) if raw else None
            indicators.save_weights(current_user, county_id, values)
            flash(_("过程指标分值已保存。"), "success")
        except ValueError:
            flash(_("分值须为数字。"), "error")
        except DomainError as exc:
            _failed(exc)
        return redirect(url_for("field.indicator_weights"))
    stored = indicators.weights_by_county()
    return render_template("field/indicator_weights.html", counties=counties, can_city=can_city, stored=stored,
                           effective={c.id: indicators.weights_for(c.id, stored) for c in counties},
                           city=indicators.weights_for(None, stored), indicators=indicator_rules.PROCESS_INDICATORS,
                           setting_on=bool(current_app.config["LMS_FIELD_INDICATORS"]))
