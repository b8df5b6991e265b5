"""Reminders the system sends by itself (``flask reminders run``): the monthly test window opening, closing soon,
and the make-up test; idempotent, as every reminder's event key is unique per person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.announcements import rules
from lms.announcements.delivery import deliver, path_for, queue_for_robots, robots_for_units
from lms.attempts.models import EXEMPT, Accommodation, Attempt
from lms.core.clock import utcnow
from lms.extensions import db
from lms.quizzes.models import DRAFT, MONTHLY, Quiz, QuizVersion
from lms.quizzes.rules import MAKEUP_FAILED_OR_ABSENT


@dataclass
class ReminderReport:
    due: int = 0
    created: int = 0
    emails: int = 0
    robot_posts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(self.by_kind.items())) or "none"
        return (f"reminders: {self.created} new of {self.due} due ({kinds}); {self.emails} e-mails and "
                f"{self.robot_posts} group-robot posts queued")


def _monthly_windows() -> tuple[list[rules.QuizWindow], dict[int, int]]:
    """Every live monthly test's current window, and which of them are make-up tests of an earlier one."""
    rows = db.session.execute(
        select(Quiz, QuizVersion).join(QuizVersion, QuizVersion.id == Quiz.current_version_id)
        .where(Quiz.kind == MONTHLY, Quiz.retired_at.is_(None), Quiz.status != DRAFT))
    windows = []
    for quiz, version in rows:
        definition = version.definition or {}

        def when(key: str, definition: dict[str, Any] = definition) -> datetime | None:
            value = definition.get(key)
            return datetime.fromisoformat(value) if value else None

        windows.append(rules.QuizWindow(
            quiz.id, quiz.slug, quiz.title, quiz.period, version.opens_at, version.closes_at,
            when("makeup_opens_at"), when("makeup_closes_at"),
            makeup_audience=definition.get("makeup_audience") or MAKEUP_FAILED_OR_ABSENT,
            makeup_people=tuple(definition.get("makeup_people") or ())))
    makeups = rules.makeup_quizzes(windows)
    return [replace(w, is_makeup_quiz=w.quiz_id in makeups) for w in windows], makeups


def _standings(window: rules.QuizWindow, earlier_quiz_id: int | None, people: Sequence[User]) -> list[rules.Standing]:
    ids = [p.id for p in people]
    sat: set[int] = set()
    passed: set[int] = set()
    for user_id, was_passed in db.session.execute(
            select(Attempt.user_id, Attempt.passed).where(Attempt.quiz_id == window.quiz_id,
                                                          Attempt.official.is_(True), Attempt.makeup.is_(False))):
        sat.add(user_id)
        if was_passed:
            passed.add(user_id)
    exempt = set(db.session.scalars(select(Accommodation.user_id).where(
        Accommodation.quiz_id == window.quiz_id, Accommodation.kind == EXEMPT)))
    failed_earlier: set[int] = set()
    if earlier_quiz_id is not None:
        passed_earlier = set(db.session.scalars(select(Attempt.user_id).where(
            Attempt.quiz_id == earlier_quiz_id, Attempt.official.is_(True), Attempt.passed.is_(True))))
        failed_earlier = set(ids) - passed_earlier
    chosen = {p.id for p in people if p.employee_no in window.makeup_people}
    return [rules.Standing(uid, uid in sat, uid in passed, uid in exempt, uid in failed_earlier, uid in chosen)
            for uid in ids]


def _quiz_link(slug: str) -> str:
    return path_for("quizzes.detail", slug=slug)


def run_reminders(*, now: datetime | None = None, dry_run: bool = False,
                  settings: Mapping[str, Any] | None = None) -> ReminderReport:
    """Generate every reminder due at ``now`` and deliver the new ones. Idempotent: event keys are unique per
    person, so running it again the same day (or twice at once) creates nothing new."""
    now = now or utcnow()
    config = settings if settings is not None else current_app.config
    reminder_settings = rules.ReminderSettings.from_settings(config)
    report = ReminderReport()
    windows, makeups = _monthly_windows()
    managers = list(db.session.scalars(select(User).where(User.role == account_rules.MANAGER,
                                                          User.active.is_(True)).order_by(User.id)))
    for window in windows:
        if not _may_be_due(window, now):
            continue
        standings = _standings(window, makeups.get(window.quiz_id), managers)
        due = rules.quiz_reminders(now, window, standings, reminder_settings, link=_quiz_link(window.slug))
        report.due += len(due)
        if dry_run or not due:
            for reminder in due:
                report.by_kind[reminder.kind] = report.by_kind.get(reminder.kind, 0) + 1
            continue
        for kind in {r.kind for r in due}:
            batch = [r for r in due if r.kind == kind]
            count = deliver(db.session, batch, now=now)
            report.created += count.inbox
            report.emails += count.outbox
            if count.inbox:
                report.by_kind[kind] = report.by_kind.get(kind, 0) + count.inbox
            first = batch[0]
            if first.broadcast:
                report.robot_posts += queue_for_robots(
                    db.session, robots_for_units(db.session, county_id=None, grid_id=None),
                    event_key=first.event_key, kind=kind, subject=first.title, body=first.body, link=first.link,
                    now=now)
        db.session.commit()
    if dry_run:
        db.session.rollback()
    return report


def _may_be_due(window: rules.QuizWindow, now: datetime) -> bool:
    ends = [t for t in (window.closes_at, window.makeup_closes_at) if t is not None]
    starts = [t for t in (window.opens_at, window.makeup_opens_at) if t is not None]
    return bool(ends) and now < max(ends) and (not starts or now >= min(starts))
