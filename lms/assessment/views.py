"""Pages: periods, a period's results, the close preview and button, the ledger, the ranking, the notice (HTML and
PDF), reversals, system-operation deductions, post-adjustment decisions, indicator import and "my records"."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from lms.accounts import rules as account_rules
from lms.accounts.access import roles_required
from lms.assessment import (
    appeal_queries,
    appeal_views,  # noqa: F401 - registers the appeal pages on bp
    export,
    notices,
    policy_views,  # noqa: F401 - registers the policy page on bp
    queries,
    rules,
    services,
)
from lms.assessment.blueprint import bp
from lms.assessment.forms import CloseForm, DecisionForm, DeductionForm, IndicatorForm, PublishForm, ReverseForm
from lms.assessment.indicators import import_indicators  # by name: the view is called ``indicators``
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import utcnow
from lms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.org.models import COUNTY, Unit

# Labels that assessment/rules.py and queries.py keep in Chinese and templates translate where they show them
# (``_(entry.kind_label)``): naming them here puts them in the English catalog. tests/core/test_i18n.py
# fails when one is missing.
RULE_LABELS = (
    _l("及格"), _l("不及格"), _l("缺考"), _l("免考"), _l("成绩作废"), _l("通报批评"), _l("现金处罚"),
    _l("执行力扣分"), _l("黄牌警告"), _l("奖励"), _l("重点提升"), _l("岗位调整建议"), _l("冲销（申诉成立）"),
    _l("社会渠道管理系统"), _l("终端订货系统（B2B）"), _l("日常业务查询"), _l("未开考"), _l("考试进行中"),
    _l("待结账"), _l("已结账"),
    # the rules that wrote ledger entries (rules.RULES; the 记录 column shows them)
    _l("首次不及格：通报批评"), _l("连续两个月及以上不及格：现金处罚"), _l("培训后仍不会系统操作：执行力基础管理扣分"),
    _l("月度排名倒数：黄牌警告"), _l("月度排名前列：奖励"), _l("一个季度内黄牌达到次数：下季度重点提升"),
    _l("连续两个季度黄牌：岗位调整建议"), _l("申诉成立：冲销原记录"),
    _l("更正答案后重新评定：冲销不再成立的记录，补记新成立的记录"),
)

STAFF = ("supervisor", "admin", "trainer")


def _period_or_404(period: str) -> queries.PeriodRow:
    if not rules.is_period(period):
        abort(404)
    row = queries.period_row(period, now=utcnow(), grace_seconds=current_app.config["LMS_GRACE_SECONDS"])
    if row.closed is None and not row.tests:
        abort(404)
    return row


def can_close(user: Any) -> bool:
    return user.role == account_rules.ADMIN or services.is_city_supervisor(user)


def _county_or_404(county_id: int) -> Unit:
    county = db.session.get(Unit, county_id)
    if county is None or county.kind != COUNTY:
        abort(404)
    return county


@bp.route("/")
@roles_required(*STAFF)
def periods() -> Any:
    rows = queries.periods_overview(now=utcnow(), grace_seconds=current_app.config["LMS_GRACE_SECONDS"])
    return render_template("assessment/periods.html", rows=rows, can_close=can_close(current_user))


@bp.route("/<period>")
@roles_required(*STAFF)
def period(period: str) -> Any:
    row = _period_or_404(period)
    results = queries.period_results(period, current_user)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return render_template("assessment/period.html", row=row, results=results, counts=counts,
                           can_close=can_close(current_user), counties=queries.visible_counties(current_user),
                           labels=rules.OUTCOME_LABELS)


@bp.route("/<period>/preview")
@roles_required("supervisor", "admin")
def preview(period: str) -> Any:
    if not can_close(current_user):
        abort(403)
    row = _period_or_404(period)
    report, problem = None, None
    try:
        report = services.close_month(period, now=utcnow(), actor=current_user, dry_run=True)
    except DomainError as exc:
        problem = exc.message
    return render_template("assessment/preview.html", row=row, report=report, problem=problem, form=CloseForm(),
                           kind_labels=rules.KIND_LABELS, outcome_labels=rules.OUTCOME_LABELS)


@bp.route("/<period>/close", methods=["POST"])
@roles_required("supervisor", "admin")
def close(period: str) -> Any:
    if not can_close(current_user):
        abort(403)
    if not CloseForm().validate_on_submit():
        abort(400)
    _period_or_404(period)
    try:
        report = services.close_month(period, now=utcnow(), actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("assessment.preview", period=period))
    if report.already_closed:
        flash(_("%(p)s 已结账，本次未做任何更改。", p=period), "info")
    else:
        flash(_("%(p)s 已结账：%(o)d 人的考核结果，%(e)d 条台账记录。", p=period, o=len(report.outcomes),
                e=len(report.entries)), "success")
    return redirect(url_for("assessment.period", period=period))


@bp.route("/<period>/ledger")
@roles_required(*STAFF)
def period_ledger(period: str) -> Any:
    row = _period_or_404(period)
    kind = request.args.get("kind") or None
    view = queries.ledger(current_user, period=period, kinds=(kind,) if kind in rules.LEDGER_KINDS else None)
    return render_template("assessment/ledger.html", row=row, view=view, kind=kind, kinds=rules.KIND_LABELS,
                           can_reverse=services.can_reverse(current_user))


@bp.route("/<period>/ranking")
@roles_required(*STAFF)
def ranking(period: str) -> Any:
    row = _period_or_404(period)
    results = [r for r in queries.period_results(period, current_user) if r.position is not None]
    return render_template("assessment/ranking.html", row=row, results=results)


@bp.route("/<period>/export.<fmt>")
@roles_required(*STAFF)
def export_file(period: str, fmt: str) -> Any:
    _period_or_404(period)
    if fmt not in export.FORMATS:
        abort(404)
    response = make_response(export.export_period(period, fmt, current_user))
    response.headers["Content-Type"] = export.MIME_TYPES[fmt]
    response.headers["Content-Disposition"] = f"attachment; filename=assessment-{period}.{fmt}"
    return response


def _notice_access(period: str, county_id: int) -> tuple[Unit, queries.NoticeDraft]:
    """Staff who see the county read the draft (a grid supervisor only their grid's part of it: the draft names
    people of the other grids); the county's managers read only the published notice, as everyone else may."""
    if not rules.is_period(period):
        abort(404)
    county = _county_or_404(county_id)
    scope = current_user.scope
    grid = current_user.grid if scope.kind == account_rules.GRID_SCOPE else None
    draft = queries.notice_draft(period, county, grid=grid)
    if current_user.role == account_rules.MANAGER:
        if current_user.county_id != county.id or draft.published is None:
            abort(404)
    elif county not in queries.visible_counties(current_user):
        abort(404)
    return county, draft


