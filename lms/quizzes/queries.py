"""Reads of the question banks for the trainers' pages and the test builder: questions found by filters, with
how often papers held them and how well people answered them (the facility of the reports' item analysis); the
builder's questions to pick and draw from, its quiz list and a quiz's versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from lms.accounts.models import User
from lms.accounts.rules import MANAGER
from lms.attempts.models import EXEMPT, VOID, Accommodation, Attempt, BankQuestionUse
from lms.core.errors import NotFound
from lms.core.paging import ListPage, page_of
from lms.courses.models import Lesson
from lms.extensions import db
from lms.quizzes import builder, services
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.models import BankQuestion, QuestionBank, Quiz, QuizVersion
from lms.quizzes.specs import QuestionSpec

# "Weak in item analysis": people earned less than half of its points on average, over at least this many answers
# (fewer answers say too little to call a question weak).
WEAK_FACILITY = 0.5
WEAK_MIN_ANSWERS = 5
NEVER_USED, WEAK = "unused", "weak"
PER_PAGE = 20


@dataclass
class Usage:
    """How a bank question has been used: papers that held it (previews never count), graded answers, and the sum
    of the shares of its points those answers earned (the facility is their mean)."""

    papers: int = 0
    answers: int = 0
    share_sum: float = 0.0

    @property
    def facility(self) -> float | None:
        return self.share_sum / self.answers if self.answers else None

    @property
    def is_weak(self) -> bool:
        return self.answers >= WEAK_MIN_ANSWERS and (self.facility or 0.0) < WEAK_FACILITY


@dataclass(frozen=True)
class QuestionRow:
    question: BankQuestion
    spec: QuestionSpec
    usage: Usage
    lesson_title: str | None

    @property
    def tags(self) -> list[str]:
        return shown_tags(self.question.tags or [])


def shown_tags(tags: list[str]) -> list[str]:
    """A question's tags as people read them: a file's ``category: 终端`` is the tag 终端, listed once."""
    return list(dict.fromkeys(t.removeprefix("category:") for t in tags))


def bank_usage(bank_slugs: set[str] | None = None, *, key: str | None = None) -> dict[tuple[str, str], Usage]:
    """(bank slug, question key) → its usage, from the papers' recorded bank questions (lms.attempts.usage): one
    GROUP BY over a covering index, not a pass over every paper; of one question when ``key`` is given."""
    query = select(BankQuestionUse.bank, BankQuestionUse.key, func.count(BankQuestionUse.id),
                   func.count(BankQuestionUse.share), func.coalesce(func.sum(BankQuestionUse.share), 0.0)).group_by(
        BankQuestionUse.bank, BankQuestionUse.key)
    if bank_slugs is not None:
        query = query.where(BankQuestionUse.bank.in_(sorted(bank_slugs)))
    if key is not None:
        query = query.where(BankQuestionUse.key == key)
    return {(bank, key): Usage(papers, answers, float(total))
            for bank, key, papers, answers, total in db.session.execute(query)}


def bank_questions(*, bank: str | None = None, text: str = "", type: str | None = None,
                   tag: str | None = None, difficulty: int | None = None, lesson: str | None = None,
                   usage: str | None = None, retired: bool = False, with_usage: bool = True) -> list[QuestionRow]:
    """Bank questions matching every filter given, by bank then key.

    ``bank``: a bank's slug (all banks when None); ``text``: found in the name, stem, options or key (case-folded);
    ``type``: a ``TYPES`` name; ``tag``: one of its tags; ``difficulty``: 1..5; ``lesson``: the teaching lesson's
    slug; ``usage``: ``"unused"`` (no paper ever held it) or ``"weak"`` (facility below ``WEAK_FACILITY`` over at
    least ``WEAK_MIN_ANSWERS`` answers); ``retired``: False for the questions still drawn, True for the retired ones.
    ``with_usage=False`` skips reading the papers (each row's usage is then empty) unless ``usage`` asks for it.
    """
    stmt = (select(BankQuestion).join(QuestionBank, QuestionBank.id == BankQuestion.bank_id)
            .where(BankQuestion.retired_at.is_not(None) if retired else BankQuestion.retired_at.is_(None))
            .order_by(QuestionBank.slug, BankQuestion.id))
    if bank:
        stmt = stmt.where(QuestionBank.slug == bank)
    if type:
        stmt = stmt.where(BankQuestion.type == type)
    if difficulty:
        stmt = stmt.where(BankQuestion.difficulty == difficulty)
    if lesson:
        stmt = stmt.where(BankQuestion.lesson == lesson)
    rows = list(db.session.scalars(stmt))
    if tag:  # tags are a JSON list: matched here, the same way on SQLite and PostgreSQL
        rows = [r for r in rows if tag in shown_tags(r.tags or [])]
    needle = text.strip().casefold()
    specs = {r.id: spec_from_json(r.spec) for r in rows}
    if needle:
        rows = [r for r in rows if needle in _haystack(r, specs[r.id])]
    used = bank_usage({r.bank.slug for r in rows}) if (with_usage or usage) and rows else {}
    if usage == NEVER_USED:
        rows = [r for r in rows if (r.bank.slug, r.key) not in used]
    elif usage == WEAK:
        rows = [r for r in rows if (r.bank.slug, r.key) in used and used[(r.bank.slug, r.key)].is_weak]
    titles = lesson_titles({r.lesson for r in rows if r.lesson})
    return [QuestionRow(r, specs[r.id], used.get((r.bank.slug, r.key), Usage()),
                        titles.get(r.lesson) if r.lesson else None) for r in rows]


def _haystack(row: BankQuestion, spec: QuestionSpec) -> str:
    return "\n".join([row.key, row.name or "", spec.stem, *spec.options, *spec.accepted]).casefold()


def get_question(question_id: int) -> BankQuestion | None:
    return db.session.get(BankQuestion, question_id)


def question_row(question_id: int) -> QuestionRow | None:
    """One bank question (live or retired) with its usage and lesson title."""
    row = db.session.get(BankQuestion, question_id)
    if row is None:
        return None
    used = bank_usage({row.bank.slug}, key=row.key).get((row.bank.slug, row.key), Usage())
    titles = lesson_titles({row.lesson} if row.lesson else set())
    return QuestionRow(row, spec_from_json(row.spec), used, titles.get(row.lesson or ""))


def lesson_titles(slugs: set[str]) -> dict[str, str]:
    if not slugs:
        return {}
    return dict(db.session.execute(select(Lesson.slug, Lesson.title).where(Lesson.slug.in_(slugs))).all())


def lesson_choices() -> list[tuple[str, str]]:
    """(slug, title) of every lesson not retired, by title: what a question's lesson is picked from."""
    return [(slug, title) for slug, title in db.session.execute(
        select(Lesson.slug, Lesson.title).where(Lesson.retired_at.is_(None)).order_by(Lesson.title, Lesson.slug))]


def bank_tags(bank: str | None = None) -> list[str]:
    """The tags the live questions use (of one bank, or all), as people read them, sorted."""
    stmt = select(BankQuestion.tags).where(BankQuestion.retired_at.is_(None))
    if bank:
        stmt = stmt.join(QuestionBank, QuestionBank.id == BankQuestion.bank_id).where(QuestionBank.slug == bank)
    found = {t for tags in db.session.scalars(stmt) for t in shown_tags(tags or [])}
    return sorted(found)


def paginate(rows: list[QuestionRow], page: int, per_page: int = PER_PAGE) -> ListPage[QuestionRow]:
    return page_of(rows, page, per_page)


# --- the test builder ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PickableQuestion:
    bank: str
    bank_title: str
    spec: QuestionSpec

    @property
    def ref(self) -> str:
        return builder.question_ref(self.bank, self.spec.key)


def pickable_questions() -> list[PickableQuestion]:
    """Every live question of every bank, by bank and key (a fixed question is picked from these).
    A minimal query of the builder's own; bank_questions above (the bank pages, with usage) may replace it."""
    rows = db.session.execute(
        select(QuestionBank.slug, QuestionBank.title, BankQuestion.spec)
        .join(BankQuestion, BankQuestion.bank_id == QuestionBank.id)
        .where(BankQuestion.retired_at.is_(None)).order_by(QuestionBank.slug, BankQuestion.key))
    return [PickableQuestion(slug, title, spec_from_json(spec)) for slug, title, spec in rows]


def bank_titles() -> dict[str, str]:
    return {row.slug: row.title for row in db.session.execute(select(QuestionBank.slug, QuestionBank.title))}


def browser_banks() -> dict[str, str]:
    """The banks made in the browser (their questions are edited there), slug → title."""
    return {row.slug: row.title for row in db.session.execute(
        select(QuestionBank.slug, QuestionBank.title).where(QuestionBank.source_path.is_(None))
        .order_by(QuestionBank.slug))}


def draw_pools(data: dict[str, Any]) -> dict[str, list[QuestionSpec]]:
    """The live questions of the banks the builder data draws from (unknown banks are left out)."""
    wanted = {str(d.get("bank")) for s in data.get("sections") or [] for d in s.get("draw") or [] if d.get("bank")}
    known = set(db.session.scalars(select(QuestionBank.slug).where(QuestionBank.slug.in_(wanted)))) if wanted else set()
    return services.bank_questions(known)  # by slug, for drawing; bank_questions above is the bank pages'


def builder_summary(data: dict[str, Any]) -> builder.Summary:
    picked = {q.ref: q.spec for q in pickable_questions()}
    return builder.summarize(builder.builder_sections(data, picked), draw_pools(data), bank_titles())


def quizzes_for_builder() -> list[tuple[Quiz, int]]:
    """Every quiz with content, drafts and retired ones too, with its number of versions; newest period first."""
    counts = (select(QuizVersion.quiz_id, func.count(QuizVersion.id).label("versions"))
              .group_by(QuizVersion.quiz_id).subquery())
    rows = db.session.execute(
        select(Quiz, counts.c.versions).join(counts, counts.c.quiz_id == Quiz.id)
        .order_by(Quiz.retired_at.is_not(None), Quiz.period.desc().nulls_last(), Quiz.kind, Quiz.slug))
    return [(quiz, int(versions)) for quiz, versions in rows]


@dataclass(frozen=True)
class VersionRow:
    version: QuizVersion
    attempts: int
    previews: int


def versions(quiz: Quiz) -> list[VersionRow]:
    """The quiz's versions, newest first, with how many attempts (and previews) each was taken in."""
    counts = {vid: (int(real or 0), int(preview or 0)) for vid, real, preview in db.session.execute(
        select(Attempt.quiz_version_id,
               func.sum(case((Attempt.is_preview.is_(False), 1), else_=0)),
               func.sum(case((Attempt.is_preview.is_(True), 1), else_=0)))
        .where(Attempt.quiz_id == quiz.id).group_by(Attempt.quiz_version_id))}
    found = db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                               .order_by(QuizVersion.number.desc()))
    return [VersionRow(v, *counts.get(v.id, (0, 0))) for v in found]


