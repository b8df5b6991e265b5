"""Shop visit pages on the field blueprint: the phone's visit form (nearest shop first), my visits, one visit with its
photos, and the checklist editor. The use cases are in ``visits``; the phone's offline queue posts the same form."""

from __future__ import annotations

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
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.courses import media
from lms.field import photos, queued, visit_queries, visit_rules, visits
from lms.field.blueprint import bp

READERS = ("manager", "supervisor", "admin")


def _number(name: str) -> float | None:
    raw = (request.values.get(name) or "").strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _form() -> visits.VisitForm:
    values = request.form
    prefix_answer, prefix_fix, prefix_problem = "answer-", "fix-", "problem-"
    shop_id = values.get("shop_id", "")
    version = values.get("checklist_version", "")
    return visits.VisitForm(
        shop_id=int(shop_id) if shop_id.isdigit() else 0,
        checklist_version=int(version) if version.isdigit() else 0,
        answers={k[len(prefix_answer):]: v for k, v in values.items() if k.startswith(prefix_answer)},
        fix_by={k[len(prefix_fix):]: v for k, v in values.items() if k.startswith(prefix_fix)},
        problems={k[len(prefix_problem):]: v for k, v in values.items() if k.startswith(prefix_problem)},
        note=values.get("note", ""), latitude=_number("latitude"), longitude=_number("longitude"),
        photos=[visits.Photo(f.read(), f.filename or "") for f in request.files.getlist("photos") if f.filename],
        device_at=queued.device_at(), client_key=queued.client_key())


@bp.route("/field/visits/new", methods=["GET", "POST"])
@roles_required("manager", "supervisor")
def visit_new() -> Any:
    problems: list[str] = []
    if request.method == "POST":
        try:
            visit = visits.record_visit(_form(), person=current_user, now=utcnow(), media_root=photos.media_root(),
                                        limits=media.MediaLimits.from_settings(current_app.config),
                                        settings=visit_rules.TicketSettings.from_settings(current_app.config))
        except DomainError as exc:
            problems = getattr(exc, "problems", [])
            if queued.wants_json():
                return jsonify(error={"code": exc.code, "message": exc.message, "problems": problems}), exc.status
            flash(exc.message, "error")
        else:
            if queued.wants_json():
                return jsonify(id=visit.id, late_received=visit.late_received,
                               url=url_for("field.visit_detail", visit_id=visit.id)), 201
            flash(_("拜访已提交：%(shop)s。", shop=visit.shop.name), "success")
            return redirect(url_for("field.visit_list"))
    latitude, longitude = _number("lat"), _number("lng")
    choices = visit_queries.shops_to_visit(current_user, latitude, longitude)
    page = render_template("field/visit_new.html", choices=choices, checklist=visit_queries.checklist_in_force(),
                           problems=problems, located=latitude is not None, categories=visit_rules.CATEGORIES,
                           category_labels=visit_rules.CATEGORY_LABELS, form=request.form,
                           client_key=request.form.get("client_key") or queued.new_key())
    response = make_response(page, 422 if problems else 200)
    return photos.allow_geolocation(response)


@bp.route("/field/visits")
@roles_required(*READERS)
def visit_list() -> Any:
    return render_template("field/visit_list.html", visits=visit_queries.visits_for(current_user))


@bp.route("/field/visits/<int:visit_id>")
@roles_required(*READERS)
def visit_detail(visit_id: int) -> Any:
    visit = visit_queries.visit_for(current_user, visit_id)
    if visit is None:
        abort(404)
    return render_template("field/visit_detail.html", visit=visit, items=visit.checklist_version.items,
                           answer_labels=visit_rules.ANSWER_LABELS, is_bad=visit_rules.is_bad)


@bp.route("/field/visits/<int:visit_id>/photos/<name>")
@roles_required(*READERS)
def visit_photo(visit_id: int, name: str) -> Any:
    visit = visit_queries.visit_for(current_user, visit_id)
    if visit is None or name not in visit.photos or not media.is_stored_name(name):
        abort(404)
    path = media.stored_path(photos.media_root(), name)
    if not path.is_file():
        abort(404)
    return photos.photo_response(path)


@bp.route("/field/checklist", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def checklist() -> Any:
    current = visit_queries.checklist_in_force()
    problems: list[str] = []
    if request.method == "POST":
        keys, labels = request.form.getlist("key"), request.form.getlist("label")
        bads = [request.form.get(f"bad-{n}") for n in range(len(keys))]
        items = [{"key": k.strip(), "label": lab, "bad": b, "needs_fix_date": True}
                 for k, lab, b in zip(keys, labels, bads, strict=False) if k.strip() or lab.strip()]
        try:
            version = visits.save_checklist(items, actor=current_user, now=utcnow())
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("拜访检查表已保存为第 %(n)d 版。", n=version.number), "success")
            return redirect(url_for("field.checklist"))
    return render_template("field/checklist.html", current=current, problems=problems,
                           answer_labels=visit_rules.ANSWER_LABELS)
