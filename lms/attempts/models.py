"""Attempts, their saved answers and events, and per-person accommodations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion

IN_PROGRESS, SUBMITTED, EXPIRED = "in_progress", "submitted", "expired"
ATTEMPT_STATUSES = (IN_PROGRESS, SUBMITTED, EXPIRED)

EXTRA_TIME, EXEMPT, VOID = "extra_time", "exempt", "void"
ACCOMMODATION_KINDS = (EXTRA_TIME, EXEMPT, VOID)


class Attempt(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attempts"
    # (user, quiz, number) is unique: two taps on "start" at once cannot both create an attempt.
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # 1, 2, … per person and quiz
    official: Mapped[bool] = mapped_column(Boolean, default=False)  # counts for the assessment period
    makeup: Mapped[bool] = mapped_column(Boolean, default=False)  # started in the quiz's make-up window
    # A trainer's trial of a test as a manager sees it: never official, never in standings, reports or certificates.
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS, index=True)
    # "<user_id>:<quiz_id>" while in progress, NULL once finished: a unique column, so two starts racing each
    # other (double tap, two tabs) can never leave a person with two running attempts of one quiz.
    in_progress_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # submit | timer (the page at zero) | tab_limit | deadline (the server) — why the attempt ended
    finish_reason: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)  # 0..100, scaled and rounded (lms.attempts.rules)
    raw_points: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=100.0)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The drawn, shuffled questions exactly as served, with their keys (never sent to the browser as-is).
    paper: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Per-question outcome after grading: {question_id: {"points", "max_points", "correct"}}.
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()
    quiz: Mapped[Quiz] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt", order_by="AttemptAnswer.id")

    @property
    def is_finished(self) -> bool:
        return self.status != IN_PROGRESS

    def __repr__(self) -> str:
        return f"<Attempt {self.id} {self.status}>"


class AttemptAnswer(db.Model):  # type: ignore[name-defined,misc]
    """The latest saved answer to one question of an attempt."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    choices: Mapped[list[str] | None] = mapped_column(JSON)  # option ids as served
    text: Mapped[str | None] = mapped_column(Text)
    # The page numbers its changes; a replayed older change (offline queue) never overwrites a newer one.
    client_seq: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AttemptEvent(db.Model):  # type: ignore[name-defined,misc]
    """Something that happened during an attempt, with the server's time: evidence for supervisors.

    ``answer_saved`` events are written by the statement that stores the answer, whatever code path runs it: on
    SQLite by triggers on attempt_answers (migration 0010), on PostgreSQL by the upsert's writing CTE
    (``lms.attempts.storage._upsert_statement``). Their detail is ``{"question": …, "seq": …}``, the number the
    stored answer carries."""

    __tablename__ = "attempt_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    # started | resumed | answer_saved | tab_hidden | fullscreen_exit | submitted | expired | ...
    kind: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Accommodation(db.Model):  # type: ignore[name-defined,misc]
    """Extra time, an exemption or a voided result for one person and quiz, granted by a trainer/supervisor."""

    __tablename__ = "accommodations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int | None] = mapped_column(Integer)  # extra_time only
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    quiz: Mapped[Quiz] = relationship()


class BankQuestionUse(db.Model):  # type: ignore[name-defined,misc]
    """One bank question on one (non-preview) paper, and the share of its points the graded attempt earned: what
    the question bank pages count (usage, facility) with one indexed GROUP BY instead of reading every paper.
    Written by ``lms.attempts.usage`` when a paper is drawn, graded and regraded."""

    __tablename__ = "bank_question_uses"
    # (bank, key, share) covers the bank pages' GROUP BY: it never reads the table's rows.
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),
                      Index("ix_bank_question_uses_bank_key_share", "bank", "key", "share"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    bank: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(200))  # the id on the paper (bank.key, or renamed)
    share: Mapped[float | None] = mapped_column(Float)  # None until the attempt is graded


class QuestionKeyCorrection(db.Model):  # type: ignore[name-defined,misc]
    """A trainer's corrected key for one question of one quiz (the regrade, ``lms.attempts.regrade``), insert-only:
    papers drawn afterwards carry it (``lms.attempts.services.start_attempt``), so a make-up or a later attempt is
    graded with the key the regrade applied to the earlier ones, whatever the question's bank or file still says."""

    __tablename__ = "question_key_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(200))
    # lms.attempts.key_corrections.KeyCorrection: {"correct": [source option indexes], "accepted": [texts],
    # "numbers": [[value, tolerance], ...]}
    correction: Mapped[dict[str, Any]] = mapped_column(JSON)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


MASTERED_BY_SELF, MASTERED_BY_PRACTICE = "self", "practice"


class WrongAnswerProgress(db.Model):  # type: ignore[name-defined,misc]
    """A person's practice on one question of their wrong-answer book (错题本), by the question's identity (its bank
    or quiz, and its key) so one question drawn in several attempts is one item.

    ``wrong_at`` is when the newest wrong answer this progress counts from was given: a newer wrong answer (a later
    test) starts the practice over and brings a mastered item back into the book."""

    __tablename__ = "wrong_answer_progress"
    __table_args__ = (UniqueConstraint("user_id", "source", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(120))  # the bank's slug, or the quiz's for its own questions
    question_key: Mapped[str] = mapped_column(String(120))
    wrong_at: Mapped[datetime] = mapped_column(UTCDateTime())
    correct_days: Mapped[int] = mapped_column(Integer, default=0)  # days with a right answer in a row
    last_correct_on: Mapped[date | None] = mapped_column(Date)  # the day in Asia/Shanghai
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mastered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mastered_by: Mapped[str | None] = mapped_column(String(16))  # self | practice
