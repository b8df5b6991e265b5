"""Demo history: three closed months in which every assessment rule has happened to someone.

Managers sit the shipped monthly tests (2026-09, 2026-10, 2026-11) through the real attempt services, with outcomes
from a fixed pattern — passes at various scores, a first fail (criticism), fails in consecutive months (200 yuan),
absences, an exemption — then each month is closed through the assessment service, exactly as in production.
Idempotent: people who already have an attempt are skipped, and closed months are not closed again.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment import services as assessment
from lms.attempts import services as attempts
from lms.attempts.models import Attempt
from lms.core.clock import utcnow
from lms.core.errors import DomainError
from lms.courses import pack_queries, pack_services
from lms.courses.models import Lesson
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.quizzes.question_types import question_type

PERIODS = ("2026-09", "2026-10", "2026-11")
# One letter per period (P pass, F fail, A absent, E exempt); most people pass every month.
PATTERNS = ["PPP"] * 14 + ["FFF", "PFF", "FPF", "AAP", "PPF", "PFP", "FEF", "PAF", "PPP", "FPP"]


def pattern_for(index: int) -> str:
    return PATTERNS[index % len(PATTERNS)]


def _answers(attempt: Attempt, correct_count: int) -> dict[str, Any]:
    """Right answers to the first ``correct_count`` questions of the paper, wrong ones to the rest."""
    chosen: dict[str, Any] = {}
    for position, question in enumerate(attempt.paper["questions"]):
        right = position < correct_count
        chosen[question["id"]] = question_type(question["type"]).sample_answer(question, right)
    return chosen


def _correct_count(total: int, outcome: str, seed: int) -> int:
    # a pass scores 80 … 100, a fail 45 … 74
    share = 0.8 + (seed % 21) / 100 if outcome == "P" else 0.45 + (seed % 30) / 100
    return min(total, max(0, round(total * share + (0.49 if outcome == "P" else 0))))


def sit_monthly_tests() -> str:
    managers = list(db.session.scalars(select(User).where(User.role == "manager", User.active.is_(True))
                                       .order_by(User.employee_no)))
    quizzes = {q.period: q for q in db.session.scalars(select(Quiz).where(Quiz.kind == "monthly"))}
    sat = 0
    for offset, period in enumerate(PERIODS):
        quiz = quizzes.get(period)
        if quiz is None or quiz.current_version is None or quiz.current_version.opens_at is None:
            continue
        opens = quiz.current_version.opens_at
        for index, person in enumerate(managers):
            outcome = pattern_for(index)[offset]
            already = db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id,
                                                                 Attempt.quiz_id == quiz.id))
            if already is not None or outcome == "A":
                continue
            if outcome == "E":
                _exempt(person, quiz, opens)
                continue
            started = opens + timedelta(hours=9, minutes=index * 7)
            attempt, _ = attempts.start_attempt(person, quiz.slug, now=started)
            seed = zlib.crc32(f"{person.employee_no}{period}".encode())
            total = len(attempt.paper["questions"])
            answers = _answers(attempt, _correct_count(total, outcome, seed))
            attempts.submit_attempt(person, attempt.id, {"answers": answers},
                                    now=started + timedelta(minutes=12 + seed % 15))
            sat += 1
    return f"{sat} monthly tests sat"


def _exempt(person: User, quiz: Quiz, opens: Any) -> None:
    trainer = db.session.scalar(select(User).where(User.role == "trainer").order_by(User.employee_no))
    if trainer is None:
        return
    attempts.grant_accommodation(trainer, person, quiz, kind="exempt", reason="示例：当月病假，经县区审批免考",
                                 minutes=None, now=opens)


def close_months() -> str:
    now = utcnow()
    closed = []
    for period in PERIODS:
        if assessment.is_closed(period):
            continue
        if period == "2026-11":
            _record_deduction()
        try:
            report = assessment.close_month(period, now=now)
        except DomainError as exc:
            return f"stopped at {period}: {exc.message}"
        closed.append(f"{period} ({len(report.outcomes)} outcomes, {len(report.entries)} ledger entries)")
    return "closed " + (", ".join(closed) if closed else "nothing new")


def _record_deduction() -> None:
    person = db.session.scalar(select(User).where(User.role == "manager").order_by(User.employee_no.desc()))
    supervisor = db.session.scalar(select(User).where(User.employee_no == "S0001"))
    if person is None or supervisor is None:
        return
    try:
        assessment.record_system_ops_deduction(
            employee_no=person.employee_no, system="b2b",
            what_happened="示例：培训后仍不会操作换货流程，门店两次反映",
            reported_by="临江镇XX手机店店主", period="2026-11", actor=supervisor, now=utcnow())
    except DomainError:
        return  # already recorded (idempotent demo) or the month is closed


def publish_packs() -> str:
    """Each demo month's training pack, chosen and published by the first trainer as a trainer would: the month's
    lessons in the catalogue's order and the month's test, one announcement each. A month without lessons, or whose
    pack exists already, is left alone."""
    trainer = db.session.scalar(select(User).where(User.role == "trainer", User.active.is_(True))
                                .order_by(User.employee_no))
    if trainer is None:
        return "no trainer"
    published = 0
    for period in PERIODS:
        lesson_ids = list(db.session.scalars(select(Lesson.id).where(
            Lesson.period == period, Lesson.published_number.is_not(None), Lesson.retired_at.is_(None))
            .order_by(Lesson.sort_order, Lesson.slug)))
        if not lesson_ids or period in pack_queries.taken_periods():
            continue
        pack = pack_services.create_pack(period, trainer)
        pack_services.save_pack(pack, title=pack.title, quiz_id=pack.quiz_id, lesson_ids=lesson_ids, author=trainer)
        pack_services.publish_pack(pack, trainer)
        published += 1
    return f"{published} published"
