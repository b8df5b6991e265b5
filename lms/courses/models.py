"""Lessons and their revisions, who studied what, and training sessions with their invitations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.courses import rules
from lms.extensions import db
from lms.org.models import Unit


class Lesson(db.Model):  # type: ignore[name-defined,misc]
    """One lesson. Its listing fields copy the live revision (or, before the first publish, the latest draft).

    ``source`` says where it is edited: ``file`` (content/, read-only in the browser) or ``web`` (the database).
    A removed file retires its lesson; nothing is ever hard-deleted, so progress and history stay.
    A file lesson *taken over* in the browser becomes ``web`` and keeps its ``source_path`` (the files beside it are
    still served); ``taken_over_at`` tells ``flask sync`` to skip its file from then on.
    """

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(8), index=True)
    source_path: Mapped[str | None] = mapped_column(String(500))
    checksum: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str | None] = mapped_column(String(7), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    summary: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz_slug: Mapped[str | None] = mapped_column(String(80))
    effective: Mapped[date | None] = mapped_column(Date)
    # Marked "for shops" by the trainer (front matter ``audience: shops``): in the month's shop pack (lms.outreach).
    for_shops: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Lower-cased title, summary, tags and body text, searched with LIKE (works for Chinese, which has no spaces).
    search_text: Mapped[str] = mapped_column(Text, default="")
    current_number: Mapped[int] = mapped_column(Integer, default=0)
    published_number: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    revisions: Mapped[list[LessonRevision]] = relationship(
        back_populates="lesson", order_by="LessonRevision.number", cascade="all, delete-orphan")

    @property
    def is_live(self) -> bool:
        return self.published_number is not None and self.retired_at is None

    @property
    def is_from_file(self) -> bool:
        """Owned by its file: read-only in the browser."""
        return self.source == rules.FILE

    @property
    def is_taken_over(self) -> bool:
        return self.taken_over_at is not None

    @property
    def has_source_folder(self) -> bool:
        """Came from content/ (owned by the file or taken over): relative links point at files beside it."""
        return self.source_path is not None

    @property
    def category_label(self) -> str:
        return rules.category_label(self.category)

    @property
    def status(self) -> str:
        if self.retired_at is not None:
            return "retired"
        if self.published_number is None:
            return "draft"
        if self.published_number != self.current_number:
            return "changed"  # live, with a newer draft waiting
        return "published"

    def revision(self, number: int | None) -> LessonRevision | None:
        return next((r for r in self.revisions if r.number == number), None) if number else None

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"


class LessonRevision(db.Model):  # type: ignore[name-defined,misc]
    """One saved state of a lesson, rendered once when it was saved: pages read ``html``, never the Markdown."""

    __tablename__ = "lesson_revisions"
    __table_args__ = (UniqueConstraint("lesson_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(7))
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    summary: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz_slug: Mapped[str | None] = mapped_column(String(80))
    effective: Mapped[date | None] = mapped_column(Date)
    for_shops: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    toc_html: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    @property
    def meta(self) -> rules.LessonMeta:
        return rules.LessonMeta(title=self.title, category=self.category, tags=tuple(self.tags or ()),
                                period=self.period, order=self.sort_order, summary=self.summary,
                                quiz=self.quiz_slug, effective=self.effective,
                                for_shops=bool(self.for_shops))

    @property
    def source_text(self) -> str:
        return rules.source_text(self.meta, self.body)


class LessonMedia(db.Model):  # type: ignore[name-defined,misc]
    """A screenshot or attachment uploaded in the editor, stored on disk as ``stored_name`` (its SHA-256 and
    extension, so the same bytes are stored once) under ``LMS_MEDIA_DIR``; served only to readers of its lesson."""

    __tablename__ = "lesson_media"
    __table_args__ = (UniqueConstraint("lesson_id", "stored_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class LessonProgress(db.Model):  # type: ignore[name-defined,misc]
    """A person's reading of one lesson: when they opened it and when they marked it studied."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("lesson_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    studied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    studied_revision: Mapped[int | None] = mapped_column(Integer)

    lesson: Mapped[Lesson] = relationship()
    user: Mapped[User] = relationship()


class TrainingSession(db.Model):  # type: ignore[name-defined,misc]
    """A scheduled training (集中 / 片区 / 点对点) with the lessons it covers and the people invited."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The area a 片区/点对点 session is for (None: the whole city).
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    county: Mapped[Unit | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    lesson_links: Mapped[list[TrainingSessionLesson]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingSessionLesson.position")
    invitations: Mapped[list[TrainingInvitation]] = relationship(back_populates="session",
                                                                 cascade="all, delete-orphan")

    @property
    def mode_label(self) -> str:
        return rules.TRAINING_MODES.get(self.mode, self.mode)

    @property
    def lessons(self) -> list[Lesson]:
        return [link.lesson for link in self.lesson_links]

    def attendance_counts(self, invitations: list[TrainingInvitation] | None = None) -> dict[str, Any]:
        rows = self.invitations if invitations is None else invitations
        counts = dict.fromkeys(rules.ATTENDANCE, 0)
        for invitation in rows:
            counts[invitation.attendance] = counts.get(invitation.attendance, 0) + 1
        return counts


class TrainingSessionLesson(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "training_session_lessons"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    lesson: Mapped[Lesson] = relationship()


class TrainingInvitation(db.Model):  # type: ignore[name-defined,misc]
    """One invited person and their attendance."""

    __tablename__ = "training_invitations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(16), default=rules.INVITED)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[TrainingSession] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def attendance_label(self) -> str:
        return rules.ATTENDANCE.get(self.attendance, self.attendance)


class TrainingPack(db.Model):  # type: ignore[name-defined,misc]
    """The month's training pack (本月培训包): the lessons a trainer chose for the month, in their order, and the
    month's test. Managers see it only once it is published; publishing sends one announcement."""

    __tablename__ = "training_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    title: Mapped[str] = mapped_column(String(200))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The last announcement the pack sent (the publish, or a later "notify again").
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    quiz: Mapped[Any] = relationship("Quiz")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    items: Mapped[list[TrainingPackLesson]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingPackLesson.position")

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def lessons(self) -> list[Lesson]:
        return [item.lesson for item in self.items]


class TrainingPackLesson(db.Model):  # type: ignore[name-defined,misc]
    """One lesson of a pack, at its place in the trainer's order."""

    __tablename__ = "training_pack_lessons"

    pack_id: Mapped[int] = mapped_column(ForeignKey("training_packs.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    lesson: Mapped[Lesson] = relationship()
