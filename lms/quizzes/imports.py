"""Importing a question file into a bank, as Moodle does: the good questions import, each bad one is reported with
its line and reason. In the browser the file is previewed first and written only when the trainer confirms (its
bytes wait in ``question_import_uploads``); on the command line ``--strict`` makes one refused question stop the
whole file. Pictures embedded in the file are checked and re-encoded as lesson media are, stored by their SHA-256
under ``<media dir>/questions`` and served at ``/quizzes/media/<name>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.audit import rules as audit
from lms.audit.services import record
from lms.core import staged_uploads
from lms.core.clock import utcnow
from lms.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.quizzes import importers
from lms.quizzes.import_plan import ImportPlan, Picture, plan_import
from lms.quizzes.importers.results import ImportResult
from lms.quizzes.models import FROM_IMPORT, BankQuestion, QuestionBank, QuestionImportUpload, QuestionMedia
from lms.quizzes.quiz_files import SLUG_RE
from lms.quizzes.services import store_bank_questions

log = logging.getLogger(__name__)

PREVIEW_TTL = timedelta(hours=1)
MEDIA_URL = "/quizzes/media/"


PreviewExpired = staged_uploads.PreviewExpired  # the preview is older than PREVIEW_TTL: upload the file again


class PreviewOutdated(DomainError):
    """The bank changed since the preview in a way that changes what confirming would write."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__("预览之后题库已有变化，请核对新的预览后再确认")
        self.preview = preview


@dataclass(frozen=True)
class ImportReport:
    bank: str
    filename: str
    plan: ImportPlan
    written: bool  # False: a dry run, or --strict with refused questions

    @property
    def imported(self) -> int:
        return self.plan.new

    @property
    def updated(self) -> int:
        return self.plan.updated

    @property
    def unchanged(self) -> int:
        return self.plan.unchanged


@dataclass(frozen=True)
class ImportPreview:
    token: str
    bank: str
    bank_exists: bool
    plan: ImportPlan
    staged: frozenset[str] = frozenset()  # stored names of the file's pictures: served from the upload until confirmed

    @property
    def digest(self) -> str:
        return self.plan.digest()


def media_root(root: Path) -> Path:
    """Where question pictures are stored, under the media directory (beside the lessons' uploads)."""
    return root / "questions"


def configured_root() -> Path:
    """The media directory of the running app (LMS_MEDIA_DIR)."""
    return Path(current_app.config["LMS_MEDIA_DIR"])


def configured_limits() -> media.MediaLimits:
    return media.MediaLimits.from_settings(current_app.config)


def media_url(stored_name: str) -> str:
    return f"{MEDIA_URL}{stored_name}"


# --- reading a file into a plan ------------------------------------------------------------------------------------

def _check_bank_slug(bank_slug: str) -> None:
    if not SLUG_RE.match(bank_slug):
        raise ValidationFailed(f"题库标识 {bank_slug!r} 无效：只能使用小写字母、数字、- 和 _")


def _bank(bank_slug: str) -> QuestionBank | None:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if bank is not None and bank.source_path:
        raise Conflict(f"题库 {bank_slug} 来自文件 {bank.source_path}，请修改文件后同步，不能导入")
    return bank


Checked = dict[str, media.CheckedMedia | str]  # an embedded picture by name: as it will be stored, or why refused


@lru_cache(maxsize=4)
def _parsed(data: bytes, filename: str, limits: media.MediaLimits) -> tuple[ImportResult, Checked]:
    """The file read, and each embedded picture checked (re-encoded) or the reason it is refused. Kept for the
    last few files: a preview shows each of its pictures with one request, and each would read the file again."""
    result = importers.parse_file(data, filename)
    pictures: Checked = {}
    for name, content in result.files.items():
        try:
            pictures[name] = media.check_upload(content, name, limits)
        except media.MediaRefused as exc:
            pictures[name] = str(exc)
    return result, pictures


