"""Quizzes, their immutable versions, and question banks.

A quiz file (``quizzes/**/<slug>.yaml``) is a ``Quiz``; every distinct content of that file is a ``QuizVersion``
whose ``definition`` is frozen: attempts point at the version they were started on, so a later edit never changes
how an earlier attempt is graded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.i18n import N_
from lms.core.staged_uploads import StagedUpload
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.quizzes.question_types import TYPES
from lms.quizzes.rules import (  # noqa: F401 - the names other modules import from here
    DRAFT,
    KIND_LABELS,
    MONTHLY,
    PRACTICE,
    PUBLISHED,
    QUIZ_KINDS,
    QUIZ_STATUSES,
    STATUS_LABELS,
    SYSTEM_OPS,
)

# Kinds and statuses, and what people read for them, are pure (lms.quizzes.rules): the audit log labels them too.
# Who owns a quiz's content: its file under quizzes/ (``flask sync``) or the browser (the test builder).
MANAGED_BY_FILE, MANAGED_BY_BROWSER = "file", "browser"


class Quiz(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(7), index=True)  # YYYY-MM, monthly tests only
    source_path: Mapped[str | None] = mapped_column(String(500))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=PUBLISHED, server_default=PUBLISHED)
    managed_by: Mapped[str] = mapped_column(String(8), default=MANAGED_BY_FILE, server_default=MANAGED_BY_FILE)
    # What the builder's form holds (the mapping a quiz file would hold), for a browser-owned quiz.
    builder_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # who: the audit log (quiz.published)
    # use_alter: quizzes and quiz_versions point at each other; the constraint is added after both tables exist.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_versions.id", use_alter=True, name="fk_quizzes_current_version_id_quiz_versions")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    current_version: Mapped[QuizVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def browser_owned(self) -> bool:
        return self.managed_by == MANAGED_BY_BROWSER

    def __repr__(self) -> str:
        return f"<Quiz {self.slug}>"


class QuizVersion(db.Model):  # type: ignore[name-defined,misc]
    """One immutable content of a quiz. Never updated after it is written."""

    __tablename__ = "quiz_versions"
    __table_args__ = (UniqueConstraint("quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    # The whole parsed quiz (lms.quizzes.definitions.QuizDefinition.to_json): questions, draw rules, flags.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    pass_score: Mapped[float] = mapped_column(Float, default=80.0)
    max_score: Mapped[float] = mapped_column(Float, default=100.0)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)  # None: unlimited (practice)
    review_policy: Mapped[str] = mapped_column(String(16), default="after_close")
    issues_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    quiz: Mapped[Quiz] = relationship(foreign_keys=[quiz_id])

    def __repr__(self) -> str:
        return f"<QuizVersion {self.quiz_id} v{self.number}>"


class QuestionBank(db.Model):  # type: ignore[name-defined,misc]
    """A pool of questions that quizzes draw random papers from (by tag and difficulty)."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str | None] = mapped_column(String(500))  # set when the bank comes from quizzes/
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    questions: Mapped[list[BankQuestion]] = relationship(back_populates="bank", order_by="BankQuestion.id")

    def __repr__(self) -> str:
        return f"<QuestionBank {self.slug}>"


class BankQuestion(db.Model):  # type: ignore[name-defined,misc]
    """One question of a bank. Drawn papers copy the question onto the attempt, so editing it is safe."""

    __tablename__ = "bank_questions"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    # What trainers call the question (GIFT's ``::title::``, or typed in the browser); also in ``spec.extra["title"]``.
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    lesson: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, default=3)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # lms.quizzes.definitions.spec_to_json
    checksum: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    revisions: Mapped[list[BankQuestionRevision]] = relationship(
        back_populates="question", order_by="BankQuestionRevision.number.desc()")

    @property
    def type_label(self) -> str:
        """The question type's name for people, from the type registry (Chinese source, shown with ``_()``)."""
        found = TYPES.get(self.type)
        return found.label if found is not None else self.type


# Where a revision came from: a quiz file (``flask sync``), an uploaded GIFT/Aiken/xlsx file, or the browser form.
FROM_FILE, FROM_IMPORT, FROM_BROWSER = "file", "import", "browser"
REVISION_ORIGIN_LABELS = {FROM_FILE: N_("文件同步"), FROM_IMPORT: N_("导入"), FROM_BROWSER: N_("网页编辑")}


class BankQuestionRevision(db.Model):  # type: ignore[name-defined,misc]
    """One content of a bank question, insert-only: the question's history. The question row holds the latest."""

    __tablename__ = "bank_question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # lms.quizzes.definitions.spec_to_json
    checksum: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default=FROM_BROWSER)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a file or a command
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[BankQuestion] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()

    @property
    def origin_label(self) -> str:
        return REVISION_ORIGIN_LABELS.get(self.origin, self.origin)


class QuestionImportUpload(StagedUpload, db.Model):  # type: ignore[name-defined,misc]
    """A question file waiting between its preview and the trainer's confirmation (``lms.quizzes.imports``; its life
    is every waiting file's: lms.core.staged_uploads)."""

    __tablename__ = "question_import_uploads"

    bank_slug: Mapped[str] = mapped_column(String(100))
    bank_title: Mapped[str | None] = mapped_column(String(200))  # for a bank the import creates


class QuestionMedia(db.Model):  # type: ignore[name-defined,misc]
    """A picture that came with imported questions, stored under ``LMS_MEDIA_DIR/questions`` by its SHA-256 and
    served at ``/quizzes/media/<stored_name>``; one row per bank that holds it."""

    __tablename__ = "question_media"
    __table_args__ = (UniqueConstraint("bank_id", "stored_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the command line
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
