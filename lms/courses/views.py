"""Courseware pages: catalogue, lesson, studied marking, attachments, the trainers' editor, revisions and diffs,
study progress, and training sessions. Thin: guard, load, one service call, respond."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.core import numbers
from lms.core.clock import SHANGHAI, period_of, utcnow
from lms.core.errors import ValidationFailed
from lms.core.markdown import render_document
from lms.courses import (
    media,
    media_views,
    pack_queries,
    pack_views,  # noqa: F401 - registers the training-pack pages on bp
    queries,
    rules,
    services,
)
from lms.courses.blueprint import bp
from lms.courses.forms import LessonForm, TrainingSessionForm
from lms.courses.models import Lesson, TrainingSession
from lms.extensions import db
from lms.org.models import COUNTY, Unit

# Labels that courses/rules.py keep in Chinese and templates translate where they show them
# (``_(session.mode_label)``): naming them here puts them in the English catalog. tests/core/test_i18n.py
# fails when one is missing.
RULE_LABELS = (
    _l("集中培训"), _l("片区培训"), _l("点对点培训"), _l("未签到"), _l("出席"), _l("缺席"), _l("请假"), _l("政策"),
    _l("酬金"), _l("系统操作"), _l("日常管理"), _l("组织能力"), _l("思路转型"), _l("支撑"), _l("终端政策"),
    _l("入网政策"), _l("流量政策"), _l("宽带政策"), _l("酬金（计提、房补、综合激励）"), _l("社会渠道管理系统"),
    _l("终端订货系统（B2B）"), _l("日常查询"), _l("日常管理（巡店、考勤）"), _l("组织能力（地推、观摩）"),
    _l("营销话术"), _l("宣传包装"),
)

EVERYONE = ("manager", "trainer", "supervisor", "admin")
AUTHORS = ("trainer", "admin")

# Files placed beside a lesson that may be served, with the first bytes each must start with: the extension alone
# is not trusted (an HTML page renamed .png must not reach a browser as an image).
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...], bool]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",), True),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",), True),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",), True),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a"), True),
    ".webp": ("image/webp", (b"RIFF",), True),
    ".pdf": ("application/pdf", (b"%PDF-",), True),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",), False),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",), False),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",), False),
}


# --- reading -----------------------------------------------------------------------------------------------------


@bp.route("/courses")
@roles_required(*EVERYONE)
def catalogue() -> Any:
    lessons = queries.live_lessons()
    pack = queries.training_pack(current_user, utcnow(), lessons=lessons)
    studied = queries.studied_lesson_ids(current_user)
    query = request.args.get("q", "").strip()[:100]
    category = request.args.get("category", "")
    period = request.args.get("period", "")
    results = queries.search_lessons(query) if query else None
    shown = lessons
    if category in rules.CATEGORY_BY_KEY:
        shown = [lesson for lesson in shown if lesson.category == category]
    else:
        category = ""
    if rules.is_valid_period(period):
        shown = [lesson for lesson in shown if lesson.period == period]
    else:
        period = ""
    groups: dict[str, list[tuple[rules.Category, list[Lesson]]]] = {}
    for cat in rules.CATEGORIES:
        in_category = [lesson for lesson in shown if lesson.category == cat.key]
        if in_category:
            in_category.sort(key=lambda lesson: (-(int(lesson.period.replace("-", "")) if lesson.period else 0),
                                                 lesson.sort_order, lesson.title))
            groups.setdefault(cat.group, []).append((cat, in_category))
    return render_template(
        "courses/catalogue.html", pack=pack, groups=groups, studied=studied, query=query, results=results,
        terms=rules.search_terms(query), category=category, period=period, periods=queries.live_periods(),
        rules=rules, snippet=rules.snippet, current_period=period_of(utcnow()),
    )


@bp.route("/lessons/<slug>")
@roles_required(*EVERYONE)
def lesson(slug: str) -> Any:
    item, revision = services.lesson_for_reader(slug, current_user)
    progress = services.record_visit(item, current_user) if item.is_live else None
    return render_template(
        "courses/lesson.html", lesson=item, revision=revision, progress=progress,
        quiz_exists=queries.quiz_exists(revision.quiz_slug), is_author=services.is_author(current_user),
        rules=rules,
    )


@bp.route("/lessons/<slug>/studied", methods=["POST"])
@roles_required(*EVERYONE)
def mark_studied(slug: str) -> Any:
    studied = request.form.get("studied", "1") != "0"
    services.mark_studied(slug, current_user, studied=studied)
    flash(_("已标记为已学习。") if studied else _("已取消“已学习”标记。"), "success")
    return redirect(url_for("courses.lesson", slug=slug))


@bp.route("/lessons/<slug>/files/<path:filename>")
@roles_required(*EVERYONE)
def attachment(slug: str, filename: str) -> Any:
    item = services.get_lesson(slug)
    # A lesson taken over in the browser keeps its folder: the files beside it are still what its body links to.
    if not item.has_source_folder or not item.source_path or not (item.is_live or services.is_author(current_user)):
        abort(404)
    parts = Path(filename).parts
    if any(part in ("..", "") or part.startswith(".") for part in parts) or "\\" in filename:
        abort(404)
    kind = ATTACHMENT_TYPES.get(Path(filename).suffix.lower())
    if kind is None:
        abort(404)
    root = Path(current_app.config["LMS_CONTENT_DIR"]).resolve()
    folder = (root / item.source_path).parent.resolve()
    target = (folder / filename).resolve()
    # Resolving follows links, so a link pointing outside the lesson's folder is refused too.
    if not target.is_relative_to(folder) or not folder.is_relative_to(root) or not target.is_file():
        abort(404)
    mimetype, signatures, inline = kind
    with target.open("rb") as handle:
        head = handle.read(16)
    if not any(head.startswith(signature) for signature in signatures):
        abort(404)
    response: Response = send_file(target, mimetype=mimetype, as_attachment=not inline,
                                   download_name=target.name, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- progress ----------------------------------------------------------------------------------------------------


@bp.route("/courses/progress")
@roles_required("trainer", "supervisor", "admin")
def progress() -> Any:
    """Each person's progress through one month's published pack: the month picked, else the one managers see now."""
    periods = pack_queries.published_periods()
    period = request.args.get("period", "")
    if period not in periods:
        period = rules.pack_period(utcnow(), periods) or (periods[0] if periods else "")
    pack = pack_queries.published_pack(period) if period else None
    lessons = pack_queries.live_pack_lessons(pack) if pack else []
    rows = queries.pack_progress_by_person(current_user, lessons) if pack else []
    return render_template("courses/progress.html", pack=pack, lessons=lessons, rows=rows, periods=periods,
                           period=period)


# --- authoring -----------------------------------------------------------------------------------------------------


@bp.route("/courses/manage")
@roles_required(*AUTHORS)
def manage() -> Any:
    query = request.args.get("q", "").strip()[:100]
    lessons = queries.search_lessons(query, include_unpublished=True) if query else queries.all_lessons_for_authors()
    return render_template("courses/manage.html", lessons=lessons, counts=queries.studied_counts(current_user),
                           query=query, rules=rules)


def _form_meta(form: LessonForm) -> rules.LessonMeta:
    return services.check_lesson_form(form.meta_values(), form.body.data or "")


def _editor(form: LessonForm, item: Lesson | None, problems: list[str], preview: Any = None) -> Any:
    status = 422 if problems else 200
    if preview is None and form.body.data:
        # The preview shows the body as it stands when the page opens (a saved draft, a form sent back with
        # problems), not only after the first keystroke: the live preview in courses-editor.js runs on input.
        preview = services.render_lesson(item.slug, form.body.data, from_file=item.has_source_folder) if item \
            else render_document(form.body.data)
    uploads = [(upload, services.media_markdown(item, upload)) for upload in services.lesson_media(item)] if item \
        else []
    return render_template("courses/edit.html", form=form, lesson=item, problems=problems, preview=preview,
                           uploads=uploads, accepted=",".join(media.ACCEPTED_EXTENSIONS), rules=rules), status


def _insert_media(form: LessonForm, item: Lesson) -> Any:
    """The editor without JavaScript: store the chosen file and add its Markdown at the end of the body. Nothing
    of the lesson is saved; the trainer sees the body with the file in it and saves when ready."""
    upload = request.files.get(form.media.name)
    if upload is None or not upload.filename:
        return _editor(form, item, [_("请先选择要插入的图片或附件。")])
    try:
        stored = services.add_lesson_media(item, data=upload.read(), filename=upload.filename, author=current_user,
                                           root=media_views.media_root(),
                                           limits=media.MediaLimits.from_settings(current_app.config))
    except ValidationFailed as exc:
        return _editor(form, item, exc.problems or [exc.message])
    body = (form.body.data or "").rstrip("\n")
    form.body.data = f"{body}\n\n{services.media_markdown(item, stored)}\n" if body else \
        services.media_markdown(item, stored) + "\n"
    flash(_("已插入“%(name)s”（尚未保存）。", name=stored.original_name), "success")
    return _editor(form, item, [])


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_lesson() -> Any:
    form = LessonForm()
    problems: list[str] = []
    if form.validate_on_submit():
        action = request.form.get("action", "save")
        try:
            meta = _form_meta(form)
            if action == "preview":
                return _editor(form, None, [], render_document(form.body.data or ""))
            created = services.create_web_lesson(slug=form.slug.data or "", meta=meta, body=form.body.data or "",
                                                 author=current_user, publish=action == "publish")
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            flash(_("课程已发布。") if created.is_live else _("草稿已保存。"), "success")
            return redirect(url_for("courses.edit_lesson", slug=created.slug))
    elif request.method == "POST":
        problems = [_("%(field)s：%(error)s", field=form[name].label.text, error=error)
                    for name, errors in form.errors.items() for error in errors]
    return _editor(form, None, problems)


@bp.route("/lessons/<slug>/edit", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def edit_lesson(slug: str) -> Any:
    item = services.get_lesson(slug)
    if item.is_from_file:
        flash(_("此课程来自文件 %(path)s，请修改文件后运行同步，或在浏览器中接管后再编辑。", path=item.source_path),
              "warning")
        return redirect(url_for("courses.lesson", slug=slug))
    latest = services.get_revision(item, item.current_number)
    form = LessonForm(data={
        "slug": item.slug, "title": latest.title, "category": latest.category, "period": latest.period or "",
        "order": latest.sort_order, "effective": latest.effective, "tags": ", ".join(latest.tags or []),
        "summary": latest.summary, "quiz": latest.quiz_slug or "", "for_shops": latest.for_shops,
        "body": latest.body,
    } if request.method == "GET" else None)
    problems: list[str] = []
    if request.method == "POST" and request.form.get("action") == "insert":
        return _insert_media(form, item)  # CSRF was checked for every POST by CSRFProtect
    if form.validate_on_submit():
        action = request.form.get("action", "save")
        try:
            meta = _form_meta(form)
            if action == "preview":
                return _editor(form, item, [], services.render_lesson(item.slug, form.body.data or "",
                                                                      from_file=item.has_source_folder))
            revision = services.save_web_lesson(item, meta=meta, body=form.body.data or "", author=current_user,
                                                note=form.note.data or "", publish=action == "publish")
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            if action == "publish":
                flash(_("已保存并发布第 %(n)d 版。", n=item.current_number), "success")
            elif revision is None:
                flash(_("没有改动，未产生新版本。"), "info")
            else:
                flash(_("已保存为第 %(n)d 版（未发布）。", n=revision.number), "success")
            return redirect(url_for("courses.edit_lesson", slug=slug))
    elif request.method == "POST":
        problems = [_("%(field)s：%(error)s", field=form[name].label.text, error=error)
                    for name, errors in form.errors.items() for error in errors]
    return _editor(form, item, problems)


@bp.route("/courses/preview", methods=["POST"])
@roles_required(*AUTHORS)
def preview() -> Any:
    """The live preview: the same server-side rendering and sanitizing a saved revision gets."""
    body = request.form.get("body", "")[: services.MAX_BODY_CHARS]
    rendered = render_document(body)
    return jsonify(html=rendered.html, toc_html=rendered.toc_html)


@bp.route("/lessons/<slug>/publish", methods=["POST"])
@roles_required(*AUTHORS)
def publish(slug: str) -> Any:
    item = services.publish_lesson(services.get_lesson(slug), current_user)
    flash(_("已发布第 %(n)d 版。", n=item.published_number), "success")
    return redirect(url_for("courses.lesson", slug=slug))


@bp.route("/lessons/<slug>/unpublish", methods=["POST"])
@roles_required(*AUTHORS)
def unpublish(slug: str) -> Any:
    services.unpublish_lesson(services.get_lesson(slug), current_user)
    flash(_("课程已下线，渠道经理将看不到它。"), "success")
    return redirect(url_for("courses.edit_lesson", slug=slug))


@bp.route("/lessons/<slug>/revisions")
@roles_required(*AUTHORS)
def revisions(slug: str) -> Any:
    item = services.get_lesson(slug)
    return render_template("courses/revisions.html", lesson=item, revisions=list(reversed(item.revisions)))


@bp.route("/lessons/<slug>/revisions/<int:number>")
@roles_required(*AUTHORS)
def revision(slug: str, number: int) -> Any:
    item = services.get_lesson(slug)
    return render_template("courses/revision.html", lesson=item, revision=services.get_revision(item, number))


@bp.route("/lessons/<slug>/diff")
@roles_required(*AUTHORS)
def diff(slug: str) -> Any:
    item = services.get_lesson(slug)
    newest = item.current_number
    to_number = numbers.query_int("to", newest) or newest
    from_number = numbers.query_int("from", max(to_number - 1, 1)) or 1
    old = services.get_revision(item, from_number)
    new = services.get_revision(item, to_number)
    lines = rules.revision_diff(old.source_text, new.source_text)
    return render_template("courses/diff.html", lesson=item, old=old, new=new, lines=lines)


@bp.route("/lessons/<slug>/rollback", methods=["POST"])
@roles_required(*AUTHORS)
def rollback(slug: str) -> Any:
    number = numbers.parse_int(request.form.get("number"), minimum=1)
    if number is None:
        abort(400)
    revision = services.rollback_lesson(services.get_lesson(slug), number, current_user)
    flash(_("已回滚：第 %(n)d 版的内容已保存为第 %(m)d 版。", n=number, m=revision.number), "success")
    return redirect(url_for("courses.revisions", slug=slug))


@bp.route("/lessons/<slug>/export.md")
@roles_required(*AUTHORS)
def export(slug: str) -> Any:
    filename, text = services.export_markdown(services.get_lesson(slug))
    response = Response(text, mimetype="text/markdown; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- training sessions -------------------------------------------------------------------------------------------


@bp.route("/training")
@roles_required(*EVERYONE)
def training_sessions() -> Any:
    now = utcnow()
    sessions = queries.sessions_for(current_user)
    upcoming = [s for s in sessions if s.starts_at >= now and s.cancelled_at is None]
    upcoming.sort(key=lambda s: s.starts_at)
    past = [s for s in sessions if s not in upcoming]
    visible = {s.id: queries.visible_invitations(s, current_user) for s in sessions}
    return render_template("courses/training_list.html", upcoming=upcoming, past=past, visible=visible,
                           is_author=services.is_author(current_user))


def _unit_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    units = list(db.session.scalars(select(Unit).where(Unit.kind != "city").order_by(Unit.kind, Unit.name)))
    counties = [(u.id, u.name) for u in units if u.kind == COUNTY]
    by_id = {u.id: u for u in units}
    labelled = [(u.id, u.name if u.kind == COUNTY else f"{by_id[u.parent_id].name if u.parent_id in by_id else ''}"
                       f" / {u.name}") for u in units]
    return counties, sorted(labelled, key=lambda pair: pair[1])


@bp.route("/training/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_training_session() -> Any:
    form = TrainingSessionForm()
    counties, units = _unit_choices()
    form.county.choices = [SelectChoice("0", _("全市")), *(SelectChoice(str(i), name) for i, name in counties)]
    form.units.choices = [SelectChoice(str(i), name) for i, name in units]
    form.lessons.choices = [SelectChoice(lesson.slug, lesson.title) for lesson in queries.live_lessons()]
    problems: list[str] = []
    if form.validate_on_submit():
        assert form.day.data is not None  # noqa: S101 - DataRequired
        assert form.starts.data is not None  # noqa: S101 - DataRequired
        starts = datetime.combine(form.day.data, form.starts.data, tzinfo=SHANGHAI)
        ends = datetime.combine(form.day.data, form.ends.data, tzinfo=SHANGHAI) if form.ends.data else None
        try:
            extra = services.people_by_employee_numbers(form.employee_nos.data or "")
            people = services.managers_of_units(form.units.data or []) + extra
            session = services.create_training_session(
                title=form.title.data or "", mode=form.mode.data or "", starts_at=starts, ends_at=ends,
                place=form.place.data or "", created_by=current_user, invitee_ids=[p.id for p in people],
                lesson_slugs=form.lessons.data or [], notes=form.notes.data or "",
                county_id=form.county.data or None)
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            flash(_("培训已安排，已邀请 %(n)d 人。", n=len(session.invitations)), "success")
            return redirect(url_for("courses.training_session", session_id=session.id))
    elif request.method == "POST":
        problems = [_("%(field)s：%(error)s", field=form[name].label.text, error=error)
                    for name, errors in form.errors.items() for error in errors]
    return render_template("courses/training_new.html", form=form, problems=problems), (422 if problems else 200)


def _session_or_404(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/training/<int:session_id>")
@roles_required(*EVERYONE)
def training_session(session_id: int) -> Any:
    session = _session_or_404(session_id)
    invitations = queries.visible_invitations(session, current_user)
    if not invitations and not services.is_author(current_user):
        abort(404)  # nobody of theirs is invited: the session is none of their business
    return render_template("courses/training_session.html", session=session, invitations=invitations,
                           counts=session.attendance_counts(invitations), is_author=services.is_author(current_user),
                           attendance=rules.ATTENDANCE)


@bp.route("/training/<int:session_id>/attendance", methods=["POST"])
@roles_required(*AUTHORS)
def training_attendance(session_id: int) -> Any:
    session = _session_or_404(session_id)
    marks: dict[int, str] = {}
    for key, value in request.form.items():
        if key.startswith("attendance-") and key[11:].isdigit():
            marks[int(key[11:])] = value
    changed = services.mark_attendance(session, marks, current_user)
    flash(_("出勤已保存（%(n)d 人有变化）。", n=changed), "success")
    return redirect(url_for("courses.training_session", session_id=session_id))


@bp.route("/training/<int:session_id>/cancel", methods=["POST"])
@roles_required(*AUTHORS)
def cancel_training(session_id: int) -> Any:
    services.cancel_training_session(_session_or_404(session_id), current_user)
    flash(_("培训已取消。"), "success")
    return redirect(url_for("courses.training_session", session_id=session_id))
