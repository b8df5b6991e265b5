"""Use cases for courseware: syncing files, authoring in the browser, publishing, studying, training sessions.

Functions named ``*_no_commit`` write into the session for a caller that owns the transaction (``flask sync``);
every other writing function owns its commit and sends ``lesson_published`` only after it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit.services import record
from lms.core.clock import utcnow
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.core.events import lesson_published
from lms.core.markdown import Rendered, render_document
from lms.core.sync import SyncReport
from lms.courses import media, rules
from lms.courses.loader import ContentPlan, validate_meta
from lms.courses.models import (
    Lesson,
    LessonMedia,
    LessonProgress,
    LessonRevision,
    TrainingInvitation,
    TrainingSession,
    TrainingSessionLesson,
)
from lms.courses.rules import LessonMeta
from lms.extensions import db
from lms.org.models import Unit

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 200_000
# Who may turn a report's point-to-point suggestion into a session.
POINT_TO_POINT_AUTHORS = ("trainer", "admin")


# --- rendering and revisions -------------------------------------------------------------------------------------


def attachment_url(slug: str, relative: str) -> str:
    return f"/lessons/{quote(slug)}/files/{quote(relative)}"


def media_url(slug: str, stored_name: str) -> str:
    return f"/lessons/{quote(slug)}/media/{stored_name}"


def _is_media_url(url: str) -> bool:
    return url.startswith("/lessons/") and "/media/" in url


def render_lesson(slug: str, body: str, *, from_file: bool) -> Rendered:
    """Markdown → sanitized HTML, once per revision. Files beside a lesson that came from content/ are linked where
    they are served; uploaded screenshots become links to themselves (tap to open full size)."""
    if from_file:
        return render_document(body, resolve_url=lambda url: attachment_url(slug, url), link_image=_is_media_url)
    return render_document(body, link_image=_is_media_url)


def _refresh_listing(lesson: Lesson) -> None:
    """Copy the live revision's (or, before the first publish, the latest draft's) fields onto the lesson."""
    revision = lesson.revision(lesson.published_number) or lesson.revision(lesson.current_number)
    if revision is None:
        return
    lesson.title = revision.title
    lesson.category = revision.category
    lesson.period = revision.period
    lesson.sort_order = revision.sort_order
    lesson.summary = revision.summary
    lesson.tags = list(revision.tags or [])
    lesson.quiz_slug = revision.quiz_slug
    lesson.effective = revision.effective
    lesson.for_shops = bool(revision.for_shops)
    lesson.search_text = " ".join(
        [revision.title, revision.summary, " ".join(revision.tags or []), rules.plain_text(revision.body)]).lower()


def _add_revision(lesson: Lesson, meta: LessonMeta, body: str, *, author: User | None, note: str,
                  now: datetime) -> LessonRevision:
    rendered = render_lesson(lesson.slug, body, from_file=lesson.has_source_folder)
    lesson.current_number = (lesson.current_number or 0) + 1
    revision = LessonRevision(
        number=lesson.current_number, title=meta.title, category=meta.category, period=meta.period,
        sort_order=meta.order, summary=meta.summary, tags=list(meta.tags), quiz_slug=meta.quiz,
        effective=meta.effective, for_shops=meta.for_shops, body=body, html=rendered.html,
        toc_html=rendered.toc_html, note=note[:200],
        author_id=author.id if author else None, created_at=now,
    )
    lesson.revisions.append(revision)
    lesson.updated_at = now
    _refresh_listing(lesson)
    return revision


def _go_live(lesson: Lesson, number: int, now: datetime) -> None:
    lesson.published_number = number
    lesson.published_at = now
    lesson.retired_at = None
    _refresh_listing(lesson)


def announce(lessons: Iterable[Lesson]) -> None:
    """Tell other domains that these lessons went live; only ever called after the commit."""
    for lesson in lessons:
        lesson_published.send(lesson)


# --- the content/ sync (called by lms.courses.sync_source inside flask sync's transaction) -----------------------


def apply_content_plan_no_commit(plan: ContentPlan, *, now: datetime) -> tuple[SyncReport, list[str]]:
    """Bring the lessons in line with the files: add, revise, retire. Returns the report and the lessons that went
    live. A lesson taken over in the browser is never touched: its file is reported as skipped. Raises
    ValidationFailed (nothing written by the caller) when a file's slug belongs to a lesson made in the browser."""
    report = SyncReport(source="content")
    went_live: list[str] = []
    existing = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    problems = [f"{f.path}:1: 课程标识“{f.slug}”已被网页创建的课程使用，请给文件换个名字"
                for f in plan.files if f.slug in existing and existing[f.slug].source == rules.WEB
                and not existing[f.slug].is_taken_over]
    if problems:
        raise ValidationFailed("课程文件与网页课程冲突，未做任何修改", problems)
    in_files = set()
    for file in plan.files:
        in_files.add(file.slug)
        lesson = existing.get(file.slug)
        if lesson is not None and lesson.is_taken_over:
            report.skipped.append(f"{file.path}: taken over in the browser")
            continue
        if lesson is None:
            lesson = Lesson(slug=file.slug, source=rules.FILE, source_path=file.relative_path, checksum=file.checksum,
                            title=file.meta.title, category=file.meta.category, created_at=now, current_number=0)
            db.session.add(lesson)
            revision = _add_revision(lesson, file.meta, file.body, author=None, note=f"同步自 {file.path}", now=now)
            _go_live(lesson, revision.number, now)
            report.added.append(file.slug)
            went_live.append(file.slug)
            continue
        lesson.source_path = file.relative_path  # a moved file keeps its lesson (the slug is the file name)
        if lesson.checksum == file.checksum and lesson.retired_at is None:
            report.unchanged.append(file.slug)
            continue
        if lesson.checksum != file.checksum:
            revision = _add_revision(lesson, file.meta, file.body, author=None, note=f"同步自 {file.path}", now=now)
            lesson.checksum = file.checksum
            number = revision.number
        else:
            number = lesson.published_number or lesson.current_number
        (report.added if lesson.retired_at is not None else report.changed).append(file.slug)
        _go_live(lesson, number, now)
        went_live.append(file.slug)  # type: ignore[arg-type]
    for slug, lesson in existing.items():
        if lesson.source == rules.FILE and slug not in in_files and lesson.retired_at is None:
            lesson.retired_at = now  # retired, never deleted: progress and history stay
            report.retired.append(slug)
    return report, went_live


