"""Pages: the test builder (list, new, edit; a file's quiz read-only until taken over), its live summary (JSON),
publish, take over, and preview as a manager (the real player, on a trial attempt)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.attempts import services as attempts
from lms.core import clock
from lms.core.clock import to_local
from lms.core.errors import DomainError, ValidationFailed
from lms.quizzes import authoring, builder, queries
from lms.quizzes.blueprint import bp
from lms.quizzes.builder_forms import QuizBuilderForm, form_data, form_values, remove_entry, set_choices
from lms.quizzes.models import MONTHLY, Quiz
from lms.quizzes.rules import default_window

STAFF = ("trainer", "admin")


def _next_period(today: date, last_day: int) -> str:
    """The month a trainer is most likely building: this one until its window ends, then the next."""
    year, month = (today.year, today.month) if today.day <= last_day else (
        (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1))
    return f"{year:04d}-{month:02d}"


def _new_values() -> dict[str, Any]:
    policy = authoring.policy()
    period = _next_period(to_local(clock.utcnow()).date(), policy.last_day)
    opens, closes = default_window(period, policy)
    return {"kind": MONTHLY, "period": period, "opens": opens.astimezone(policy.tz).replace(tzinfo=None),
            "closes": closes.astimezone(policy.tz).replace(tzinfo=None).replace(second=0),
            "sections": [{"title": ""}]}


def _form(values: dict[str, Any]) -> QuizBuilderForm:
    return _refill(QuizBuilderForm(data=values))


def _previous(quiz: Quiz | None) -> dict[str, Any]:
    return dict(quiz.builder_data or {}) if quiz is not None and quiz.browser_owned else {}


def _summary(data: dict[str, Any], quiz: Quiz | None) -> builder.Summary:
    """The summary of the form's data, a taken-over file's own questions (``own`` ids) included."""
    return queries.builder_summary(builder.saved_data(data, _previous(quiz)))


def _opens_later(quiz: Quiz) -> Any:
    return builder.opens_later(quiz.current_version.opens_at if quiz.current_version else None, clock.utcnow())


def _page(form: QuizBuilderForm, quiz: Quiz | None, summary: builder.Summary, problems: list[str]) -> Any:
    return render_template("quizzes/builder_edit.html", form=form, quiz=quiz, summary=summary, problems=problems,
                           versions=queries.versions(quiz) if quiz is not None else [],
                           window=authoring.policy(), own=builder.own_questions(_previous(quiz)),
                           opens_later=_opens_later(quiz) if quiz is not None else None,
                           makeup=queries.makeup_standing(quiz) if quiz is not None and not quiz.is_draft else None,
                           makeup_clears_fail=current_app.config["LMS_MAKEUP_CLEARS_FAIL"])


def _submitted(form: QuizBuilderForm, quiz: Quiz | None) -> Any:
    """A POST of the builder's form: add a section; remove a section, draw row or own question; refresh the
    summary (each shows the form again, unsaved); move an own question to a bank, or save (refused with every
    problem)."""
    action = request.form.get("action", "save")
    if action == "add_section":
        form.sections.append_entry()
    elif action.startswith("remove_"):
        remove_entry(form, action)
    if action.startswith("move_question:") and quiz is not None:
        return _move(form, quiz, action)
    data = form_data(form)
    if action != "save":
        return _page(_refill(form), quiz, _summary(data, quiz), [])
    if not form.validate():
        return _page(_refill(form), quiz, _summary(data, quiz), [_("请修改标出的字段。")])
    try:
        if quiz is None:
            quiz = authoring.create_quiz(current_user, data, now=clock.utcnow())
            flash(_("考试已保存为草稿。"), "success")
        else:
            version = authoring.update_quiz(current_user, quiz, data, now=clock.utcnow())
            flash(_("已保存为第 %(n)d 版。", n=version.number) if version else _("内容没有变化。"), "success")
    except ValidationFailed as exc:
        return _page(_refill(form), quiz, _summary(data, quiz), [exc.message, *exc.problems])
    return redirect(url_for("quizzes.builder_edit", slug=quiz.slug))


def _move(form: QuizBuilderForm, quiz: Quiz, action: str) -> Any:
    """``move_question:N:ID``: section N's own question ID into the bank chosen beside it, saved with the form."""
    _kind, _sep, rest = action.partition(":")
    index, _sep, question_id = rest.partition(":")
    section = next((e.form for e in form.sections if e.name == f"sections-{index}"), None)
    data = form_data(form)
    if not form.validate():
        return _page(_refill(form), quiz, _summary(data, quiz), [_("请修改标出的字段。")])
    try:
        row, _version = authoring.move_to_bank(current_user, quiz, data, question_id,
                                               section.move_bank.data if section is not None else "",
                                               now=clock.utcnow())
    except DomainError as exc:
        return _page(_refill(form), quiz, _summary(data, quiz), [exc.message, *getattr(exc, "problems", [])])
    flash(_("题目已移入题库「%(bank)s」（%(key)s），作为本节的固定题目，并已保存。", bank=row.bank.title, key=row.key),
          "success")
    return redirect(url_for("quizzes.builder_edit", slug=quiz.slug))


