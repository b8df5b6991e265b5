"""Quiz and bank use cases: applying the sync plan, storing a bank's questions, reading banks for drawing.
(Importing a file into a bank: lms.quizzes.imports.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.core.sync import SyncReport
from lms.extensions import db
from lms.quizzes.bank_services import add_revision
from lms.quizzes.definitions import (
    BankDefinition,
    QuizDefinition,
    definition_from_json,
    spec_checksum,
    spec_from_json,
)
from lms.quizzes.loader import QuizzesPlan
from lms.quizzes.models import (
    DRAFT,
    FROM_FILE,
    MANAGED_BY_BROWSER,
    MANAGED_BY_FILE,
    BankQuestion,
    QuestionBank,
    Quiz,
    QuizVersion,
)
from lms.quizzes.specs import QuestionSpec

log = logging.getLogger(__name__)


# --- sync ------------------------------------------------------------------------------------------------------------

def apply_quiz_plan(plan: QuizzesPlan, *, now: datetime | None = None) -> SyncReport:
    """Write banks and quizzes from the files (no commit: ``flask sync`` commits once for every source)."""
    now = now or utcnow()
    report = SyncReport(source="quizzes")
    for bank in plan.banks:
        _apply_bank(bank, report, now)
    file_banks = {b.slug for b in plan.banks}
    for orphan in db.session.scalars(select(QuestionBank).where(QuestionBank.source_path.is_not(None))):
        if orphan.slug not in file_banks:
            retired = _retire_bank_questions(orphan, keep=set(), now=now)
            if retired:
                report.retired.append(f"bank:{orphan.slug}")
    db.session.flush()
    _check_draw_banks(plan)
    browser_owned = set(db.session.scalars(select(Quiz.slug).where(Quiz.managed_by == MANAGED_BY_BROWSER)))
    for definition in plan.quizzes:
        if definition.slug in browser_owned:  # taken over in the browser: the file no longer speaks for it
            report.skipped.append(definition.slug)
            continue
        _apply_quiz(definition, report, now)
    in_files = {q.slug for q in plan.quizzes}
    for quiz in db.session.scalars(select(Quiz).where(Quiz.source_path.is_not(None), Quiz.retired_at.is_(None),
                                                      Quiz.managed_by == MANAGED_BY_FILE)):
        if quiz.slug not in in_files:
            quiz.retired_at = now
            report.retired.append(quiz.slug)
    db.session.flush()
    return report


def _apply_bank(definition: BankDefinition, report: SyncReport, now: datetime) -> None:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == definition.slug))
    created = bank is None
    if bank is None:
        bank = QuestionBank(slug=definition.slug, title=definition.title, description=definition.description,
                            source_path=definition.source_path)
        db.session.add(bank)
        db.session.flush()
    bank.title, bank.description, bank.source_path = definition.title, definition.description, definition.source_path
    counts = store_bank_questions(bank, list(definition.questions), now=now)
    retired = _retire_bank_questions(bank, keep={q.key for q in definition.questions}, now=now)
    name = f"bank:{definition.slug}"
    if created:
        report.added.append(name)
    elif counts.added or counts.updated or retired:
        report.changed.append(name)
    else:
        report.unchanged.append(name)


def _retire_bank_questions(bank: QuestionBank, *, keep: set[str], now: datetime) -> int:
    retired = 0
    for question in bank.questions:
        if question.key not in keep and question.retired_at is None:
            question.retired_at = now
            retired += 1
    return retired


def _check_draw_banks(plan: QuizzesPlan) -> None:
    wanted = {(rule.bank, rule.source) for q in plan.quizzes for s in q.sections for rule in s.draws}
    known = set(db.session.scalars(select(QuestionBank.slug)))
    missing = sorted(f"{source}: no question bank {bank!r}" for bank, source in wanted if bank not in known)
    if missing:
        raise ValidationFailed("quizzes/ draws from unknown banks", missing)


def _apply_quiz(definition: QuizDefinition, report: SyncReport, now: datetime) -> None:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == definition.slug))
    checksum = definition.checksum()
    if quiz is None:
        quiz = Quiz(slug=definition.slug, kind=definition.kind, title=definition.title)
        db.session.add(quiz)
        db.session.flush()
        report.added.append(definition.slug)
    else:
        current = quiz.current_version
        if current is not None and current.checksum == checksum and quiz.retired_at is None:
            quiz.source_path = definition.source_path
            report.unchanged.append(definition.slug)
            return
        report.changed.append(definition.slug)
    quiz.source_path, quiz.retired_at = definition.source_path, None
    store_version(quiz, definition, now=now)


def store_version(quiz: Quiz, definition: QuizDefinition, *, now: datetime) -> QuizVersion | None:
    """The quiz's content from ``definition``: a new immutable version when it differs from the current one (the
    new version is None when nothing changed). Attempts keep the version and paper they started on. No commit."""
    quiz.kind, quiz.title, quiz.period = definition.kind, definition.title, definition.period
    checksum = definition.checksum()
    current = quiz.current_version
    if current is None or current.checksum != checksum:
        number = (db.session.scalar(select(db.func.max(QuizVersion.number)).where(QuizVersion.quiz_id == quiz.id))
                  or 0) + 1
        version = QuizVersion(
            quiz_id=quiz.id, number=number, checksum=checksum, definition=definition.to_json(),
            opens_at=definition.opens_at, closes_at=definition.closes_at,
            time_limit_seconds=definition.time_limit_seconds, pass_score=definition.pass_score,
            max_score=definition.max_score, attempts_allowed=definition.attempts_allowed,
            review_policy=definition.review_policy, issues_certificate=definition.issues_certificate,
            created_at=now,
        )
        db.session.add(version)
        db.session.flush()
        quiz.current_version_id = version.id
        quiz.current_version = version
        return version
    return None


# --- banks -----------------------------------------------------------------------------------------------------------

@dataclass
class StoreCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def store_bank_questions(bank: QuestionBank, specs: list[QuestionSpec], *, now: datetime, origin: str = FROM_FILE,
                         by: User | None = None) -> StoreCounts:
    """Insert new questions, update changed ones (by key), keep the rest; each new content is the question's next
    revision. Papers already drawn are unaffected."""
    existing = {q.key: q for q in bank.questions}
    counts = StoreCounts()
    for spec in specs:
        checksum = spec_checksum(spec)
        row = existing.get(spec.key)
        if row is None:
            row = BankQuestion(bank=bank, key=spec.key, created_at=now)
            db.session.add(row)
            existing[spec.key] = row
            counts.added += 1
        elif row.checksum == checksum and row.retired_at is None:
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
        row.retired_at = None
        if row.checksum != checksum:
            add_revision(row, spec, origin=origin, by=by, now=now)
        row.updated_at = now
    return counts


def bank_questions(slugs: set[str]) -> dict[str, list[QuestionSpec]]:
    """The live questions of the named banks, for drawing papers."""
    if not slugs:
        return {}
    rows = db.session.execute(
        select(QuestionBank.slug, BankQuestion.spec)
        .join(BankQuestion, BankQuestion.bank_id == QuestionBank.id)
        .where(QuestionBank.slug.in_(slugs), BankQuestion.retired_at.is_(None))
        .order_by(BankQuestion.key)
    )
    found: dict[str, list[QuestionSpec]] = {slug: [] for slug in slugs}
    for slug, spec in rows:
        found[slug].append(spec_from_json(spec))
    return found


def list_banks() -> list[tuple[QuestionBank, int]]:
    rows = db.session.execute(
        select(QuestionBank, db.func.count(BankQuestion.id))
        .outerjoin(BankQuestion, (BankQuestion.bank_id == QuestionBank.id) & BankQuestion.retired_at.is_(None))
        .group_by(QuestionBank.id)
        .order_by(QuestionBank.slug)
    )
    return [(bank, count) for bank, count in rows]


def get_bank(slug: str) -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == slug))
    if bank is None:
        raise NotFound("题库不存在")
    return bank


# --- quizzes ---------------------------------------------------------------------------------------------------------

def get_quiz(slug: str, *, drafts: bool = False, any_state: bool = False) -> Quiz:
    """A quiz with content; a draft only when ``drafts`` (trainers' pages and previews): to others it does not exist.
    Retired quizzes are found either way. ``any_state``: whatever quiz has the slug, drafts and quizzes without
    content too (the trainers' analysis and regrade pages: a quiz's attempts stay analysable)."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None or (not any_state and (quiz.current_version is None or (quiz.status == DRAFT and not drafts))):
        raise NotFound("考试不存在")
    return quiz


def version_definition(version: QuizVersion) -> QuizDefinition:
    return definition_from_json(version.definition)


def live_quizzes() -> list[Quiz]:
    return list(db.session.scalars(
        select(Quiz).where(Quiz.retired_at.is_(None), Quiz.current_version_id.is_not(None), Quiz.status != DRAFT)
        .order_by(Quiz.kind, Quiz.period.desc(), Quiz.slug)
    ))
