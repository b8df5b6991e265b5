"""Pages: the trainers' question banks — the banks (upload, the xlsx and Word templates, a new empty bank), a bank's
questions found by filters with bulk tagging, one question as managers see it with its key, usage and history, and
its editor."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.attempts.rules import draw_paper
from lms.attempts.wording import answer_html, options_html
from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.core.markdown import render_markdown
from lms.core.numbers import page_number
from lms.quizzes import bank_services, importers, imports, queries, services
from lms.quizzes.blueprint import bp
from lms.quizzes.definitions import QuizDefinition, Section, spec_from_json
from lms.quizzes.exporters import EXPORTERS
from lms.quizzes.forms import BankForm, QuestionFilterForm, QuestionForm, TagForm, problem_words
from lms.quizzes.import_plan import shortened
from lms.quizzes.models import BankQuestion, QuestionBank
from lms.quizzes.specs import QuestionSpec

STAFF = ("trainer", "admin")
bp.add_app_template_filter(shortened, "stem_excerpt")


@bp.route("/quizzes/banks", methods=["GET", "POST"])
@roles_required(*STAFF)
def banks() -> Any:
    """The banks, and the upload of a question file: read at once and shown as a preview, written only when the
    trainer confirms it there (``import_views.import_preview``)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.files.get("file")
        bank_slug = (request.form.get("bank") or "").strip()
        if upload is None or not upload.filename:
            problems.append(_("请选择要导入的文件。"))
        else:
            try:
                preview = imports.stage_import(
                    upload.read(), upload.filename, bank_slug, title=request.form.get("title") or None,
                    max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"], by=current_user,
                    limits=imports.configured_limits())
            except ValidationFailed as exc:
                problems = [exc.message, *exc.problems]
            except DomainError as exc:
                problems = [exc.message]
            else:
                return redirect(url_for("quizzes.import_preview", token=preview.token))
    return render_template("quizzes/banks.html", banks=services.list_banks(), problems=problems,
                           form=request.form, bank_form=BankForm(),
                           accepted_extensions=",".join(importers.SUPPORTED_EXTENSIONS))