def _notice_body(draft: queries.NoticeDraft) -> Markup:
    if draft.published is not None:
        return Markup(draft.published.body_html)  # noqa: S704 - rendered by our own autoescaping template
    return Markup(render_template("assessment/_notice_body.html", draft=draft,  # noqa: S704 - same
                                  company_name=current_app.config["LMS_COMPANY_NAME"]))


@bp.route("/<period>/notice/<int:county_id>")
@roles_required(*STAFF, "manager")
def notice(period: str, county_id: int) -> Any:
    county, draft = _notice_access(period, county_id)
    return render_template("assessment/notice.html", draft=draft, county=county, body=_notice_body(draft),
                           form=PublishForm(), can_publish=notices.can_publish_notice(current_user, county.id))


@bp.route("/<period>/notice/<int:county_id>.pdf")
@roles_required(*STAFF, "manager")
def notice_pdf(period: str, county_id: int) -> Any:
    from weasyprint import HTML, URLFetcher  # noqa: PLC0415 - 2.5 s to import: only when a notice is printed

    county, draft = _notice_access(period, county_id)
    html = render_template("assessment/notice_pdf.html", draft=draft, body=_notice_body(draft))
    # The notice is stored HTML: whatever a row holds, rendering it never reaches the network or the disk
    # (fonts come from fontconfig by family name, so the notice needs no URL at all).
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
    if current_user.role != account_rules.MANAGER:  # staff take the names out; a manager reads their county's notice
        audit.record_export(audit_rules.EXPORT_NOTICE, filename=f"notice-{period}-{county_id}.pdf", fmt="pdf",
                            rows=sum(len(entries) for _kind, _title, entries in draft.sections), period=period,
                            filters={"county": county.name, **({"grid": draft.grid.name} if draft.grid else {})})
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f"inline; filename=notice-{period}-{county_id}.pdf"
    return response