def _plan(data: bytes, filename: str, bank: QuestionBank | None, *, max_bytes: int | None,
          limits: media.MediaLimits) -> tuple[ImportPlan, Checked]:
    if max_bytes is not None and len(data) > max_bytes:
        raise ValidationFailed(f"{filename}: 文件超过 {max_bytes // 1024 // 1024} MB 上限")
    result, checked = _parsed(data, filename, limits)
    pictures = {name: Picture(media_url(item.stored_name)) if isinstance(item, media.CheckedMedia)
                else Picture(None, item) for name, item in checked.items()}
    existing = {} if bank is None else {
        key: (checksum, retired is not None) for key, checksum, retired in db.session.execute(
            select(BankQuestion.key, BankQuestion.checksum, BankQuestion.retired_at)
            .where(BankQuestion.bank_id == bank.id))}
    return plan_import(result, filename, existing=existing, pictures=pictures), checked


def _staged(checked: Checked) -> frozenset[str]:
    return frozenset(item.stored_name for item in checked.values() if isinstance(item, media.CheckedMedia))


def _no_questions(plan: ImportPlan) -> ValidationFailed:
    listed = [f"第{item.line}处 {item.name}：{item.reason}" for item in (*plan.refused, *plan.skipped)][:100]
    return ValidationFailed(f"{plan.filename}：没有可导入的题目", listed)


# --- writing ---------------------------------------------------------------------------------------------------------

def _write(plan: ImportPlan, checked: Checked, bank_slug: str, *, title: str | None,
           by: User | None, root: Path, now: datetime) -> None:
    """Store the plan's pictures and questions, record the audit entry; no commit."""
    bank = _bank(bank_slug)
    if bank is None:
        bank = QuestionBank(slug=bank_slug, title=(title or bank_slug)[:200], description="", created_at=now,
                            updated_at=now)
        db.session.add(bank)
        db.session.flush()
    stored = set(db.session.scalars(select(QuestionMedia.stored_name).where(QuestionMedia.bank_id == bank.id)))
    for name in plan.pictures:
        item = checked[name]
        assert isinstance(item, media.CheckedMedia)  # noqa: S101 - the plan holds only questions whose pictures passed
        media.store(media_root(root), item)
        if item.stored_name not in stored:
            stored.add(item.stored_name)
            db.session.add(QuestionMedia(bank_id=bank.id, stored_name=item.stored_name,
                                         original_name=item.original_name, content_type=item.content_type,
                                         size=len(item.data), uploaded_by_id=by.id if by is not None else None,
                                         uploaded_at=now))
    counts = store_bank_questions(bank, [q.spec for q in plan.questions], now=now, origin=FROM_IMPORT, by=by)
    record(audit.QUESTIONS_IMPORTED, subject=bank_slug, actor=by, changes={
        "file": plan.filename, "new": counts.added, "updated": counts.updated, "unchanged": counts.unchanged,
        "skipped": len(plan.skipped), "refused": len(plan.refused), "pictures": len(plan.pictures)})


def import_questions(data: bytes, filename: str, bank_slug: str, *, title: str | None = None, strict: bool = False,
                     dry_run: bool = False, max_bytes: int | None = None, by: User | None = None,
                     root: Path | None = None, limits: media.MediaLimits | None = None) -> ImportReport:
    """Import a file into a bank (created if missing) at once — the command line, and tests. The good questions
    are written and the refused ones reported; with ``strict`` one refused question means nothing is written.
    A file with no importable question raises ValidationFailed, as does a file that cannot be read at all.
    Pictures go under ``root`` (default: the app's media directory), checked against ``limits`` (its settings)."""
    _check_bank_slug(bank_slug)
    root, limits = root or configured_root(), limits or configured_limits()
    plan, checked = _plan(data, filename, _bank(bank_slug), max_bytes=max_bytes, limits=limits)
    if not plan.questions:
        raise _no_questions(plan)
    written = not dry_run and not (strict and plan.refused)
    if written:
        try:
            _write(plan, checked, bank_slug, title=title, by=by, root=root, now=utcnow())
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        log.info("imported %s into bank %s: %d new, %d updated, %d unchanged, %d refused", filename, bank_slug,
                 plan.new, plan.updated, plan.unchanged, len(plan.refused))
    return ImportReport(bank=bank_slug, filename=filename, plan=plan, written=written)


# --- the bank page: upload → preview → confirm -----------------------------------------------------------------