def announce_slugs(slugs: Sequence[str]) -> None:
    if slugs:
        announce(db.session.scalars(select(Lesson).where(Lesson.slug.in_(slugs)).order_by(Lesson.slug)))


# --- reading -----------------------------------------------------------------------------------------------------


def is_author(user: User) -> bool:
    return user.role in ("trainer", "admin")


def get_lesson(slug: str) -> Lesson:
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
    if lesson is None:
        raise NotFound("课程不存在或已被移除")
    return lesson


def lesson_for_reader(slug: str, viewer: User) -> tuple[Lesson, LessonRevision]:
    """The lesson and the revision this person may read: the live one; authors also see drafts and retired ones."""
    lesson = get_lesson(slug)
    if lesson.is_live:
        number = lesson.published_number
    elif is_author(viewer):
        number = lesson.published_number or lesson.current_number
    else:
        raise NotFound("课程不存在或已下线")
    # One indexed row, not the whole history: the page reads the stored HTML of exactly this revision.
    revision = get_revision(lesson, number)
    return lesson, revision


def get_revision(lesson: Lesson, number: int | None) -> LessonRevision:
    revision = db.session.scalar(select(LessonRevision).where(LessonRevision.lesson_id == lesson.id,
                                                              LessonRevision.number == number)) if number else None
    if revision is None:
        raise NotFound("没有这一版")
    return revision