@bp.route("/<period>/notice/<int:county_id>/publish", methods=["POST"])
@roles_required("supervisor")
def publish_notice(period: str, county_id: int) -> Any:
    if not PublishForm().validate_on_submit():
        abort(400)
    county, _draft = _notice_access(period, county_id)
    if not notices.can_publish_notice(current_user, county.id):
        raise Forbidden(_("只有本县区或市级主管可以发布通报。"))
    draft = queries.notice_draft(period, county)  # the whole county's (a grid supervisor's view is only a part)
    body = render_template("assessment/_notice_body.html", draft=draft,
                           company_name=current_app.config["LMS_COMPANY_NAME"])
    try:
        notices.publish_notice(period, county_id, actor=current_user, body_html=body, now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("通报已发布，本县区渠道经理可以查看。"), "success")
    return redirect(url_for("assessment.notice", period=period, county_id=county_id))


@bp.route("/ledger/<int:entry_id>/reverse", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def reverse(entry_id: int) -> Any:
    if not services.can_reverse(current_user):
        raise Forbidden(_("网格主管不能冲销台账记录：申诉由县区或市级主管审核冲销。"))
    entry = queries.ledger_entry_for(current_user, entry_id)
    if entry is None:
        raise NotFound(_("台账记录不存在"))
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            services.reverse_entry(entry_id, actor=current_user, reason=form.reason.data or "", now=utcnow())
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("已冲销记录 #%(id)d。", id=entry_id), "success")
            return redirect(url_for("assessment.period_ledger", period=entry.period))
    view = queries.ledger(current_user, user_id=entry.user_id, period=entry.period)
    return render_template("assessment/reverse.html", entry=entry, form=form, view=view)


@bp.route("/deductions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def deduction() -> Any:
    form = DeductionForm()
    if request.method == "GET":
        form.request_key.data = uuid.uuid4().hex
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            entry = services.record_system_ops_deduction(
                employee_no=form.employee_no.data or "", system=form.system.data or "",
                what_happened=form.what_happened.data or "", reported_by=form.reported_by.data or "",
                actor=current_user, now=utcnow(), request_key=form.request_key.data or None)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("已登记：%(who)s %(p)s 执行力基础管理扣 %(n)g 分。", who=entry.user.name, p=entry.period,
                    n=-(entry.points or 0)), "success")
            return redirect(url_for("assessment.deduction"))
    recent = queries.ledger(current_user, kinds=(rules.DEDUCTION,), limit=20)
    return render_template("assessment/deduction.html", form=form, problems=problems, recent=recent,
                           points=current_app.config["LMS_SYSTEM_OPS_DEDUCTION_POINTS"],
                           can_reverse=services.can_reverse(current_user))


@bp.route("/post-adjustments")
@roles_required("supervisor", "admin")
def post_adjustments() -> Any:
    view = queries.post_adjustments(current_user)
    return render_template("assessment/post_adjustments.html", view=view, form=DecisionForm(),
                           can_decide=services.is_city_supervisor(current_user))


@bp.route("/post-adjustments/<int:entry_id>", methods=["POST"])
@roles_required("supervisor")
def decide_post_adjustment(entry_id: int) -> Any:
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("请选择确认或驳回。"), "error")
        return redirect(url_for("assessment.post_adjustments"))
    try:
        services.decide_post_adjustment(entry_id, actor=current_user, confirm=form.decision.data == "confirm",
                                        note=form.note.data or "", now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("已记录您的决定。"), "success")
    return redirect(url_for("assessment.post_adjustments"))


@bp.route("/<period>/indicators", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def indicators(period: str) -> Any:
    row = _period_or_404(period)
    form = IndicatorForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            count = import_indicators(
                period, upload.read(current_app.config["LMS_UPLOAD_MAX_BYTES"] + 1), upload.filename or "upload",
                actor=current_user)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("已导入 %(n)d 条指标。", n=count), "success")
            return redirect(url_for("assessment.period", period=period))
    return render_template("assessment/indicators.html", row=row, form=form, problems=problems)


@bp.route("/mine")
@roles_required("manager")
def mine() -> Any:
    records = queries.my_records(current_user)
    view = records.ledger
    appealable = appeal_queries.appealable_entries(
        current_user, view.entries, appealed=set(view.appeals), reversed_=set(view.reversed_by), now=utcnow(),
        days=current_app.config["LMS_APPEAL_DAYS"])
    return render_template("assessment/mine.html", records=records, outcome_labels=rules.OUTCOME_LABELS,
                           appealable=appealable, appeal_days=current_app.config["LMS_APPEAL_DAYS"])
