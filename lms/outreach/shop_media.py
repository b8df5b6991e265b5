"""Lesson pictures for the shop's page (rules in ``media_rules``): the pack's lesson texts with their own upload and
file addresses under the shop's token, and the one file such an address stands for — only when the live text of a
lesson in the shop's pack this month names it; anything else is None (the route answers 404)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from lms.courses import media
from lms.courses.models import LessonMedia
from lms.extensions import db
from lms.outreach import media_rules
from lms.outreach.queries import PackLesson


def pack_html(pack: Sequence[PackLesson], prefix: str) -> dict[int, str]:
    """Each pack lesson's text (by lesson id) with its pictures and files addressed under ``prefix``."""
    return {item.lesson.id: media_rules.under_token(item.revision.html, item.lesson.slug, prefix) for item in pack}


def _named(pack: Sequence[PackLesson], slug: str, kind: str, name: str) -> PackLesson | None:
    for item in pack:
        if item.lesson.slug == slug and name in media_rules.named_files(item.revision.html, slug, kind):
            return item
    return None


def upload(pack: Sequence[PackLesson], slug: str, name: str, root: Path) -> tuple[LessonMedia, Path] | None:
    """An upload of a pack lesson that its live text shows: the row (type, name) and the stored file."""
    item = _named(pack, slug, media_rules.MEDIA, name)
    if item is None or not media.is_stored_name(name):
        return None
    row = db.session.scalar(select(LessonMedia).where(LessonMedia.lesson_id == item.lesson.id,
                                                      LessonMedia.stored_name == name))
    path = media.stored_path(root, name)
    return (row, path) if row is not None and path.is_file() else None


def beside(pack: Sequence[PackLesson], slug: str, relative: str, content_root: Path) -> tuple[Path, str] | None:
    """A picture or PDF beside a pack lesson from content/ that its live text links: the file and its type (its
    first bytes must agree with its extension; a link may not lead out of the lesson's folder)."""
    kind = media_rules.file_type(relative)
    item = _named(pack, slug, media_rules.FILES, relative)
    if kind is None or item is None or not item.lesson.has_source_folder or not item.lesson.source_path:
        return None
    root = content_root.resolve()
    folder = (root / item.lesson.source_path).parent.resolve()
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder) or not folder.is_relative_to(root) or not target.is_file():
        return None
    mimetype, signatures = kind
    with target.open("rb") as handle:
        head = handle.read(16)
    return (target, mimetype) if any(head.startswith(signature) for signature in signatures) else None
