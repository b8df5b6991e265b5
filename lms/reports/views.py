"""Pages: the supervisor's board, period pages, a person's page (with appeal reversals), trainer analytics,
regrading and point-to-point suggestions; each table also as xlsx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms.accounts.access import can_view_person, roles_required
from lms.accounts.models import User
from lms.assessment import queries as assessment_queries
from lms.assessment import services as assessment
from lms.assessment.models import LedgerEntry
from lms.assessment.rules import is_period
from lms.attempts import evidence
from lms.attempts.key_corrections import KeyCorrection, QuestionInfo
from lms.attempts.regrade import apply_regrade, find_question, plan_regrade
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core import numbers
from lms.core.clock import SHANGHAI, utcnow
from lms.core.errors import DomainError, Forbidden, ValidationFailed
from lms.core.settings import is_on
from lms.courses import services as courses
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.types.numbers import parse_key
from lms.reports import charts, export, forms, rules
from lms.reports.queries import analytics, common, ledger, open_tests, period_report, person_report, supervisor_board
from lms.reports.queries import suggestions as suggestion_queries  # the page's view is called suggestions

bp = Blueprint("reports", __name__, url_prefix="/reports")

SUPERVISORS = ("supervisor", "admin")
AUTHORS = ("trainer", "admin")
STAFF = ("supervisor", "admin", "trainer")


def _absent_counts_as_fail() -> bool:
    return is_on(current_app.config.get("LMS_ABSENT_COUNTS_AS_FAIL", True))


def _period_argument(value: str | None, default: str) -> str:
    if value is None or value == "":
        return default
    if not is_period(value):
        abort(404)
    return value


def _xlsx(sheets: list[export.Sheet], filename: str, *, personal: str | None = None, period: str | None = None,
          person: User | None = None) -> Any:
    """The sheets as a download; one naming people (``personal``: what it holds, one of the audit log's export
    labels) is recorded in the audit log with its period, person and row count."""
    body = export.workbook(sheets)
    if personal is not None:
        audit.record_export(personal, filename=filename, fmt="xlsx", rows=sum(len(sheet.rows) for sheet in sheets),
                            period=period, target=person)
    response = make_response(body)
    response.headers["Content-Type"] = export.XLSX_MIME
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


def _svg(markup: str) -> Markup:
    return Markup(markup)  # noqa: S704 - built by lms.reports.charts, which escapes every text it writes


# --- supervisor home ----------------------------------------------------------------------------------------------


def _board(limit: int | None) -> tuple[str, supervisor_board.SupervisorBoard]:
    now = utcnow()
    period = _period_argument(request.args.get("period"), common.default_period(now))
    board = supervisor_board.supervisor_board(current_user, period, now=now,
                                              absent_counts_as_fail=_absent_counts_as_fail(), limit=limit)
    return period, board


@bp.route("/")
@roles_required(*SUPERVISORS)
def supervisor_home() -> Any:
    now = utcnow()
    period, board = _board(common.LIST_LIMIT)
    recent = list(reversed(common.closed_periods()[-12:]))
    # Every test open now (system-ops and make-ups included) with who has not sat it; the chosen period's own
    # monthly tests have their sections above, so they are not repeated.
    tests = [t for t in open_tests.open_tests(now) if not (t.kind == "monthly" and t.period == period)]
    return render_template("reports/supervisor_home.html", period=period, board=board, now=now,
                           recent=recent, states=rules.STATE_LABELS, limit=common.LIST_LIMIT,
                           periods=common.board_periods(now, period),
                           open_tests=open_tests.open_tests_progress(current_user, tests, now=now))


@bp.route("/export.xlsx")
@roles_required(*SUPERVISORS)
def supervisor_home_xlsx() -> Any:
    period, board = _board(None)
    return _xlsx(export.supervisor_sheets(board, now=utcnow()), f"risk-board-{period}.xlsx",
                 personal=audit_rules.EXPORT_BOARD, period=period)


# --- period pages -------------------------------------------------------------------------------------------------


def _period_charts(report: period_report.PeriodReport) -> dict[str, Markup]:
    bins = charts.bar_chart(_("成绩分布（人数）"), [
        charts.Bar(b.label, b.count, "chart-bar-pass" if b.lower >= 80 else "chart-bar-fail") for b in report.bins])
    labels = [p for p, _t in report.trend]
    rates = [rules.pass_rate(t.passed, t.assessed) for _p, t in report.trend]
    trend = charts.line_chart(
        _("近12个月合格率与平均分"), labels,
        [charts.Series(_("合格率%"), [r * 100 if r is not None else None for r in rates], "chart-line"),
         charts.Series(_("平均分"), [t.average for _p, t in report.trend], "chart-line-alt")],
        maximum=100.0, reference=80.0)
    return {"bins": _svg(bins), "trend": _svg(trend)}


@bp.route("/periods/<period>")
@roles_required(*STAFF)
def period(period: str) -> Any:
    period = _period_argument(period, period)
    page = numbers.page_number()
    report = period_report.period_report(period, current_user, page=page)
    return render_template("reports/period.html", report=report, charts=_period_charts(report),
                           periods=list(reversed(common.closed_periods())))


@bp.route("/periods/<period>/export.xlsx")
@roles_required(*STAFF)
def period_xlsx(period: str) -> Any:
    period = _period_argument(period, period)
    report = period_report.period_report(period, current_user)
    sheets = export.period_sheets(report, ranking=period_report.bands(period, current_user, only_bands=False),
                                  ledger=ledger.period_ledger(period, current_user, page_size=None))
    return _xlsx(sheets, f"period-{period}.xlsx", personal=audit_rules.EXPORT_REPORT_PERIOD, period=period)


# --- a person -----------------------------------------------------------------------------------------------------


def _person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not can_view_person(current_user, person):
        abort(404)
    return person


def _ledger(person: User) -> Any:
    return assessment_queries.ledger(current_user, user_id=person.id)


@bp.route("/people/<int:user_id>")
@roles_required(*STAFF)
def person(user_id: int) -> Any:
    person = _person_or_404(user_id)
    report = person_report.person_report(person)
    scored = report.outcomes
    timeline = charts.line_chart(
        _("成绩走势"), [o.period for o in scored],
        [charts.Series(_("成绩"), [o.score for o in scored], "chart-line")], maximum=100.0, reference=80.0)
    return render_template("reports/person.html", report=report, ledger=_ledger(person), timeline=_svg(timeline),
                           can_reverse=assessment.can_reverse(current_user), form=forms.ReverseForm(),
                           event_label=evidence.event_label, describe_event=evidence.describe,
                           finish_reason_label=evidence.finish_reason_label)


@bp.route("/people/<int:user_id>/export.xlsx")
@roles_required(*STAFF)
def person_xlsx(user_id: int) -> Any:
    person = _person_or_404(user_id)
    return _xlsx(export.person_sheets(person_report.person_report(person), _ledger(person)),
                 f"person-{person.employee_no}.xlsx", personal=audit_rules.EXPORT_PERSON, person=person)


@bp.route("/people/<int:user_id>/ledger/<int:entry_id>/reverse", methods=["POST"])
@roles_required(*SUPERVISORS)
def reverse_entry(user_id: int, entry_id: int) -> Any:
    """An appeal upheld, from the person's page: the assessment's reversal service writes the reversal entry."""
    if not assessment.can_reverse(current_user):
        raise Forbidden(_("网格主管不能冲销台账记录：申诉由县区或市级主管审核冲销。"))
    person = _person_or_404(user_id)
    form = forms.ReverseForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        flash(_("请填写冲销原因（申诉成立的依据）。"), "error")
        return redirect(url_for("reports.person", user_id=person.id, _anchor="ledger"))
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.user_id != person.id:
        abort(404)
    try:
        assessment.reverse_entry(entry_id, actor=current_user, reason=form.reason.data or "", now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("已冲销记录 #%(id)d。", id=entry_id), "success")
    return redirect(url_for("reports.person", user_id=person.id, _anchor="ledger"))


# --- trainer analytics --------------------------------------------------------------------------------------------


@bp.route("/trainer")
@roles_required(*AUTHORS)
def trainer_home() -> Any:
    return render_template("reports/trainer_home.html", quizzes=analytics.quiz_overview(current_user))


@bp.route("/trainer/export.xlsx")
@roles_required(*AUTHORS)
def trainer_home_xlsx() -> Any:
    return _xlsx(export.quiz_overview_sheets(analytics.quiz_overview(current_user)), "quizzes.xlsx")


@bp.route("/quizzes/<slug>")
@roles_required(*AUTHORS)
def quiz(slug: str) -> Any:
    analysis = analytics.quiz_analysis(quizzes.get_quiz(slug, any_state=True), current_user)
    return render_template("reports/quiz.html", analysis=analysis, most_missed=analysis.most_missed())


@bp.route("/quizzes/<slug>/export.xlsx")
@roles_required(*AUTHORS)
def quiz_xlsx(slug: str) -> Any:
    analysis = analytics.quiz_analysis(quizzes.get_quiz(slug, any_state=True), current_user)
    return _xlsx(export.quiz_sheets(analysis), f"item-analysis-{slug}.xlsx")


def _correction(question_id: str, info: QuestionInfo, form: forms.RegradeForm) -> KeyCorrection:
    lines = tuple(line.strip() for line in (form.accepted.data or "").splitlines() if line.strip())
    if info.type == "numeric":
        keys = [parse_key(line) for line in lines]
        if any(key is None for key in keys):
            raise ValidationFailed(_("更正后的答案无效"), [_("每行一个数字，如 3、3±0.5 或 1..5")])
        return KeyCorrection(question_id, accepted=lines, numbers=tuple(key for key in keys if key is not None))
    if info.type == "fill":
        return KeyCorrection(question_id, accepted=lines)
    try:
        chosen = tuple(sorted({int(value) for value in request.form.getlist("correct")}))
    except ValueError:
        raise ValidationFailed(_("更正后的答案无效"), [_("选项编号无效")]) from None
    return KeyCorrection(question_id, correct=chosen)


@bp.route("/quizzes/<slug>/regrade/<question_id>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def regrade(slug: str, question_id: str) -> Any:
    quiz = quizzes.get_quiz(slug, any_state=True)
    info = find_question(quiz, question_id)
    form = forms.RegradeForm()
    plan, problems = None, []
    correction = KeyCorrection(question_id, correct=info.correct, accepted=info.accepted)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            correction = _correction(question_id, info, form)
            if form.action.data == "apply":
                plan = apply_regrade(quiz, correction, actor=current_user, now=utcnow())
                flash(_("已按更正后的答案重新评分：%(n)d 份答卷成绩改变，其中 %(m)d 人及格与否改变。",
                        n=len(plan.changes), m=plan.outcome_changes), "success")
                return redirect(url_for("reports.quiz", slug=slug))
            plan = plan_regrade(quiz, correction, current_user)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
    return render_template("reports/regrade.html", quiz=quiz, info=info, form=form, plan=plan, problems=problems,
                           correction=correction)


# --- point-to-point suggestions -----------------------------------------------------------------------------------


def _suggestions() -> suggestion_queries.Suggestions:
    settings = rules.suggestion_settings(current_app.config)
    return suggestion_queries.suggestions(current_user, settings,
                                          pass_line=float(current_app.config.get("LMS_PASS_SCORE", 80)))


@bp.route("/suggestions")
@roles_required(*AUTHORS)
def suggestions() -> Any:
    return render_template("reports/suggestions.html", found=_suggestions(),
                           settings=rules.suggestion_settings(current_app.config))


@bp.route("/suggestions/export.xlsx")
@roles_required(*AUTHORS)
def suggestions_xlsx() -> Any:
    return _xlsx(export.suggestion_sheets(_suggestions()), "point-to-point-suggestions.xlsx",
                 personal=audit_rules.EXPORT_SUGGESTIONS)


def _suggested_lessons(found: suggestion_queries.Suggestions, *, grid_id: int | None, user_id: int | None
                       ) -> list[suggestion_queries.MissedLesson]:
    for grid in found.grids:
        if grid.grid_id == grid_id:
            return grid.lessons
    for person in found.people:
        if person.person.user_id == user_id:
            return person.lessons
    return []


@bp.route("/suggestions/session", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def suggestion_session() -> Any:
    grid_id = numbers.query_int("grid")
    user_id = numbers.query_int("person")
    if grid_id is not None:
        unit = suggestion_queries.visible_unit(grid_id, current_user)
        if unit is None:
            abort(404)
        people = suggestion_queries.grid_managers(unit.id, current_user)
        county_id, target = unit.parent_id, unit.name
    elif user_id is not None:
        person = _person_or_404(user_id)
        people = list(common.people_refs({person.id}, current_user).values())
        county_id, target = person.county_id, person.name
    else:
        abort(404)
    lessons = [m for m in _suggested_lessons(_suggestions(), grid_id=grid_id, user_id=user_id) if m.title]
    form = forms.SessionForm()
    if request.method == "GET":
        form.title.data = _("点对点培训：%(target)s", target=target)
        start = (utcnow().astimezone(SHANGHAI) + timedelta(days=7)).replace(hour=9, minute=0, second=0,
                                                                             microsecond=0)
        form.starts_at.data = start.replace(tzinfo=None)
    problems: list[str] = []
    if form.validate_on_submit():
        chosen_people = {int(v) for v in request.form.getlist("invitee") if v.isdigit()}
        allowed = {p.user_id for p in people}
        chosen_lessons = [s for s in request.form.getlist("lesson") if s in {m.slug for m in lessons}]
        try:
            session = courses.create_point_to_point_session(
                title=form.title.data or "", starts_at=_local(form.starts_at.data),
                ends_at=_local(form.ends_at.data) if form.ends_at.data else None, place=form.place.data or "",
                notes=form.notes.data or "", invitee_ids=sorted(chosen_people & allowed),
                lesson_slugs=chosen_lessons, county_id=county_id, actor=current_user, now=utcnow())
        except ValidationFailed as exc:
            flash(exc.message, "error")
            problems = exc.problems
        else:
            flash(_("已安排点对点培训，受邀 %(n)d 人。", n=len(session.invitations)), "success")
            return redirect(url_for("courses.training_session", session_id=session.id))
    elif request.method == "POST" and form.errors.get("csrf_token"):
        abort(400)
    return render_template("reports/suggestion_session.html", form=form, people=people, lessons=lessons,
                           target=target, problems=problems)


def _local(value: datetime | None) -> datetime:
    """A form's local (Asia/Shanghai) time → aware UTC."""
    assert value is not None  # noqa: S101 - the form validated it
    return value.replace(tzinfo=SHANGHAI).astimezone(UTC)