def stage_import(data: bytes, filename: str, bank_slug: str, *, title: str | None, by: User,
                 limits: media.MediaLimits, max_bytes: int | None = None) -> ImportPreview:
    """Read the file and keep it for confirmation; nothing in the bank changes yet. A file that cannot be read, or
    that holds no importable question, raises ValidationFailed and is not kept."""
    _check_bank_slug(bank_slug)
    bank = _bank(bank_slug)
    plan, checked = _plan(data, filename, bank, max_bytes=max_bytes, limits=limits)
    if not plan.questions:
        raise _no_questions(plan)
    upload = staged_uploads.keep(QuestionImportUpload, data, media.clean_name(filename), uploader=by,
                                 ttl=PREVIEW_TTL, bank_slug=bank_slug, bank_title=(title or "")[:200] or None)
    return ImportPreview(upload.token, bank_slug, bank is not None, plan, _staged(checked))


def _pending(token: str, viewer: User) -> QuestionImportUpload:
    return staged_uploads.pending(QuestionImportUpload, token, viewer, ttl=PREVIEW_TTL,
                                  missing="没有这份待确认的导入", expired="这份导入的预览已过期，请重新上传")


def preview_import(token: str, *, viewer: User, limits: media.MediaLimits) -> ImportPreview:
    """The preview of a waiting upload, computed afresh against the bank as it is now."""
    upload = _pending(token, viewer)
    bank = _bank(upload.bank_slug)
    plan, checked = _plan(upload.data, upload.filename, bank, max_bytes=None, limits=limits)
    return ImportPreview(upload.token, upload.bank_slug, bank is not None, plan, _staged(checked))


def confirm_import(token: str, *, actor: User, digest: str, root: Path, limits: media.MediaLimits) -> ImportReport:
    """Write the waiting upload, if what it would write is still what the preview showed (else PreviewOutdated);
    the upload is deleted with the same commit."""
    upload = _pending(token, actor)
    bank = _bank(upload.bank_slug)
    plan, checked = _plan(upload.data, upload.filename, bank, max_bytes=None, limits=limits)
    if plan.digest() != digest:
        raise PreviewOutdated(ImportPreview(upload.token, upload.bank_slug, bank is not None, plan, _staged(checked)))
    if not plan.questions:
        raise _no_questions(plan)
    bank_slug, title = upload.bank_slug, upload.bank_title
    try:
        db.session.delete(upload)
        _write(plan, checked, bank_slug, title=title, by=actor, root=root, now=utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("%s imported %s into bank %s: %d new, %d updated, %d unchanged, %d refused", actor.employee_no,
             plan.filename, bank_slug, plan.new, plan.updated, plan.unchanged, len(plan.refused))
    return ImportReport(bank=bank_slug, filename=plan.filename, plan=plan, written=True)


def cancel_import(token: str, *, viewer: User) -> None:
    staged_uploads.cancel(QuestionImportUpload, token, viewer)


def staged_picture(token: str, stored_name: str, *, viewer: User, limits: media.MediaLimits) -> media.CheckedMedia:
    """One picture of a waiting upload, as it will be stored, for its uploader's preview; NotFound otherwise."""
    upload = _pending(token, viewer)
    _result, checked = _parsed(upload.data, upload.filename, limits)
    for item in checked.values():
        if isinstance(item, media.CheckedMedia) and item.stored_name == stored_name:
            return item
    raise NotFound("图片不存在")


# --- stored pictures -----------------------------------------------------------------------------------------------

def question_picture(stored_name: str, root: Path) -> tuple[QuestionMedia, Path]:
    """A stored question picture (any bank's), for anyone signed in: papers show them to managers."""
    if not media.is_stored_name(stored_name):
        raise NotFound("图片不存在")
    item = db.session.scalars(select(QuestionMedia).where(QuestionMedia.stored_name == stored_name)
                              .order_by(QuestionMedia.id)).first()
    path = media.stored_path(media_root(root), stored_name)
    if item is None or not path.is_file():
        raise NotFound("图片不存在")
    return item, path


def picture_for_export(url: str, root: Path) -> tuple[str, bytes] | None:
    """(original name, bytes) of a question picture by its address, for the exporters; None for any other."""
    if not url.startswith(MEDIA_URL):
        return None
    try:
        item, path = question_picture(url[len(MEDIA_URL):], root)
    except NotFound:
        return None
    return item.original_name, path.read_bytes()
