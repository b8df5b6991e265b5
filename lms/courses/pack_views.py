"""The trainers' pages for the month's training pack: the list by month, a new pack, choosing and ordering its
lessons and test, the preview as managers see it, and publishing it once. Thin: guard, load, one service call."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.core.clock import period_of, utcnow
from lms.core.errors import Conflict, ValidationFailed
from lms.core.markdown import render_document
from lms.courses import pack_queries, pack_rules, pack_services
from lms.courses.blueprint import bp
from lms.courses.models import TrainingPack
from lms.courses.pack_forms import NewPackForm, PackForm

AUTHORS = ("trainer", "admin")

# Labels pack_rules keeps in Chinese and the pages translate (``_(label)``): named here for the English catalogue.
RULE_LABELS = (_l("草稿"), _l("已发布"))


def _form_problems(form: Any) -> list[str]:
    return [_("%(field)s：%(error)s", field=form[name].label.text, error=error)
            for name, errors in form.errors.items() for error in errors]


def _next_free_period() -> str:
    """The month a new pack is most likely for: this month if it has none yet, else the next free one."""
    taken = set(pack_queries.taken_periods())
    year, month = (int(part) for part in period_of(utcnow()).split("-"))
    for _step in range(24):
        period = f"{year:04d}-{month:02d}"
        if period not in taken:
            return period
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return period


@bp.route("/courses/packs")
@roles_required(*AUTHORS)
def packs() -> Any:
    form = NewPackForm(data={"period": _next_free_period()})
    return _pack_list(form, [])


def _pack_list(form: NewPackForm, problems: list[str]) -> Any:
    return render_template("courses/pack_list.html", packs=pack_queries.all_packs(), form=form, problems=problems,
                           labels=pack_rules.STATUS_LABELS, current_period=period_of(utcnow())), (
        422 if problems else 200)


@bp.route("/courses/packs/new", methods=["POST"])
@roles_required(*AUTHORS)
def new_pack() -> Any:
    form = NewPackForm()
    if not form.validate_on_submit():
        return _pack_list(form, _form_problems(form))
    try:
        pack = pack_services.create_pack(form.period.data or "", current_user)
    except ValidationFailed as exc:
        return _pack_list(form, exc.problems or [exc.message])
    flash(_("已创建培训包，请选择课程。"), "success")
    return redirect(url_for("courses.edit_pack", pack_id=pack.id))


def _choices(form: PackForm, pack: TrainingPack) -> list[tuple[Any, list[Any]]]:
    groups = pack_queries.lesson_choices()
    offered = [lesson for _category, lessons in groups for lesson in lessons]
    offered_ids = {lesson.id for lesson in offered}
    # A lesson of the pack taken offline since stays a choice, so saving the pack does not silently drop it.
    extra = [lesson for lesson in pack.lessons if lesson.id not in offered_ids]
    form.lessons.choices = [SelectChoice(lesson.id, lesson.title) for lesson in offered + extra]
    tests = pack_queries.monthly_tests()
    form.quiz.choices = [SelectChoice(0, _("（暂不指定）")),
                         *(SelectChoice(quiz.id, _("%(main)s（%(aside)s）", main=quiz.title, aside=quiz.period or ""))
                           for quiz in tests)]
    return groups


@bp.route("/courses/packs/<int:pack_id>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def edit_pack(pack_id: int) -> Any:
    pack = pack_queries.get_pack(pack_id)
    form = PackForm(data={"title": pack.title, "quiz": pack.quiz_id or 0,
                          "lessons": [lesson.id for lesson in pack.lessons]} if request.method == "GET" else None)
    groups = _choices(form, pack)
    problems: list[str] = []
    if form.validate_on_submit():
        order = pack_rules.chosen_order([lesson.id for lesson in pack.lessons], form.lessons.data or [])
        notify = bool(form.notify_again.data) and pack.is_published
        try:
            changed = pack_services.save_pack(pack, title=form.title.data or "", quiz_id=form.quiz.data or None,
                                              lesson_ids=order, author=current_user, notify_again=notify)
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            if notify:
                flash(_("培训包已保存，并已再次通知全体人员。"), "success")
            else:
                flash(_("培训包已保存。") if changed else _("没有改动。"), "success" if changed else "info")
            if request.form.get("action") == "preview":
                return redirect(url_for("courses.preview_pack", pack_id=pack.id))
            return redirect(url_for("courses.edit_pack", pack_id=pack.id))
    elif request.method == "POST":
        problems = _form_problems(form)
    chosen = set(form.lessons.data or [])
    return render_template("courses/pack_edit.html", pack=pack, form=form, groups=groups, chosen=chosen,
                           problems=problems, labels=pack_rules.STATUS_LABELS), (422 if problems else 200)


@bp.route("/courses/packs/<int:pack_id>/move", methods=["POST"])
@roles_required(*AUTHORS)
def move_pack_lesson(pack_id: int) -> Any:
    """Up/down without JavaScript: each arrow is a one-button form naming the lesson and the direction."""
    pack = pack_queries.get_pack(pack_id)
    parsed = pack_rules.parse_move(request.form.get("move", ""))
    if parsed is None:
        abort(400)
    direction, lesson_id = parsed
    order = pack_rules.move([lesson.id for lesson in pack.lessons], lesson_id, direction)
    pack_services.save_pack(pack, title=pack.title, quiz_id=pack.quiz_id, lesson_ids=order, author=current_user)
    return redirect(url_for("courses.edit_pack", pack_id=pack.id) + "#pack-order")


@bp.route("/courses/packs/<int:pack_id>/preview")
@roles_required(*AUTHORS)
def preview_pack(pack_id: int) -> Any:
    pack = pack_queries.get_pack(pack_id)
    lessons = pack_queries.live_pack_lessons(pack)
    links = [pack_rules.Link(lesson.title, url_for("courses.lesson", slug=lesson.slug)) for lesson in lessons]
    quiz = pack.quiz
    quiz_link = pack_rules.Link(quiz.title, url_for("attempts.take", slug=quiz.slug)) if quiz else None
    title, body = pack_rules.announcement_text(pack.period, pack.title, links, quiz_link)
    offline = [lesson for lesson in pack.lessons if not lesson.is_live]
    return render_template("courses/pack_preview.html", pack=pack, lessons=lessons, offline=offline,
                           announcement_title=title, announcement=render_document(body),
                           labels=pack_rules.STATUS_LABELS, studied=set())


@bp.route("/courses/packs/<int:pack_id>/publish", methods=["POST"])
@roles_required(*AUTHORS)
def publish_pack(pack_id: int) -> Any:
    pack = pack_queries.get_pack(pack_id)
    try:
        announcement = pack_services.publish_pack(pack, current_user)
    except Conflict:
        flash(_("培训包已经发布过；修改后可勾选“再次通知”。"), "info")
        return redirect(url_for("courses.preview_pack", pack_id=pack.id))
    except ValidationFailed as exc:
        for problem in exc.problems or [exc.message]:
            flash(problem, "error")
        return redirect(url_for("courses.preview_pack", pack_id=pack.id))
    flash(_("培训包已发布，已通知 %(n)d 人。", n=announcement.recipient_count), "success")
    return redirect(url_for("courses.preview_pack", pack_id=pack.id))
