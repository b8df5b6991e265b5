"""A person's page: everything a supervisor looks at before acting on an appeal (outcomes, attempts with their
events, certificates, training, lessons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from lms.accounts.models import User
from lms.assessment.models import Outcome, Ranking
from lms.assessment.rules import OUTCOME_LABELS
from lms.attempts import rules as attempt_rules
from lms.attempts.models import Attempt, AttemptEvent
from lms.certificates.models import Certificate
from lms.courses import rules as course_rules
from lms.courses.models import Lesson, LessonProgress, TrainingInvitation, TrainingSession
from lms.extensions import db
from lms.org.models import Unit
from lms.quizzes.models import Quiz


@dataclass(frozen=True)
class OutcomeRow:
    period: str
    status: str
    score: float | None
    note: str
    position: int | None
    group_size: int | None
    band: str | None

    @property
    def status_label(self) -> str:
        return OUTCOME_LABELS.get(self.status, self.status)


@dataclass
class AttemptEvidence:
    id: int
    quiz_slug: str
    quiz_title: str
    period: str | None
    number: int
    official: bool
    makeup: bool
    status: str
    started_at: datetime
    deadline_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    score: float | None
    passed: bool | None
    events: list[tuple[datetime, str, dict[str, Any] | None]] = field(default_factory=list)

    @property
    def saves(self) -> int:
        return sum(1 for _at, kind, _d in self.events if kind == "answer_saved")

    @property
    def tab_switches(self) -> int:
        return sum(1 for _at, kind, _d in self.events if attempt_rules.is_switch(kind))  # real switches only

    @property
    def offline(self) -> int:
        return sum(1 for _at, kind, _d in self.events if kind == "offline")

    @property
    def minutes(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() / 60, 1)


EVENTS_PER_ATTEMPT = 300


@dataclass
class PersonReport:
    person: User
    county: str | None
    grid: str | None
    outcomes: list[OutcomeRow]
    attempts: list[AttemptEvidence]
    certificates: list[dict[str, Any]]
    training: list[dict[str, Any]]
    lessons: list[dict[str, Any]]


def person_report(person: User) -> PersonReport:
    """Everything about one person a supervisor looks at before acting on an appeal. The caller checked scope."""
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_([i for i in (person.county_id, person.grid_id) if i is not None]))).all())
    outcomes = [OutcomeRow(row.period, row.status, row.score, row.note or "", row.position, row.group_size, row.band)
                for row in db.session.execute(
                    select(Outcome.period, Outcome.status, Outcome.score, Outcome.note, Ranking.position,
                           Ranking.group_size, Ranking.band)
                    .outerjoin(Ranking, and_(Ranking.period == Outcome.period, Ranking.user_id == Outcome.user_id))
                    .where(Outcome.user_id == person.id).order_by(Outcome.period))]
    attempts = [AttemptEvidence(row.id, row.slug, row.title, row.period, row.number, row.official, row.makeup,
                                row.status, row.started_at, row.deadline_at, row.finished_at, row.finish_reason,
                                row.score, row.passed)
                for row in db.session.execute(
                    select(Attempt.id, Quiz.slug, Quiz.title, Quiz.period, Attempt.number, Attempt.official,
                           Attempt.makeup, Attempt.status, Attempt.started_at, Attempt.deadline_at,
                           Attempt.finished_at, Attempt.finish_reason, Attempt.score, Attempt.passed)
                    .join(Quiz, Quiz.id == Attempt.quiz_id)
                    .where(Attempt.user_id == person.id, Attempt.is_preview.is_(False))
                    .order_by(Attempt.started_at.desc()))]
    by_id = {a.id: a for a in attempts}
    if by_id:
        for attempt_id, at, kind, detail in db.session.execute(
                select(AttemptEvent.attempt_id, AttemptEvent.at, AttemptEvent.kind, AttemptEvent.detail)
                .where(AttemptEvent.attempt_id.in_(select(Attempt.id).where(Attempt.user_id == person.id)))
                .order_by(AttemptEvent.at, AttemptEvent.id)):
            evidence = by_id[attempt_id]
            if len(evidence.events) < EVENTS_PER_ATTEMPT:
                evidence.events.append((at, kind, detail))
    return PersonReport(person, names.get(person.county_id or 0), names.get(person.grid_id or 0), outcomes, attempts,
                        _certificates(person.id), _training(person.id), _lessons(person.id))


def _certificates(user_id: int) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(
        select(Certificate.code, Certificate.quiz_title, Certificate.period, Certificate.score, Certificate.issued_at,
               Certificate.revoked_at).where(Certificate.user_id == user_id).order_by(Certificate.issued_at.desc()))]


def _training(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.title, TrainingSession.mode, TrainingSession.starts_at,
               TrainingSession.place, TrainingSession.cancelled_at, TrainingInvitation.attendance)
        .join(TrainingInvitation, TrainingInvitation.session_id == TrainingSession.id)
        .where(TrainingInvitation.user_id == user_id).order_by(TrainingSession.starts_at.desc()))
    return [{**row._mapping, "mode_label": course_rules.TRAINING_MODES.get(row.mode, row.mode),
             "attendance_label": course_rules.ATTENDANCE.get(row.attendance, row.attendance)} for row in rows]


def _lessons(user_id: int) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(
        select(Lesson.slug, Lesson.title, Lesson.category, LessonProgress.visits, LessonProgress.first_opened_at,
               LessonProgress.last_opened_at, LessonProgress.studied_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).where(LessonProgress.user_id == user_id)
        .order_by(LessonProgress.last_opened_at.desc()))]