def record_visit(lesson: Lesson, user: User, *, now: datetime | None = None) -> LessonProgress:
    now = now or utcnow()
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id,
                                                              LessonProgress.user_id == user.id))
    if progress is None:
        progress = LessonProgress(lesson_id=lesson.id, user_id=user.id, visits=0, first_opened_at=now)
        db.session.add(progress)
    progress.visits = (progress.visits or 0) + 1
    progress.last_opened_at = now
    db.session.commit()
    return progress


def mark_studied(slug: str, user: User, *, studied: bool = True, now: datetime | None = None) -> LessonProgress:
    """Mark (or unmark) a live lesson as studied by ``user``; repeating it changes nothing."""
    now = now or utcnow()
    lesson = get_lesson(slug)
    if not lesson.is_live:
        raise Conflict("课程未发布，不能标记为已学习")
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id,
                                                              LessonProgress.user_id == user.id))
    if progress is None:
        progress = LessonProgress(lesson_id=lesson.id, user_id=user.id, visits=0, first_opened_at=now,
                                  last_opened_at=now)
        db.session.add(progress)
    if studied and progress.studied_at is None:
        progress.studied_at = now
        progress.studied_revision = lesson.published_number
    elif not studied:
        progress.studied_at = None
        progress.studied_revision = None
    db.session.commit()
    return progress


# --- authoring in the browser ------------------------------------------------------------------------------------


def check_lesson_form(values: dict[str, object], body: str) -> LessonMeta:
    """The editor's fields through the same checks as a file's front matter; problems name the field."""
    meta, problems = validate_meta({k: v for k, v in values.items() if v not in (None, "")}, {}, "表单")
    problems = [p.replace("表单:1: ", "") for p in problems]
    if not body.strip():
        problems.append("正文不能为空")
    if len(body) > MAX_BODY_CHARS:
        problems.append(f"正文超过 {MAX_BODY_CHARS} 个字符")
    if problems or meta is None:
        raise ValidationFailed("课程内容有误，未保存", problems)
    return meta


def _require_author(user: User) -> None:
    if not is_author(user):
        raise Forbidden("只有培训师可以编辑课程")


def _require_web(lesson: Lesson) -> None:
    if lesson.is_from_file:
        raise Conflict(f"此课程来自文件 {lesson.source_path}，请修改文件后运行同步，或先在浏览器中接管，"
                       "不能在网页上编辑")


def take_over_lesson(lesson: Lesson, actor: User, *, now: datetime | None = None) -> Lesson:
    """From now on the browser owns this file lesson: editable here with its history; ``flask sync`` skips its
    file and never revises or retires it. Recorded in the audit log with the file it came from."""
    _require_author(actor)
    if not lesson.is_from_file:
        raise Conflict("此课程已由浏览器管理，无需接管")
    now = now or utcnow()
    lesson.source = rules.WEB
    lesson.taken_over_at = now
    lesson.taken_over_by_id = actor.id
    lesson.updated_at = now
    record(audit_rules.LESSON_TAKEN_OVER, subject=f"{lesson.slug}（{lesson.title}）", actor=actor,
           changes={"file": lesson.source_path})
    db.session.commit()
    log.info("lesson %s taken over from %s by %s", lesson.slug, lesson.source_path, actor.employee_no)
    return lesson


# --- media uploaded in the editor --------------------------------------------------------------------------------


