"""Ticket pages on the field blueprint: the handler's list (answer, close) and the manager's own tickets (a shop's
own report with its photos); the R3 queue where supervisors confirm or dismiss deduction candidates. Use cases in
``tickets`` and ``r3``."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.assessment import rules as assessment_rules
from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.courses import media
from lms.field import photos, r3, tickets, visit_queries, visit_rules
from lms.field.blueprint import bp

# Labels kept in Chinese by visit_rules and translated where pages show them: named here for the English catalog.
FIELD_LABELS = (
    _l("渠道酬金"), _l("系统操作"), _l("终端售后"), _l("待处理"), _l("已答复"), _l("已关闭"),
    _l("县区营业部（县区主管）"), _l("网格主管"), _l("终端主管"), _l("培训后门店仍反映系统操作问题"),
    _l("工单逾期未处理"), _l("待确认"), _l("已确认扣分"), _l("已驳回"), _l("门店自报"),
)


def _flash_error(exc: DomainError) -> None:
    problems = exc.problems if isinstance(exc, ValidationFailed) else []
    flash("；".join([exc.message, *problems]), "error")


@bp.route("/field/tickets")
@roles_required("manager", "supervisor", "admin")
def ticket_list() -> Any:
    handling = visit_queries.tickets_to_handle(current_user) if current_user.role != "manager" else []
    return render_template("field/tickets.html", handling=handling, raised=visit_queries.tickets_raised(current_user),
                           now=utcnow(), is_overdue=visit_rules.is_overdue)


@bp.route("/field/tickets/<int:ticket_id>/photos/<name>")
@roles_required("manager", "supervisor", "admin")
def ticket_photo(ticket_id: int, name: str) -> Any:
    """A photo a shop sent with its own report: for who may see the ticket (its handlers, the shop's manager)."""
    ticket = visit_queries.ticket_for(current_user, ticket_id)
    if ticket is None or name not in (ticket.photos or []) or not media.is_stored_name(name):
        abort(404)
    path = media.stored_path(photos.shop_report_root(), name)
    if not path.is_file():
        abort(404)
    return photos.photo_response(path)


@bp.route("/field/tickets/<int:ticket_id>/answer", methods=["POST"])
@roles_required("supervisor", "admin")
def ticket_answer(ticket_id: int) -> Any:
    try:
        tickets.answer_ticket(ticket_id, actor=current_user, answer=request.form.get("answer", ""),
                              close=request.form.get("close") == "1", now=utcnow())
    except DomainError as exc:
        _flash_error(exc)
    else:
        flash(_("已答复工单 #%(id)d。", id=ticket_id), "success")
    return redirect(url_for("field.ticket_list"))


@bp.route("/field/tickets/<int:ticket_id>/close", methods=["POST"])
@roles_required("supervisor", "admin")
def ticket_close(ticket_id: int) -> Any:
    try:
        tickets.close_ticket(ticket_id, actor=current_user, now=utcnow())
    except DomainError as exc:
        _flash_error(exc)
    else:
        flash(_("已关闭工单 #%(id)d。", id=ticket_id), "success")
    return redirect(url_for("field.ticket_list"))


@bp.route("/field/r3")
@roles_required("supervisor", "admin")
def r3_queue() -> Any:
    candidates = visit_queries.candidates_for(current_user)
    evidence = {c.id: (visit_queries.tickets_by_id(c.ticket_ids), visit_queries.visits_by_id(c.visit_ids))
                for c in candidates}
    guesses = {c.id: visit_rules.guess_system(" ".join(t.description for t in evidence[c.id][0]))
               for c in candidates}
    return render_template("field/r3_queue.html", candidates=candidates, evidence=evidence, guesses=guesses,
                           systems=assessment_rules.SYSTEMS)


@bp.route("/field/r3/<int:candidate_id>", methods=["POST"])
@roles_required("supervisor", "admin")
def r3_decide(candidate_id: int) -> Any:
    decision = request.form.get("decision")
    try:
        if decision == "confirm":
            candidate = r3.confirm(candidate_id, actor=current_user, system=request.form.get("system", ""),
                                   now=utcnow())
            flash(_("已确认：%(who)s 执行力基础管理扣分已记入台账。", who=candidate.user.name), "success")
        elif decision == "dismiss":
            r3.dismiss(candidate_id, actor=current_user, reason=request.form.get("reason", ""), now=utcnow())
            flash(_("已驳回。"), "success")
        else:
            abort(400)
    except DomainError as exc:
        _flash_error(exc)
    return redirect(url_for("field.r3_queue"))
