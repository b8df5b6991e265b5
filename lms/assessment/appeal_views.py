"""Appeal pages on the assessment blueprint: a manager opens one on their own entry; the supervisors' queue; one
appeal with its comments and the decision; its attachment. The use cases are in ``appeals``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.assessment import appeal_queries, appeal_rules, appeals, services
from lms.assessment.appeal_forms import AppealDecisionForm, AppealForm, CommentForm
from lms.assessment.blueprint import bp
from lms.core.clock import utcnow
from lms.core.errors import DomainError, Forbidden, ValidationFailed
from lms.courses import media

READERS = ("manager", "supervisor", "admin")
# Labels kept in Chinese by appeal_rules and translated where pages show them: named here for the English catalog.
APPEAL_LABELS = (
    _l("待处理"), _l("申诉成立"), _l("申诉驳回"),
    _l("只能对本人的台账记录提出申诉"), _l("冲销记录不能申诉"), _l("该类记录无需申诉"),
    _l("该记录已提出过申诉，同一条记录只能申诉一次"), _l("该记录已被冲销，无需申诉"),
    _l("申诉期已过（记录发布或本县区通报发布后 %(days)d 天内可以申诉）"),
)
# An attachment answers alone, never as part of a page (as lesson media: lms/courses/media_views.py).
ATTACHMENT_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def appeal_media_root() -> Path:
    return Path(current_app.config["LMS_MEDIA_DIR"]) / "appeals"


def _settings() -> appeals.AppealSettings:
    return appeals.AppealSettings.from_settings(current_app.config)


@bp.route("/ledger/<int:entry_id>/appeal", methods=["GET", "POST"])
@roles_required("manager")
def appeal_new(entry_id: int) -> Any:
    entry = appeal_queries.own_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    settings = _settings()
    facts = appeal_queries.entry_facts(entry)
    form = AppealForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.attachment.data
        attachment = None
        if upload is not None and getattr(upload, "filename", ""):
            attachment = appeals.Attachment(upload.read(), upload.filename)
        try:
            appeal = appeals.open_appeal(entry.id, person=current_user, reason=form.reason.data or "",
                                         attachment=attachment, now=utcnow(), settings=settings,
                                         media_root=appeal_media_root(),
                                         limits=media.MediaLimits.from_settings(current_app.config))
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("申诉已提交，县区主管将在 %(days)d 天内处理。", days=settings.decision_days), "success")
            return redirect(url_for("assessment.appeal", appeal_id=appeal.id))
    existing = appeal_queries.appeal_of_entry(entry.id)
    return render_template("assessment/appeal_new.html", entry=entry, form=form, problems=problems,
                           existing=existing, deadline=appeal_rules.appeal_deadline(facts, settings.days),
                           refusal=appeal_rules.refusal(facts, person_id=current_user.id, now=utcnow(),
                                                        days=settings.days),
                           accepted=",".join(media.ACCEPTED_EXTENSIONS), days=settings.days)


@bp.route("/appeals")
@roles_required("supervisor", "admin")
def appeals_queue() -> Any:
    return render_template("assessment/appeal_queue.html", queue=appeal_queries.queue(current_user), now=utcnow(),
                           can_decide=services.can_reverse(current_user))


def _appeal_or_404(appeal_id: int) -> Any:
    appeal = appeal_queries.appeal_for(current_user, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@bp.route("/appeals/<int:appeal_id>")
@roles_required(*READERS)
def appeal(appeal_id: int) -> Any:
    item = _appeal_or_404(appeal_id)
    staff = appeals.can_comment(current_user)
    return render_template("assessment/appeal_detail.html", appeal=item, now=utcnow(), can_comment=staff,
                           can_decide=staff and services.can_reverse(current_user),
                           comment_form=CommentForm(), decision_form=AppealDecisionForm())


@bp.route("/appeals/<int:appeal_id>/attachment")
@roles_required(*READERS)
def appeal_attachment(appeal_id: int) -> Any:
    item = _appeal_or_404(appeal_id)
    if not item.attachment_name or not media.is_stored_name(item.attachment_name):
        abort(404)
    path = media.stored_path(appeal_media_root(), item.attachment_name)
    if not path.is_file():
        abort(404)
    content_type = item.attachment_content_type or "application/octet-stream"
    response: Response = send_file(path, mimetype=content_type, download_name=item.attachment_original_name,
                                   as_attachment=not content_type.startswith(("image/", "video/")),
                                   conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/appeals/<int:appeal_id>/comment", methods=["POST"])
@roles_required("supervisor", "admin")
def appeal_comment(appeal_id: int) -> Any:
    _appeal_or_404(appeal_id)
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("请填写意见（不超过1000个字符）。"), "error")
        return redirect(url_for("assessment.appeal", appeal_id=appeal_id))
    try:
        appeals.comment(appeal_id, actor=current_user, body=form.body.data or "", now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("意见已添加。"), "success")
    return redirect(url_for("assessment.appeal", appeal_id=appeal_id))


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
@roles_required("supervisor", "admin")
def appeal_decide(appeal_id: int) -> Any:
    _appeal_or_404(appeal_id)
    if not services.can_reverse(current_user):
        raise Forbidden(_("网格主管不能决定申诉：申诉由县区或市级主管审核。"))
    form = AppealDecisionForm()
    if not form.validate_on_submit():
        flash(_("请选择申诉成立或驳回，并填写理由。"), "error")
        return redirect(url_for("assessment.appeal", appeal_id=appeal_id))
    try:
        item = appeals.decide(appeal_id, actor=current_user, uphold=form.decision.data == "uphold",
                              reason=form.reason.data or "", now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        if item.state == appeal_rules.UPHELD:
            flash(_("申诉成立：已写入冲销记录 #%(id)d，并通知本人。", id=item.reversal_id or 0), "success")
        else:
            flash(_("已驳回申诉，并通知本人。"), "success")
    return redirect(url_for("assessment.appeal", appeal_id=appeal_id))