def add_lesson_media(lesson: Lesson, *, data: bytes, filename: str, author: User, root: Path,
                     limits: media.MediaLimits, now: datetime | None = None) -> LessonMedia:
    """Check (images re-encoded without metadata), store once by SHA-256, and list the file under the lesson.
    Raises ValidationFailed naming the file when it is refused; nothing is written then."""
    _require_author(author)
    _require_web(lesson)
    try:
        checked = media.check_upload(data, filename, limits)
    except media.MediaRefused as exc:
        raise ValidationFailed("文件未上传", [f"{media.clean_name(filename)}：{exc}"]) from None
    existing = db.session.scalar(select(LessonMedia).where(LessonMedia.lesson_id == lesson.id,
                                                           LessonMedia.stored_name == checked.stored_name))
    media.store(root, checked)
    if existing is not None:
        return existing  # the same bytes again (a second paste): one row, one file
    item = LessonMedia(lesson_id=lesson.id, original_name=checked.original_name, stored_name=checked.stored_name,
                       content_type=checked.content_type, size=len(checked.data), width=checked.width,
                       height=checked.height, uploaded_by_id=author.id, uploaded_at=now or utcnow())
    db.session.add(item)
    db.session.commit()
    log.info("lesson %s: %s uploaded as %s by %s", lesson.slug, checked.original_name, checked.stored_name,
             author.employee_no)
    return item


def media_markdown(lesson: Lesson, item: LessonMedia) -> str:
    """What the editor inserts: an image, or a link named after the file for an attachment."""
    url = media_url(lesson.slug, item.stored_name)
    label = item.original_name.replace("[", "(").replace("]", ")")
    if item.is_image:
        alt = label.rsplit(".", 1)[0]
        return f"![{alt}]({url})"
    return f"[{label}]({url})"


def lesson_media(lesson: Lesson) -> list[LessonMedia]:
    return list(db.session.scalars(select(LessonMedia).where(LessonMedia.lesson_id == lesson.id)
                                   .order_by(LessonMedia.uploaded_at.desc(), LessonMedia.id.desc())))


def media_for_reader(slug: str, stored_name: str, viewer: User, root: Path) -> tuple[LessonMedia, Path]:
    """The file of one upload, for someone who may read its lesson (live, or an author); NotFound otherwise."""
    lesson = get_lesson(slug)
    if not (lesson.is_live or is_author(viewer)) or not media.is_stored_name(stored_name):
        raise NotFound("文件不存在")
    item = db.session.scalar(select(LessonMedia).where(LessonMedia.lesson_id == lesson.id,
                                                       LessonMedia.stored_name == stored_name))
    path = media.stored_path(root, stored_name)
    if item is None or not path.is_file():
        raise NotFound("文件不存在")
    return item, path


def create_web_lesson(*, slug: str, meta: LessonMeta, body: str, author: User, publish: bool = False,
                      now: datetime | None = None) -> Lesson:
    _require_author(author)
    now = now or utcnow()
    slug = slug.strip().lower()
    if not rules.is_valid_slug(slug):
        raise ValidationFailed("课程标识无效", ["课程标识只能用小写字母、数字和连字符，最长80个字符"])
    if db.session.scalar(select(Lesson.id).where(Lesson.slug == slug)) is not None:
        raise ValidationFailed("课程标识已被使用", [f"课程标识“{slug}”已被使用，请换一个"])
    lesson = Lesson(slug=slug, source=rules.WEB, title=meta.title, category=meta.category, created_by_id=author.id,
                    created_at=now, current_number=0)
    db.session.add(lesson)
    revision = _add_revision(lesson, meta, body, author=author, note="新建", now=now)
    if publish:
        _go_live(lesson, revision.number, now)
    db.session.commit()
    log.info("lesson %s created by %s", slug, author.employee_no)
    if publish:
        announce([lesson])
    return lesson


def save_web_lesson(lesson: Lesson, *, meta: LessonMeta, body: str, author: User, note: str = "",
                    publish: bool = False, now: datetime | None = None) -> LessonRevision | None:
    """Save the editor as a new revision (None when nothing changed); publish it too when asked."""
    _require_author(author)
    _require_web(lesson)
    now = now or utcnow()
    latest = lesson.revision(lesson.current_number)
    revision = None
    if latest is None or latest.meta != meta or latest.body.strip() != body.strip():
        revision = _add_revision(lesson, meta, body, author=author, note=note or "编辑", now=now)
    went_live = publish and lesson.published_number != lesson.current_number
    if publish:
        _go_live(lesson, lesson.current_number, now)
    db.session.commit()
    if went_live:
        announce([lesson])
    return revision


