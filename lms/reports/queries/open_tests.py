"""The tests open now (monthly and system-ops, make-up windows included) and how the viewer's managers stand in
each: the home page's panel and the board's section."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from lms.accounts.models import User
from lms.attempts.models import EXEMPT as ACCOMMODATION_EXEMPT
from lms.attempts.models import IN_PROGRESS as ATTEMPT_IN_PROGRESS
from lms.attempts.models import VOID as ACCOMMODATION_VOID
from lms.attempts.models import Accommodation, Attempt
from lms.extensions import db
from lms.quizzes.models import DRAFT, MONTHLY, SYSTEM_OPS, Quiz, QuizVersion
from lms.quizzes.models import KIND_LABELS as QUIZ_KIND_LABELS
from lms.reports import rules
from lms.reports.queries.common import LIST_LIMIT, scoped_managers
from lms.reports.queries.current_period import NotSatRow, not_sat_rows

OFFICIAL_KINDS = (MONTHLY, SYSTEM_OPS)


@dataclass(frozen=True)
class OpenTest:
    """An official test a manager could start now (monthly or system-ops), in its window or its make-up window."""

    quiz_id: int
    slug: str
    title: str
    kind: str
    period: str | None
    opens_at: datetime | None
    closes_at: datetime | None  # of the window open now (the make-up's close during a make-up)
    makeup: bool

    @property
    def kind_label(self) -> str:
        return QUIZ_KIND_LABELS.get(self.kind, self.kind)

    def days_left(self, now: datetime) -> int | None:
        return None if self.closes_at is None else rules.days_left((self.closes_at - now).total_seconds())


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def open_tests(now: datetime) -> list[OpenTest]:
    """Every monthly and system-operation test open now (make-up windows included), the soonest to close first.

    One statement: the live official quizzes with their current version (a handful of rows)."""
    found = []
    for quiz, version in db.session.execute(
            select(Quiz, QuizVersion).join(QuizVersion, QuizVersion.id == Quiz.current_version_id)
            .where(Quiz.kind.in_(OFFICIAL_KINDS), Quiz.retired_at.is_(None), Quiz.status != DRAFT)):
        definition = version.definition or {}
        window = rules.open_window(now, opens_at=version.opens_at, closes_at=version.closes_at,
                                   makeup_opens_at=_moment(definition.get("makeup_opens_at")),
                                   makeup_closes_at=_moment(definition.get("makeup_closes_at")))
        if window is not None:
            found.append(OpenTest(quiz.id, quiz.slug, quiz.title, quiz.kind, quiz.period, version.opens_at,
                                  window.closes_at, window.makeup))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda t: (t.closes_at or far, t.title, t.slug))


@dataclass
class OpenTestProgress:
    """Where the viewer's managers stand in one open test, and who has not sat it yet (the first ``limit``)."""

    test: OpenTest
    counts: dict[str, int]
    not_sat: list[NotSatRow]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_sat_total(self) -> int:
        return self.counts.get(rules.NOT_STARTED, 0)


def _exempt_from(quiz_id_col: Any, user_id_col: Any) -> Any:
    """An exemption (or voided result) of this person on this quiz."""
    return select(Accommodation.id).where(
        Accommodation.quiz_id == quiz_id_col, Accommodation.user_id == user_id_col,
        Accommodation.kind.in_((ACCOMMODATION_EXEMPT, ACCOMMODATION_VOID))).exists()


def open_tests_progress(viewer: User, tests: list[OpenTest], *, now: datetime,
                   limit: int | None = LIST_LIMIT) -> list[OpenTestProgress]:
    """For each open test: the viewer's active managers by state (not started, taking it, passed, failed, exempt),
    and the ones who have not started it, scoped to the viewer's unit.

    A fixed number of statements whatever the number of people: three for all the tests' counts, then one per test
    for its list (a test is only listed while it is open, so there are a few)."""
    if not tests:
        return []
    ids = [t.quiz_id for t in tests]
    managers = db.session.scalar(select(func.count()).select_from(User).where(scoped_managers(viewer))) or 0
    exempt = dict(db.session.execute(
        select(Accommodation.quiz_id, func.count(func.distinct(Accommodation.user_id)))
        .join(User, User.id == Accommodation.user_id)
        .where(Accommodation.quiz_id.in_(ids), Accommodation.kind.in_((ACCOMMODATION_EXEMPT, ACCOMMODATION_VOID)),
               scoped_managers(viewer))
        .group_by(Accommodation.quiz_id)).all())
    finished = Attempt.status != ATTEMPT_IN_PROGRESS
    flags = (select(Attempt.quiz_id.label("quiz_id"), Attempt.user_id.label("user_id"),
                    func.max(case((Attempt.status == ATTEMPT_IN_PROGRESS, 1), else_=0)).label("running"),
                    func.max(case((finished, 1), else_=0)).label("finished"),
                    func.max(case((and_(finished, Attempt.passed.is_(True)), 1), else_=0)).label("passed"))
             .where(Attempt.quiz_id.in_(ids), Attempt.official.is_(True))
             .group_by(Attempt.quiz_id, Attempt.user_id).subquery())
    counts: dict[int, dict[str, int]] = {i: defaultdict(int) for i in ids}
    for quiz_id, running, done, passed, count in db.session.execute(
            select(flags.c.quiz_id, flags.c.running, flags.c.finished, flags.c.passed, func.count())
            .select_from(flags).join(User, User.id == flags.c.user_id)
            .where(scoped_managers(viewer), ~_exempt_from(flags.c.quiz_id, User.id))
            .group_by(flags.c.quiz_id, flags.c.running, flags.c.finished, flags.c.passed)):
        state = rules.current_state(exempt=False, passed=bool(passed), finished=bool(done), running=bool(running))
        counts[quiz_id][state] += count
    found = []
    for test in tests:
        tally = counts[test.quiz_id]
        if exempt.get(test.quiz_id):
            tally[rules.EXEMPTED] = exempt[test.quiz_id]
        tally[rules.NOT_STARTED] = managers - sum(tally.values())
        found.append(OpenTestProgress(test, dict(tally), not_sat_rows(viewer, [test.quiz_id], test.closes_at,
                                                                      now=now, limit=limit)))
    return found