@bp.route("/quizzes/banks/template.xlsx")
@roles_required(*STAFF)
def bank_template() -> Any:
    return Response(importers.xlsx_template(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=question-bank-template.xlsx"})


@bp.route("/quizzes/banks/template.docx")
@roles_required(*STAFF)
def bank_template_docx() -> Any:
    return Response(importers.docx_template(),
                    mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": "attachment; filename=question-bank-template.docx"})


@bp.route("/quizzes/banks/new", methods=["POST"])
@roles_required(*STAFF)
def bank_new() -> Any:
    form = BankForm()
    if not form.validate_on_submit():
        flash(_("请填写题库名称（最多 200 个字）。"), "error")
        return redirect(url_for("quizzes.banks"))
    bank = bank_services.create_bank(form.title.data, by=current_user, now=utcnow())
    flash(_("已新建题库“%(title)s”，现在可以添加题目。", title=bank.title), "success")
    return redirect(url_for("quizzes.bank", slug=bank.slug))


def _question_list(bank: QuestionBank | None) -> Any:
    """A bank's questions (or every bank's), found by the filters in the query string, one page of them."""
    form = QuestionFilterForm(
        formdata=request.args,
        banks=[(b.slug, b.title) for b, _count in services.list_banks()],
        tags=queries.bank_tags(bank.slug if bank else None), lessons=queries.lesson_choices())
    rows: list[queries.QuestionRow] = []
    if not request.args or form.validate():
        wanted = form.wanted()
        if bank is not None:
            wanted["bank"] = bank.slug
        rows = queries.bank_questions(**wanted)
    arguments = form.arguments()
    if bank is not None:
        arguments.pop("bank", None)
    return render_template("quizzes/bank.html", bank=bank, form=form, page=queries.paginate(rows, page_number()),
                           exporters=EXPORTERS,
                           arguments=arguments, tag_form=TagForm(formdata=None),
                           back=request.full_path.rstrip("?"))


@bp.route("/quizzes/banks/<slug>")
@roles_required(*STAFF)
def bank(slug: str) -> Any:
    return _question_list(services.get_bank(slug))


@bp.route("/questions")
@roles_required(*STAFF)
def questions() -> Any:
    return _question_list(None)


def _safe_back(default: str) -> str:
    """Where to return after a write: a path on this site that the list gave, or ``default``."""
    back = request.form.get("back") or request.args.get("back") or ""
    return back if back.startswith("/") and not back.startswith("//") else default


@bp.route("/questions/tag", methods=["POST"])
@roles_required(*STAFF)
def questions_tag() -> Any:
    form = TagForm()
    back = _safe_back(url_for("quizzes.questions"))
    if not form.validate_on_submit():
        flash(_("请勾选题目并填写标签。"), "error")
        return redirect(back)
    add = form.action.data != "remove"
    try:
        changed = bank_services.retag(form.ids.data or [], form.tag.data, add=add, by=current_user, now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(back)
    if add:
        flash(_("已为 %(n)d 道题添加标签“%(tag)s”。", n=changed, tag=form.tag.data.strip()), "success")
    else:
        flash(_("已从 %(n)d 道题移除标签“%(tag)s”。", n=changed, tag=form.tag.data.strip()), "success")
    return redirect(back)


def _get(question_id: int) -> BankQuestion:
    found = queries.get_question(question_id)
    if found is None:
        abort(404)
    return found


def as_paper(spec: QuestionSpec) -> dict[str, Any]:
    """The question as a paper holds it (options in authoring order, ids A, B, …), for the pages that show a paper."""
    definition = QuizDefinition(
        slug="preview", title="", kind="practice", period=None, opens_at=None, closes_at=None, time_limit_seconds=0,
        pass_score=0, max_score=100, attempts_allowed=None, review_policy="immediately",
        sections=(Section(title="", questions=(spec,)),), shuffle_questions=False, shuffle_options=False)
    question: dict[str, Any] = draw_paper(definition, {}, seed=0)["questions"][0]
    return question


@bp.route("/questions/<int:question_id>")
@roles_required(*STAFF)
def question(question_id: int) -> Any:
    row = queries.question_row(question_id)
    if row is None:
        abort(404)
    paper = as_paper(row.spec)
    return render_template(
        "quizzes/question.html", row=row, q=row.question, spec=row.spec, paper=paper,
        stem_html=render_markdown(row.spec.stem), options=options_html(paper), answer=answer_html(paper),
        explanation_html=render_markdown(row.spec.explanation) if row.spec.explanation else "",
        back=_safe_back(url_for("quizzes.bank", slug=row.question.bank.slug)))


def _problems(exc: ValidationFailed) -> list[str]:
    return [problem_words(p) for p in exc.problems] or [exc.message]


@bp.route("/quizzes/banks/<slug>/questions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def question_new(slug: str) -> Any:
    bank = services.get_bank(slug)
    if bank.source_path:
        flash(_("此题库来自文件 %(path)s，请修改文件后同步。", path=bank.source_path), "error")
        return redirect(url_for("quizzes.bank", slug=slug))
    form = QuestionForm(lessons=queries.lesson_choices())
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            row = bank_services.create_question(bank, form.to_spec(), by=current_user, now=utcnow())
        except ValidationFailed as exc:
            problems = _problems(exc)
        else:
            flash(_("题目已保存。"), "success")
            return redirect(url_for("quizzes.question", question_id=row.id))
    return render_template("quizzes/question_form.html", form=form, bank=bank, q=None, problems=problems)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def question_edit(question_id: int) -> Any:
    q = _get(question_id)
    spec = spec_from_json(q.spec)
    if q.bank.source_path:
        flash(_("此题来自文件 %(path)s，请修改文件后同步。", path=q.bank.source_path), "error")
        return redirect(url_for("quizzes.question", question_id=q.id))
    lessons = queries.lesson_choices()
    form = QuestionForm(lessons=lessons) if request.method == "POST" else \
        QuestionForm.from_spec(spec, name=q.name, lessons=lessons)
    if request.method == "POST" and spec.lesson and spec.lesson not in dict(lessons):
        form.lesson.choices = [*form.lesson.choices, SelectChoice(spec.lesson, spec.lesson)]
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            changed = bank_services.edit_question(q, form.to_spec(base=spec), by=current_user, now=utcnow())
        except ValidationFailed as exc:
            problems = _problems(exc)
        else:
            flash(_("已保存为第 %(n)d 版。", n=q.revisions[0].number) if changed else _("没有改动，未保存新版本。"),
                  "success")
            return redirect(url_for("quizzes.question", question_id=q.id))
    return render_template("quizzes/question_form.html", form=form, bank=q.bank, q=q, problems=problems)


@bp.route("/questions/<int:question_id>/retire", methods=["POST"], defaults={"retired": True})
@bp.route("/questions/<int:question_id>/restore", methods=["POST"], defaults={"retired": False},
          endpoint="question_restore")
@roles_required(*STAFF)
def question_retire(question_id: int, retired: bool) -> Any:
    try:
        bank_services.set_retired(_get(question_id), retired, by=current_user, now=utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("题目已停用，今后不会再被抽到；历史试卷不受影响。") if retired else _("题目已恢复，今后可被抽到。"),
              "success")
    return redirect(url_for("quizzes.question", question_id=question_id))