def publish_lesson(lesson: Lesson, actor: User, *, now: datetime | None = None) -> Lesson:
    _require_author(actor)
    _require_web(lesson)
    if lesson.published_number == lesson.current_number and lesson.is_live:
        return lesson
    _go_live(lesson, lesson.current_number, now or utcnow())
    db.session.commit()
    log.info("lesson %s r%d published by %s", lesson.slug, lesson.current_number, actor.employee_no)
    announce([lesson])
    return lesson


def unpublish_lesson(lesson: Lesson, actor: User) -> Lesson:
    _require_author(actor)
    _require_web(lesson)
    lesson.published_number = None
    _refresh_listing(lesson)
    db.session.commit()
    log.info("lesson %s unpublished by %s", lesson.slug, actor.employee_no)
    return lesson


def rollback_lesson(lesson: Lesson, number: int, actor: User, *, now: datetime | None = None) -> LessonRevision:
    """A new revision with the content of revision ``number``; live at once if the lesson was live."""
    _require_author(actor)
    _require_web(lesson)
    old = lesson.revision(number)
    if old is None:
        raise NotFound(f"没有第 {number} 版")
    now = now or utcnow()
    was_live = lesson.is_live
    revision = _add_revision(lesson, old.meta, old.body, author=actor, note=f"回滚到第 {number} 版", now=now)
    if was_live:
        _go_live(lesson, revision.number, now)
    db.session.commit()
    if was_live:
        announce([lesson])
    return revision


def export_markdown(lesson: Lesson) -> tuple[str, str]:
    """(file name, text) of the latest revision as a ``content/`` file a trainer can commit."""
    revision = lesson.revision(lesson.current_number)
    if revision is None:
        raise NotFound("课程还没有内容")
    return f"{lesson.slug}.md", revision.source_text


# --- training sessions -------------------------------------------------------------------------------------------


def create_point_to_point_session(*, title: str, starts_at: datetime, ends_at: datetime | None, place: str,
                                  notes: str, invitee_ids: list[int], lesson_slugs: list[str], county_id: int | None,
                                  actor: User, now: datetime) -> TrainingSession:
    """A 点对点 training session for a grid or people a report suggested (trainers and admins arrange them)."""
    if actor.role not in POINT_TO_POINT_AUTHORS:
        raise Forbidden("只有培训师或管理员可以安排培训")
    if not invitee_ids:
        raise ValidationFailed("培训安排有误，未保存", ["请至少选择一位参训人员"])
    return create_training_session(
        title=title, mode=rules.POINT_TO_POINT, starts_at=starts_at, ends_at=ends_at, place=place,
        created_by=actor, invitee_ids=invitee_ids, lesson_slugs=lesson_slugs, notes=notes, county_id=county_id,
        now=now)


