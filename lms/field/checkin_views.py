"""Check-in pages: the manager's phone page (today's slots; the privacy notice first), the check-in the phone sends
(multipart: photo, position, the phone's time, the page's key), the supervisors' compliance board, one person's
check-ins with photos and coordinates (the person and their supervisors only), and the photo itself."""

from __future__ import annotations

import io
from datetime import datetime
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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.accounts.access import can_view_person, roles_required
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import parse_local, period_of, to_local, utcnow
from lms.core.errors import BadRequest, DomainError, NotFound
from lms.courses import media
from lms.extensions import db
from lms.field import checkin_queries as queries
from lms.field import checkin_rules as rules
from lms.field import checkin_services as services
from lms.field import photos
from lms.field.blueprint import bp
from lms.reports import export

# The slots' names (checkin_rules.SLOT_LABELS, in Chinese) as the pages translate them with ``_(label)``.
SLOT_TEXTS = (_l("上班签到（营业厅）"), _l("活动签到"), _l("下班签到"))


def _settings() -> rules.CheckinSettings:
    return rules.CheckinSettings.from_settings(current_app.config)


@bp.route("/field/checkin")
@roles_required("manager")
def checkin() -> Any:
    user: User = current_user._get_current_object()
    now_local = to_local(utcnow())
    if not services.has_acknowledged(user):
        return render_template("field/checkin_notice.html", form=FlaskForm(),
                               retention_days=current_app.config["LMS_FIELD_RETENTION_DAYS"])
    done = queries.day_checkins(user.id, now_local.date())
    secret = current_app.config["SECRET_KEY"]
    slots = [{"slot": slot, "label": rules.SLOT_LABELS[slot], "due": rules.SLOT_TIMES[slot].strftime("%H:%M"),
              "done": done.get(slot), "key": services.issue_key(user, secret)} for slot in rules.SLOTS]
    response = make_response(render_template("field/checkin.html", slots=slots, hall=services.business_hall(user),
                                              settings=_settings(), today=now_local.date()))
    return photos.allow_geolocation(response)


@bp.route("/field/checkin/notice", methods=["POST"])
@roles_required("manager")
def checkin_notice() -> Any:
    if FlaskForm().validate_on_submit():
        services.acknowledge_notice(current_user._get_current_object(), now=utcnow())
        flash(_("已确认个人信息告知。"), "success")
    return redirect(url_for("field.checkin"))


def _number(name: str) -> float | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise BadRequest(f"{name} 不是数字") from None


def _read_request() -> services.CheckinRequest:
    latitude, longitude = _number("latitude"), _number("longitude")
    position = (rules.Position(latitude, longitude, _number("accuracy"))
                if latitude is not None and longitude is not None else None)
    activity_lat, activity_lng = _number("activity_latitude"), _number("activity_longitude")
    device_text = (request.form.get("device_at") or "").strip()
    device_at: datetime | None = None
    if device_text:
        try:
            device_at = parse_local(device_text.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("device_at 不是时间") from None
    photo = request.files.get("photo")
    return services.CheckinRequest(
        slot=request.form.get("slot", ""), key=request.form.get("key", ""),
        photo=photo.read() if photo else b"", photo_name=(photo.filename or "") if photo else "",
        device_at=device_at, queued=request.form.get("queued") == "1", position=position,
        note=request.form.get("note", ""), activity_address=request.form.get("activity_address", ""),
        activity_place=(activity_lat, activity_lng) if activity_lat is not None and activity_lng is not None else None)


def _described(checkin: Any) -> dict[str, Any]:
    return {"id": checkin.id, "slot": checkin.slot, "day": checkin.day.isoformat(),
            "time": to_local(checkin.at).strftime("%H:%M"), "late": checkin.late, "early": checkin.early,
            "far": checkin.far, "no_location": checkin.no_location, "late_received": checkin.late_received,
            "distance_m": checkin.distance_m}


@bp.route("/field/checkin/submit", methods=["POST"])
@roles_required("manager")
def checkin_submit() -> Any:
    try:
        outcome = services.record_checkin(
            current_user._get_current_object(), _read_request(), now=utcnow(),
            secret=current_app.config["SECRET_KEY"], settings=_settings(), media_root=photos.media_root(),
            limits=media.MediaLimits.from_settings(current_app.config))
    except DomainError as exc:
        return jsonify(error={"code": exc.code, "message": exc.message}), exc.status
    return jsonify(checkin=_described(outcome.checkin), created=outcome.created), 201 if outcome.created else 200


def _board_period() -> str:
    period = request.args.get("period") or period_of(utcnow())
    if not rules.valid_period(period):
        abort(404)
    return period


@bp.route("/field/checkins")
@roles_required("supervisor")
def checkin_board() -> Any:
    now_local = to_local(utcnow())
    period = _board_period()
    today = now_local.date()
    grace = _settings().grace_minutes
    return render_template("field/checkin_board.html", today_rows=queries.board_today(current_user, now_local, grace),
                           month_rows=queries.board_month(current_user, period, today), period=period, today=today,
                           slot_labels=rules.SLOT_LABELS, slots=rules.SLOTS)


@bp.route("/field/checkins/export.xlsx")
@roles_required("supervisor")
def checkin_board_xlsx() -> Any:
    """The board's month table: per manager the days checked in, the check-ins done, flagged and missing, the rate."""
    period = _board_period()
    rows = queries.board_month(current_user, period, to_local(utcnow()).date())
    sheet = export.Sheet(f"签到统计 {period}", queries.MONTH_HEADERS, queries.month_rows(rows))
    filename = f"checkins-{period}.xlsx"
    audit.record_export(audit_rules.EXPORT_FIELD_CHECKINS, filename=filename, fmt="xlsx", rows=len(rows),
                        period=period)
    return send_file(io.BytesIO(export.workbook([sheet])), mimetype=export.XLSX_MIME, as_attachment=True,
                     download_name=filename)


def _person_or_404(user_id: int) -> User:
    """The person whose check-ins are asked for, if the viewer is that person or one of their supervisors: photos
    and coordinates are sensitive (PIPL), so trainers and administrators, whose scope is everyone, do not see them."""
    person = db.session.get(User, user_id)
    viewer = current_user
    if person is None or not (viewer.id == person.id or (viewer.role == "supervisor"
                                                            and can_view_person(viewer, person))):
        abort(404)
    return person


@bp.route("/field/checkins/people/<int:user_id>")
@roles_required()
def checkin_person(user_id: int) -> Any:
    person = _person_or_404(user_id)
    period = request.args.get("period") or period_of(utcnow())
    if not rules.valid_period(period):
        abort(404)
    today = to_local(utcnow()).date()
    return render_template("field/checkin_person.html", person=person, period=period,
                           checkins=queries.person_checkins(person.id, period),
                           rate=queries.checkin_rate(person.id, period, today), slot_labels=rules.SLOT_LABELS)


@bp.route("/field/checkins/<int:checkin_id>/photo")
@roles_required()
def checkin_photo(checkin_id: int) -> Any:
    try:
        found = queries.get_checkin(checkin_id)
    except NotFound:
        abort(404)
    _person_or_404(found.user_id)
    if not found.photo_name or not media.is_stored_name(found.photo_name):
        abort(404)
    path = media.stored_path(photos.media_root(), found.photo_name)
    if not path.is_file():
        abort(404)
    return photos.photo_response(path, mimetype=found.photo_content_type or "image/jpeg")