def builder_quiz(slug: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None or quiz.current_version is None:
        raise NotFound("考试不存在")
    return quiz


# --- the make-up window ----------------------------------------------------------------------------------------------

def unknown_managers(employee_nos: tuple[str, ...] | list[str]) -> list[str]:
    """The employee numbers that are not active channel managers (a make-up list must name managers)."""
    if not employee_nos:
        return []
    found = set(db.session.scalars(select(User.employee_no).where(
        User.employee_no.in_(list(employee_nos)), User.role == MANAGER, User.active.is_(True))))
    return [e for e in employee_nos if e not in found]


@dataclass(frozen=True)
class MakeupPerson:
    employee_no: str
    name: str
    unit: str


@dataclass(frozen=True)
class MakeupStanding:
    """Who a make-up window could be for, from the regular window's official attempts, and how it went."""

    failed_people: tuple[MakeupPerson, ...]  # sat the regular window and never passed
    absent_people: tuple[MakeupPerson, ...]  # active managers with no regular attempt and no exemption
    makeup_taken: int
    makeup_passed: int

    @property
    def failed(self) -> int:
        return len(self.failed_people)

    @property
    def absent(self) -> int:
        return len(self.absent_people)


def makeup_standing(quiz: Quiz) -> MakeupStanding:
    regular = select(Attempt.user_id, func.max(case((Attempt.passed.is_(True), 1), else_=0))).where(
        Attempt.quiz_id == quiz.id, Attempt.official.is_(True), Attempt.is_preview.is_(False),
        Attempt.makeup.is_(False)).group_by(Attempt.user_id)
    passed_by_user = dict(db.session.execute(regular).all())
    exempt = set(db.session.scalars(select(Accommodation.user_id).where(
        Accommodation.quiz_id == quiz.id, Accommodation.kind.in_((EXEMPT, VOID)))))
    managers = {u.id: u for u in db.session.scalars(select(User).where(User.role == MANAGER, User.active.is_(True))
                                                       .order_by(User.employee_no))}
    makeups = db.session.execute(select(Attempt.user_id, Attempt.passed).where(
        Attempt.quiz_id == quiz.id, Attempt.makeup.is_(True), Attempt.is_preview.is_(False))).all()
    failed = {uid for uid, passed in passed_by_user.items() if not passed and uid not in exempt}
    absent = set(managers) - set(passed_by_user) - exempt
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(failed)))} | managers

    def listed(ids: set[int]) -> tuple[MakeupPerson, ...]:
        found = sorted((people[i] for i in ids if i in people), key=lambda u: u.employee_no)
        return tuple(MakeupPerson(u.employee_no, u.name, u.grid.name if u.grid else (u.county.name if u.county else ""))
                     for u in found)

    return MakeupStanding(listed(failed), listed(absent), makeup_taken=len({uid for uid, _passed in makeups}),
                          makeup_passed=len({uid for uid, passed in makeups if passed}))
