"""A period's outcomes as the close decides them: each person's deciding official attempt, accommodation and pass
line, turned into a status by ``rules.decide_outcome``. The monthly close and the reconciliation of regrades both
decide here, so a corrected outcome is decided exactly as the close decided it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import load_only

from lms.assessment import rules
from lms.attempts.models import EXEMPT, IN_PROGRESS, VOID, Accommodation, Attempt
from lms.extensions import db
from lms.quizzes.models import QuizVersion


@dataclass(frozen=True)
class DecidedOutcome:
    """One person's outcome and what decided it (neither, for someone absent without an accommodation)."""

    status: str
    attempt: Attempt | None
    accommodation: Accommodation | None
    makeup_note: str = ""  # how a make-up attempt (补考) counted, for the outcome's note

    @property
    def note(self) -> str:
        reason = self.accommodation.reason if self.accommodation else ""
        return "；".join(p for p in (reason, self.makeup_note) if p)

    @property
    def score(self) -> float | None:
        return self.attempt.score if self.attempt else None

    @property
    def attempt_id(self) -> int | None:
        return self.attempt.id if self.attempt else None

    @property
    def submitted_at(self) -> datetime | None:
        return self.attempt.finished_at if self.attempt else None


@dataclass(frozen=True)
class PeriodAttempts:
    """What decides a period's outcomes: best official attempts and accommodations by person, pass lines by
    quiz version (``default_pass_score`` for people without an attempt)."""

    best: dict[int, Attempt]
    accommodations: dict[int, Accommodation]
    pass_scores: dict[int, float]
    default_pass_score: float
    # Make-up attempts that do not count (LMS_MAKEUP_CLEARS_FAIL off): each person's best, noted beside the outcome.
    uncounted_makeups: dict[int, Attempt] = field(default_factory=dict)

    def decide(self, user_id: int) -> DecidedOutcome:
        attempt = self.best.get(user_id)
        accommodation = self.accommodations.get(user_id)
        pass_score = (self.pass_scores.get(attempt.quiz_version_id, self.default_pass_score) if attempt
                      else self.default_pass_score)
        status = rules.decide_outcome(accommodation=accommodation.kind if accommodation else None,
                                      score=attempt.score if attempt else None, pass_score=pass_score)
        note = "补考成绩" if attempt is not None and attempt.makeup else ""
        uncounted = self.uncounted_makeups.get(user_id)
        if uncounted is not None:
            note = f"补考 {uncounted.score:g} 分，按规定不改变本月结果"
        return DecidedOutcome(status, attempt, accommodation, note)


def load_period_attempts(quiz_ids: list[int], *, policy: rules.Policy,
                         user_ids: list[int] | None = None) -> PeriodAttempts:
    """The attempts, accommodations and pass lines of the period's monthly tests ``quiz_ids``; of everyone (the
    close) or of ``user_ids`` only (a reconciliation, for the few people a regrade touched). Make-up attempts
    compete with the others when ``policy.makeup_clears_fail``; otherwise they are only noted."""
    found = accommodations(quiz_ids)
    pass_scores = dict(db.session.execute(select(QuizVersion.id, QuizVersion.pass_score).where(
        QuizVersion.quiz_id.in_(quiz_ids))).all())
    if policy.makeup_clears_fail:
        return PeriodAttempts(best_attempts(quiz_ids, user_ids), found, pass_scores, policy.pass_score)
    return PeriodAttempts(best_attempts(quiz_ids, user_ids, makeup=False), found, pass_scores, policy.pass_score,
                          uncounted_makeups=best_attempts(quiz_ids, user_ids, makeup=True))


def best_attempts(quiz_ids: list[int], user_ids: list[int] | None = None, *,
                  makeup: bool | None = None) -> dict[int, Attempt]:
    """Each person's deciding attempt: the best graded official one, the earliest finished of equal scores; of the
    make-up window's attempts only (``makeup=True``), of the others only (False), or of all (None)."""
    best: dict[int, Attempt] = {}
    if not quiz_ids or (user_ids is not None and not user_ids):
        return best
    # Only the columns the close reads: the paper (≈16 KB of JSON per attempt) would be decoded 10,000 times.
    graded = select(Attempt).where(Attempt.quiz_id.in_(quiz_ids), Attempt.official.is_(True),
                                   Attempt.status != IN_PROGRESS, Attempt.score.is_not(None)).options(
        load_only(Attempt.id, Attempt.user_id, Attempt.quiz_id, Attempt.quiz_version_id, Attempt.status,
                  Attempt.score, Attempt.finished_at, Attempt.makeup))
    if makeup is not None:
        graded = graded.where(Attempt.makeup.is_(makeup))
    if user_ids is not None:
        graded = graded.where(Attempt.user_id.in_(user_ids))
    for attempt in db.session.scalars(graded):
        current = best.get(attempt.user_id)
        if current is None or _attempt_rank(attempt) < _attempt_rank(current):
            best[attempt.user_id] = attempt
    return best


def _attempt_rank(attempt: Attempt) -> tuple[float, float]:
    finished = attempt.finished_at.timestamp() if attempt.finished_at else float("inf")
    return (-(attempt.score or 0.0), finished)


def accommodations(quiz_ids: list[int]) -> dict[int, Accommodation]:
    """Each person's exemption or voided result for the period's tests; a voided result wins over an exemption."""
    found: dict[int, Accommodation] = {}
    for accommodation in db.session.scalars(select(Accommodation).where(
            Accommodation.quiz_id.in_(quiz_ids), Accommodation.kind.in_((EXEMPT, VOID))).order_by(Accommodation.id)):
        current = found.get(accommodation.user_id)
        if current is None or (current.kind == EXEMPT and accommodation.kind == VOID):  # a voided result wins
            found[accommodation.user_id] = accommodation
    return found