def _refill(form: QuizBuilderForm) -> QuizBuilderForm:
    """Choices again on a form built from the request (the blank draw rows follow the rows used)."""
    questions = queries.pickable_questions()
    banks = {q.bank: q.bank_title for q in questions}
    for slug, title in queries.bank_titles().items():
        banks.setdefault(slug, title)
    set_choices(form, banks=[SelectChoice(slug, f"{title}（{slug}）") for slug, title in sorted(banks.items())],
                questions=[SelectChoice(q.ref, f"{q.spec.key} · {q.spec.stem[:40]}", optgroup=q.bank_title)
                           for q in questions],
                lessons=sorted({q.spec.lesson for q in questions if q.spec.lesson}),
                editable_banks=[SelectChoice(slug, f"{title}（{slug}）")
                                for slug, title in queries.browser_banks().items()])
    return form


@bp.route("/quizzes/builder")
@roles_required(*STAFF)
def builder_list() -> Any:
    quizzes = queries.quizzes_for_builder()
    return render_template("quizzes/builder_list.html", quizzes=quizzes, now=clock.utcnow(),
                           opens_later={quiz.id: _opens_later(quiz) for quiz, _versions in quizzes})


@bp.route("/quizzes/builder/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def builder_new() -> Any:
    if request.method == "POST":
        return _submitted(QuizBuilderForm(), None)
    values = _new_values()
    return _page(_form(values), None, _summary({"sections": []}, None), [])


@bp.route("/quizzes/builder/<slug>", methods=["GET", "POST"])
@roles_required(*STAFF)
def builder_edit(slug: str) -> Any:
    quiz = queries.builder_quiz(slug)
    if not quiz.browser_owned:
        definition = authoring.current_definition(quiz)
        return render_template("quizzes/builder_view.html", quiz=quiz, definition=definition,
                               versions=queries.versions(quiz), opens_later=_opens_later(quiz),
                               summary=queries.builder_summary(authoring.data_for_form(quiz)))
    if request.method == "POST":
        return _submitted(QuizBuilderForm(), quiz)
    data = authoring.data_for_form(quiz)
    return _page(_form(form_values(data)), quiz, queries.builder_summary(data), [])


@bp.route("/quizzes/builder/summary", methods=["POST"])
@roles_required(*STAFF)
def builder_summary() -> Any:
    """The live summary of the form as it stands (static/js/quiz-builder.js), as the page's own fragment; ``slug``
    names the quiz being edited (a taken-over file's own questions count)."""
    slug = request.args.get("slug")
    found = _summary(form_data(QuizBuilderForm()), queries.builder_quiz(slug) if slug else None)
    return jsonify({"html": render_template("quizzes/builder_summary.html", summary=found),
                    "ok": found.ok, "questions": found.questions, "papers": found.papers})


@bp.route("/quizzes/builder/<slug>/publish", methods=["POST"])
@roles_required(*STAFF)
def builder_publish(slug: str) -> Any:
    quiz = queries.builder_quiz(slug)
    authoring.publish_quiz(current_user, quiz, now=clock.utcnow())
    later = _opens_later(quiz)
    if later is not None:
        flash(_("考试已排期：将于 %(when)s 开放，届时渠道经理可在“我的考试”中参加。",
                when=to_local(later).strftime("%Y-%m-%d %H:%M")), "success")
    else:
        flash(_("考试已发布：开放时间内渠道经理可在“我的考试”中参加。"), "success")
    return redirect(url_for("quizzes.builder_edit", slug=slug))


@bp.route("/quizzes/builder/<slug>/take-over", methods=["POST"])
@roles_required(*STAFF)
def builder_take_over(slug: str) -> Any:
    quiz = queries.builder_quiz(slug)
    authoring.take_over(current_user, quiz, now=clock.utcnow())
    flash(_("已在浏览器中接管：此后同步会跳过该文件。"), "success")
    return redirect(url_for("quizzes.builder_edit", slug=slug))


@bp.route("/quizzes/builder/<slug>/preview", methods=["POST"])
@roles_required(*STAFF)
def builder_preview(slug: str) -> Any:
    quiz = queries.builder_quiz(slug)
    try:
        attempts.start_preview(current_user, quiz, now=clock.utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("quizzes.builder_edit", slug=slug))
    return redirect(url_for("attempts.take", slug=slug))

