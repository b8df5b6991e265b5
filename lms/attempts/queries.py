"""Reads of attempts for the pages and the API, which write nothing: the caller's or a viewer's attempt, saved
answers, events, accommodations, when answers are shown, and the wrong-answer book."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.attempts import rules
from lms.attempts.key_corrections import KeyCorrection, stored_correction
from lms.attempts.models import (
    IN_PROGRESS,
    Accommodation,
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    QuestionKeyCorrection,
    WrongAnswerProgress,
)
from lms.core.errors import NotFound
from lms.extensions import db
from lms.quizzes.models import Quiz


def own_attempt(user: User, attempt_id: int) -> Attempt:
    """The caller's attempt; someone else's is reported as not found, so ids reveal nothing."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("答卷不存在")
    return attempt


def attempt_for_viewer(viewer: User, attempt_id: int) -> Attempt:
    """An attempt a trainer/supervisor/admin may look at (their scope), or the person's own."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("答卷不存在")
    if attempt.user_id != viewer.id and (viewer.role == "manager" or not can_view_person(viewer, attempt.user)):
        raise NotFound("答卷不存在")
    return attempt


def accommodations_for(user_id: int, quiz_id: int) -> list[Accommodation]:
    return list(db.session.scalars(
        select(Accommodation).where(Accommodation.user_id == user_id, Accommodation.quiz_id == quiz_id)
        .order_by(Accommodation.id)))


def saved_answers(attempt_id: int) -> dict[str, AttemptAnswer]:
    return {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))}


def is_assigned(user: User, quiz: Quiz) -> bool:
    """Official tests are for active channel managers; practice is open to everyone signed in."""
    return quiz.kind == "practice" or (user.role == "manager" and user.active)


def in_progress_attempt(user_id: int, quiz_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.status == IN_PROGRESS))


def key_corrections(quiz_id: int) -> list[KeyCorrection]:
    """The quiz's corrected keys, oldest first (a later correction of the same question wins when applied)."""
    return [stored_correction(question_id, correction) for question_id, correction in db.session.execute(
        select(QuestionKeyCorrection.question_id, QuestionKeyCorrection.correction)
        .where(QuestionKeyCorrection.quiz_id == quiz_id).order_by(QuestionKeyCorrection.id))]


def own_attempts(user_id: int, quiz_id: int) -> list[Attempt]:
    """A person's attempts at a quiz (previews excluded), without their papers: what deciding a start needs."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.is_preview.is_(False)).options(
        load_only(Attempt.id, Attempt.makeup, Attempt.official, Attempt.passed, Attempt.status))))


def switch_count(attempt_id: int) -> int:
    """Real switches away from the page (rules.SWITCH_KINDS): what the limit and the warning count."""
    return db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind.in_(rules.SWITCH_KINDS))) or 0


def away_kinds(attempt_ids: list[int]) -> dict[int, list[str]]:
    """For many attempts in one query (the people page): the kinds of their events that say the person was away —
    switches and everything else that is not (evidence.away_summary words the rest)."""
    if not attempt_ids:
        return {}
    found: dict[int, list[str]] = {attempt_id: [] for attempt_id in attempt_ids}
    for attempt_id, kind, count in db.session.execute(
            select(AttemptEvent.attempt_id, AttemptEvent.kind, func.count(AttemptEvent.id))
            .where(AttemptEvent.attempt_id.in_(attempt_ids), AttemptEvent.kind.in_(rules.AWAY_EVENT_KINDS))
            .group_by(AttemptEvent.attempt_id, AttemptEvent.kind)):
        found[attempt_id].extend([kind] * count)
    return found


def attempt_events(attempt_id: int) -> list[AttemptEvent]:
    return list(db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.at, AttemptEvent.id)))


def review_close(attempt: Attempt) -> datetime | None:
    definition = attempt.quiz_version.definition
    makeup_closes = definition.get("makeup_closes_at")
    return rules.last_close(attempt.quiz_version.closes_at,
                            datetime.fromisoformat(makeup_closes) if makeup_closes else None)


def is_review_open(attempt: Attempt, *, now: datetime) -> bool:
    return rules.review_open(attempt.quiz_version.review_policy, now=now, finished=attempt.is_finished,
                             closes_at=review_close(attempt))


@dataclass(frozen=True)
class WrongAnswer:
    attempt: Attempt
    question: dict[str, Any]
    given: AttemptAnswer | None
    progress: WrongAnswerProgress | None = None

    @property
    def mastered(self) -> bool:
        """Mastered since the newest wrong answer (a newer one brings the item back into the book)."""
        return (self.progress is not None and self.progress.mastered_at is not None
                and self.attempt.finished_at is not None and self.progress.wrong_at >= self.attempt.finished_at)

    @property
    def correct_days(self) -> int:
        if self.progress is None or self.attempt.finished_at is None or \
                self.progress.wrong_at < self.attempt.finished_at:
            return 0
        return self.progress.correct_days


def question_identity(attempt: Attempt, question: Mapping[str, Any]) -> tuple[str, str]:
    """One question drawn in several attempts is one item: its bank (or its quiz, for a quiz's own questions) and
    key."""
    return (question.get("bank") or attempt.quiz.slug, question["key"])


def wrong_answer_book(user: User, *, now: datetime) -> list[WrongAnswer]:
    """The person's wrong answers (错题本) from finished attempts whose review is open; newest first, one per
    question, each with its practice progress (``mastered`` ones are listed apart by the page)."""
    attempts = db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.status != IN_PROGRESS, Attempt.is_preview.is_(False))
        .order_by(Attempt.finished_at.desc()))
    progress = {(row.source, row.question_key): row for row in db.session.scalars(
        select(WrongAnswerProgress).where(WrongAnswerProgress.user_id == user.id))}
    seen: set[tuple[str, str]] = set()
    found: list[WrongAnswer] = []
    for attempt in attempts:
        if not attempt.results or not is_review_open(attempt, now=now):
            continue
        answers = saved_answers(attempt.id)
        for question in attempt.paper["questions"]:
            outcome = attempt.results.get(question["id"])
            identity = question_identity(attempt, question)
            if outcome is None or outcome["correct"] or identity in seen:
                continue
            seen.add(identity)
            found.append(WrongAnswer(attempt, question, answers.get(question["id"]), progress.get(identity)))
    return found