def create_training_session(*, title: str, mode: str, starts_at: datetime, place: str, created_by: User,
                            invitee_ids: Iterable[int] = (), lesson_slugs: Iterable[str] = (),
                            ends_at: datetime | None = None, notes: str = "", county_id: int | None = None,
                            now: datetime | None = None) -> TrainingSession:
    """Schedule a training session (集中 ``centralized`` / 片区 ``area`` / 点对点 ``point``) and invite people.

    ``starts_at``/``ends_at`` are aware datetimes; ``invitee_ids`` are user ids (active people only);
    ``lesson_slugs`` name live lessons it covers. Raises ValidationFailed listing every problem; writes nothing then.
    """
    problems: list[str] = []
    title = (title or "").strip()
    place = (place or "").strip()
    if not title or len(title) > 200:
        problems.append("标题不能为空，且不超过200个字符")
    if mode not in rules.TRAINING_MODES:
        problems.append(f"培训方式“{mode}”无效（{', '.join(rules.TRAINING_MODES)}）")
    if not place or len(place) > 200:
        problems.append("地点不能为空，且不超过200个字符")
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        problems.append("时间必须带时区")
    elif ends_at is not None and ends_at <= starts_at:
        problems.append("结束时间必须晚于开始时间")
    ids = list(dict.fromkeys(invitee_ids))
    people = list(db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)))) if ids else []
    if len(people) != len(ids):
        problems.append(f"有 {len(ids) - len(people)} 位受邀人员不存在或已停用")
    slugs = list(dict.fromkeys(lesson_slugs))
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.slug.in_(slugs)))}
    problems.extend(f"课程“{s}”不存在" for s in slugs if s not in lessons)
    if county_id is not None and db.session.get(Unit, county_id) is None:
        problems.append("所选县区不存在")
    if problems:
        raise ValidationFailed("培训安排有误，未保存", problems)
    session = TrainingSession(title=title, mode=mode, starts_at=starts_at, ends_at=ends_at, place=place,
                              notes=(notes or "").strip(), county_id=county_id, created_by_id=created_by.id,
                              created_at=now or utcnow())
    session.lesson_links = [TrainingSessionLesson(lesson_id=lessons[s].id, position=i) for i, s in enumerate(slugs)]
    session.invitations = [TrainingInvitation(user_id=p.id, attendance=rules.INVITED) for p in people]
    db.session.add(session)
    db.session.commit()
    log.info("training session %d (%s) created by %s with %d invitees", session.id, mode, created_by.employee_no,
             len(people))
    return session


def mark_attendance(session: TrainingSession, marks: dict[int, str], actor: User,
                    *, now: datetime | None = None) -> int:
    """Record attendance for invited people (user id → status); returns how many changed."""
    if not is_author(actor):
        raise Forbidden("只有培训师可以登记出勤")
    if session.cancelled_at is not None:
        raise Conflict("培训已取消，不能登记出勤")
    bad = [status for status in marks.values() if status not in rules.ATTENDANCE]
    by_user = {invitation.user_id: invitation for invitation in session.invitations}
    strangers = [user_id for user_id in marks if user_id not in by_user]
    if bad or strangers:
        raise ValidationFailed("出勤登记有误，未保存",
                               [f"无效的出勤状态“{s}”" for s in bad] + [f"人员 {u} 不在受邀名单中" for u in strangers])
    now = now or utcnow()
    changed = 0
    for user_id, status in marks.items():
        invitation = by_user[user_id]
        if invitation.attendance != status:
            invitation.attendance = status
            invitation.marked_at = now
            invitation.marked_by_id = actor.id
            changed += 1
    db.session.commit()
    return changed


def cancel_training_session(session: TrainingSession, actor: User, *, now: datetime | None = None) -> None:
    if not is_author(actor):
        raise Forbidden("只有培训师可以取消培训")
    if session.cancelled_at is None:
        session.cancelled_at = now or utcnow()
        db.session.commit()


def people_by_employee_numbers(text: str) -> list[User]:
    """Active people named by employee numbers (comma-, space- or line-separated); unknown numbers are an error."""
    numbers = list(dict.fromkeys(n for n in text.replace("，", ",").replace(",", " ").split() if n))
    if not numbers:
        return []
    people = {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers),
                                                                              User.active.is_(True)))}
    unknown = [n for n in numbers if n not in people]
    if unknown:
        raise ValidationFailed("有工号不存在", [f"工号 {n} 不存在或已停用" for n in unknown])
    return [people[n] for n in numbers]


def managers_of_units(unit_ids: Iterable[int]) -> list[User]:
    """Active channel managers in these counties or grids."""
    ids = list(unit_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.role == "manager", User.active.is_(True),
                           (User.county_id.in_(ids)) | (User.grid_id.in_(ids))).order_by(User.employee_no)))
