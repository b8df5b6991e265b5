"""Regrading a quiz after a key correction: the preview (``plan_regrade``, writes nothing) and the regrade
(``apply_regrade``, one transaction, then an announcement per changed attempt). The trainer starts both from the
quiz's item analysis in reports.

Previews (a trainer's trial attempts) are left out. The correction is kept (``QuestionKeyCorrection``) and papers
drawn afterwards carry it (a make-up, a later attempt), whatever the bank or file still says.

The regrade rewrites the corrected question's key on every paper of the quiz (finished and running, so a running
attempt is graded with the right key when it is submitted) and re-grades the finished ones from their saved answers
with the attempts' own grading rules. Every changed attempt gets a ``regraded`` event (old and new score, who, which
question) as its audit trail.

A closed period's outcomes and ledger follow through the assessment domain: the regrade is recorded
(``lms.assessment.reconciliation.record_regrade``, in the same transaction as the new scores) and the next
``close-month`` corrects those outcomes and writes reversals and new entries. The preview lists the closed-period
outcomes whose pass/fail will change so the trainer knows what the next close will correct; a period not yet
closed simply picks up the new scores at its close. After the commit every changed attempt is announced with
``attempt_graded`` (``regraded=True``), so certificates follow: issued for a new pass, revoked for a lost one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment import reconciliation
from lms.assessment import rules as assessment_rules
from lms.assessment.models import ClosedPeriod, Outcome
from lms.attempts import rules, usage
from lms.attempts.key_corrections import (
    KeyCorrection,
    QuestionInfo,
    ScoreChange,
    changed_only,
    check_correction,
    corrected_paper,
    question_info,
)
from lms.attempts.models import IN_PROGRESS, Attempt, AttemptAnswer, AttemptEvent, QuestionKeyCorrection
from lms.core import events
from lms.core.errors import Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.question_types import Answer
from lms.reports.queries.common import PersonRef, people_refs

log = logging.getLogger(__name__)

REGRADERS = ("trainer", "admin")


@dataclass(frozen=True)
class ClosedOutcomeChange:
    period: str
    user_id: int
    old_status: str
    new_status: str


@dataclass
class RegradePlan:
    quiz: Quiz
    question: QuestionInfo
    correction: KeyCorrection
    papers: int = 0  # attempts whose paper holds the question
    running: int = 0  # of those, still in progress: key corrected, graded when submitted
    changes: list[ScoreChange] = field(default_factory=list)
    people: dict[int, PersonRef] = field(default_factory=dict)
    closed_outcomes: list[ClosedOutcomeChange] = field(default_factory=list)
    _papers: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    _results: dict[int, Any] = field(default_factory=dict, repr=False)

    @property
    def outcome_changes(self) -> int:
        return sum(1 for c in self.changes if c.outcome_changed)


def find_question(quiz: Quiz, question_id: str) -> QuestionInfo:
    """The question as the first paper that holds it shows it."""
    for (paper,) in db.session.execute(select(Attempt.paper).where(Attempt.quiz_id == quiz.id,
                                                                   Attempt.is_preview.is_(False))
                                       .order_by(Attempt.id)):
        for position, question in enumerate((paper or {}).get("questions", [])):
            if question.get("id") == question_id:
                return question_info(question, position)
    raise NotFound("该考试的答卷中没有这道题")


def plan_regrade(quiz: Quiz, correction: KeyCorrection, viewer: User) -> RegradePlan:
    """What a corrected key would change: new scores of every finished attempt (nothing is written). Names are
    shown for the people ``viewer`` may see; the regrade itself covers every attempt of the quiz."""
    info = find_question(quiz, correction.question_id)
    problems = check_correction(info.type, len(info.options), correction)
    if problems:
        raise ValidationFailed("更正后的答案无效", problems)
    plan = RegradePlan(quiz, info, correction)
    versions = {v.id: v for v in db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id))}
    attempts = list(db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.paper, Attempt.score, Attempt.passed,
               Attempt.quiz_version_id).where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
        .order_by(Attempt.id)))
    answers: dict[int, dict[str, Answer]] = {}
    for attempt_id, question_id, choices, text in db.session.execute(
            select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.choices, AttemptAnswer.text)
            .join(Attempt, Attempt.id == AttemptAnswer.attempt_id).where(Attempt.quiz_id == quiz.id,
                                                                         Attempt.is_preview.is_(False))):
        answers.setdefault(attempt_id, {})[question_id] = Answer(choices=tuple(choices or ()), text=text)
    changes = []
    for attempt in attempts:
        paper, found = corrected_paper(attempt.paper or {}, correction)
        if not found:
            continue
        plan.papers += 1
        plan._papers[attempt.id] = paper
        if attempt.status == IN_PROGRESS:
            plan.running += 1
            continue
        version = versions[attempt.quiz_version_id]
        result = rules.grade_paper(paper, answers.get(attempt.id, {}), pass_score=version.pass_score,
                                   max_score=version.max_score)
        plan._results[attempt.id] = result
        changes.append(ScoreChange(attempt.id, attempt.user_id, attempt.score, result.score, attempt.passed,
                                   result.passed))
    plan.changes = changed_only(changes)
    changed = {c.attempt_id: c for c in plan.changes}
    if changed:
        closed = select(ClosedPeriod.period)
        pass_scores = {a.id: versions[a.quiz_version_id].pass_score for a in attempts}
        for period, user_id, status, attempt_id in db.session.execute(
                select(Outcome.period, Outcome.user_id, Outcome.status, Outcome.attempt_id)
                .where(Outcome.attempt_id.in_(list(changed)), Outcome.period.in_(closed))):
            if status not in (assessment_rules.PASS, assessment_rules.FAIL):
                continue  # exempt and void results do not depend on the score
            new = assessment_rules.decide_outcome(accommodation=None, score=changed[attempt_id].new_score,
                                                  pass_score=pass_scores[attempt_id])
            if new != status:
                plan.closed_outcomes.append(ClosedOutcomeChange(period, user_id, status, new))
        plan.people = people_refs({c.user_id for c in plan.changes}, viewer)
    return plan


def apply_regrade(quiz: Quiz, correction: KeyCorrection, *, actor: User, now: datetime) -> RegradePlan:
    """Correct the key on every paper and store the new scores with the regrade's record, in one transaction;
    then announce each changed attempt (``attempt_graded`` with ``regraded=True``)."""
    if actor.role not in REGRADERS:
        raise Forbidden("只有培训师或管理员可以重新评分")
    plan = plan_regrade(quiz, correction, actor)
    changed = {c.attempt_id: c for c in plan.changes}
    try:
        for attempt in db.session.scalars(select(Attempt).where(Attempt.id.in_(list(plan._papers)))):
            attempt.paper = plan._papers[attempt.id]
            result = plan._results.get(attempt.id)
            if result is None or attempt.status == IN_PROGRESS:
                continue
            attempt.score, attempt.raw_points, attempt.passed = result.score, result.raw_points, result.passed
            attempt.results = {qid: {"earned": g.points, "points": g.max_points, "correct": g.correct}
                               for qid, g in result.per_question.items()}
            usage.record_shares(attempt.id, attempt.results)
            change = changed.get(attempt.id)
            if change is not None:
                db.session.add(AttemptEvent(attempt_id=attempt.id, kind="regraded", at=now, detail={
                    "question": correction.question_id, "old_score": change.old_score,
                    "new_score": change.new_score, "by": actor.employee_no}))
        stored = {"correct": list(correction.correct), "accepted": list(correction.accepted),
                  "numbers": [list(pair) for pair in correction.numbers]}
        db.session.add(QuestionKeyCorrection(quiz_id=quiz.id, question_id=correction.question_id, correction=stored,
                                             corrected_by_id=actor.id, corrected_at=now))
        reconciliation.record_regrade(quiz_id=quiz.id, question_id=correction.question_id, correction=stored,
                                      changes=plan.changes, actor=actor, now=now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if plan.changes:
        for attempt in db.session.scalars(select(Attempt).where(Attempt.id.in_(list(changed))).order_by(Attempt.id)):
            events.attempt_graded.send(attempt, regraded=True, actor=actor, now=now)
    log.info("regraded %s question %s by %s: %d papers, %d scores changed", quiz.slug, correction.question_id,
             actor.employee_no, plan.papers, len(plan.changes))
    return plan

