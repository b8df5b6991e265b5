"""Read-only queries for the courseware pages: catalogue, search, progress and training sessions.

Anything listing people or their records for a viewer goes through ``lms.accounts.access.scope_clause``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from lms.accounts.access import scope_clause, user_scope_clause
from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.courses import pack_queries, rules
from lms.courses.models import Lesson, LessonProgress, TrainingInvitation, TrainingPack, TrainingSession
from lms.extensions import db


def live_lessons() -> list[Lesson]:
    stmt = (select(Lesson).where(Lesson.published_number.is_not(None), Lesson.retired_at.is_(None))
            .order_by(Lesson.sort_order, Lesson.title))
    return list(db.session.scalars(stmt))


def studied_lesson_ids(user: User) -> set[int]:
    stmt = select(LessonProgress.lesson_id).where(LessonProgress.user_id == user.id,
                                                  LessonProgress.studied_at.is_not(None))
    return set(db.session.scalars(stmt))


def live_periods() -> list[str]:
    stmt = (select(Lesson.period).where(Lesson.period.is_not(None), Lesson.published_number.is_not(None),
                                        Lesson.retired_at.is_(None)).distinct())
    return sorted((p for p in db.session.scalars(stmt) if p), reverse=True)


@dataclass(frozen=True)
class Pack:
    period: str | None
    lessons: list[Lesson]
    progress: rules.Progress
    pack: TrainingPack | None = None


def training_pack(user: User, now: datetime, *, lessons: list[Lesson] | None = None) -> Pack:
    """The published pack of this month (or the latest one), its live lessons in the trainer's order, and the
    person's progress through it. ``lessons``: the live lessons when the caller has them already."""
    chosen = pack_queries.pack_for_now(now)
    if chosen is None:
        return Pack(None, [], rules.Progress(0, 0))
    live = None if lessons is None else {lesson.id for lesson in lessons}
    in_pack = [lesson for lesson in pack_queries.live_pack_lessons(chosen) if live is None or lesson.id in live]
    progress = rules.compute_progress([lesson.id for lesson in in_pack], studied_lesson_ids(user))
    return Pack(chosen.period, in_pack, progress, chosen)


def search_lessons(query: str, *, include_unpublished: bool = False, limit: int = 50) -> list[Lesson]:
    """Every term must appear (title, summary, tags or text). LIKE substring matching handles Chinese."""
    terms = rules.search_terms(query)
    if not terms:
        return []
    stmt = select(Lesson)
    if not include_unpublished:
        stmt = stmt.where(Lesson.published_number.is_not(None), Lesson.retired_at.is_(None))
    for term in terms:
        stmt = stmt.where(Lesson.search_text.like(f"%{rules.escape_like(term)}%", escape="\\"))
    # Title matches first, then the catalogue order.
    title_hit = or_(*(func.lower(Lesson.title).like(f"%{rules.escape_like(t)}%", escape="\\") for t in terms))
    stmt = stmt.order_by(title_hit.desc(), Lesson.sort_order, Lesson.title).limit(limit)
    return list(db.session.scalars(stmt))


def all_lessons_for_authors() -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).order_by(Lesson.retired_at.is_not(None), Lesson.category,
                                                          Lesson.sort_order, Lesson.title)))


def studied_counts(viewer: User) -> dict[int, int]:
    """lesson id → how many people (within the viewer's scope) marked it studied."""
    stmt = (select(LessonProgress.lesson_id, func.count())
            .join(User, User.id == LessonProgress.user_id)
            .where(LessonProgress.studied_at.is_not(None), user_scope_clause(viewer))
            .group_by(LessonProgress.lesson_id))
    return dict(db.session.execute(stmt).all())


@dataclass(frozen=True)
class PersonProgress:
    person: User
    studied: int
    total: int

    @property
    def percent(self) -> int:
        return rules.Progress(self.studied, self.total).percent


def pack_progress_by_person(viewer: User, pack: list[Lesson]) -> list[PersonProgress]:
    """Channel managers the viewer may see, with how many of the pack's lessons each studied (least first)."""
    ids = [lesson.id for lesson in pack]
    people = managers_in_scope(viewer)
    counts: dict[int, int] = defaultdict(int)
    if ids and people:
        stmt = (select(LessonProgress.user_id, func.count()).join(User, User.id == LessonProgress.user_id)
                .where(LessonProgress.lesson_id.in_(ids), LessonProgress.studied_at.is_not(None),
                       user_scope_clause(viewer))
                .group_by(LessonProgress.user_id))
        counts.update(dict(db.session.execute(stmt).all()))
    rows = [PersonProgress(person, counts[person.id], len(ids)) for person in people]
    return sorted(rows, key=lambda r: (r.studied, r.person.employee_no))


def quiz_exists(slug: str | None) -> bool:
    """Whether the practice quiz a lesson names exists; the quiz engine may not be installed."""
    if not slug:
        return False
    table = db.metadata.tables.get("quizzes")
    if table is None or "slug" not in table.c:
        return False
    return db.session.execute(select(table.c.slug).where(table.c.slug == slug).limit(1)).first() is not None


# --- training sessions -------------------------------------------------------------------------------------------


def sessions_for(viewer: User, *, upcoming_from: datetime | None = None) -> list[TrainingSession]:
    """Trainers see every session; a supervisor those that invite people of their unit; a manager their own."""
    stmt = select(TrainingSession)
    if viewer.role in ("trainer", "admin"):
        pass
    else:
        invited = (select(TrainingInvitation.session_id).join(User, User.id == TrainingInvitation.user_id)
                   .where(scope_clause(viewer, user_id_col=User.id, county_col=User.county_id,
                                       grid_col=User.grid_id)))
        stmt = stmt.where(TrainingSession.id.in_(invited))
    if upcoming_from is not None:
        stmt = stmt.where(TrainingSession.starts_at >= upcoming_from, TrainingSession.cancelled_at.is_(None))
        stmt = stmt.order_by(TrainingSession.starts_at)
    else:
        stmt = stmt.order_by(TrainingSession.starts_at.desc())
    return list(db.session.scalars(stmt))


def visible_invitations(session: TrainingSession, viewer: User) -> list[TrainingInvitation]:
    """The invitations of a session the viewer may see (their unit's people; a manager only themselves)."""
    stmt = (select(TrainingInvitation).join(User, User.id == TrainingInvitation.user_id)
            .where(TrainingInvitation.session_id == session.id,
                   scope_clause(viewer, user_id_col=User.id, county_col=User.county_id, grid_col=User.grid_id))
            .order_by(User.county_id, User.grid_id, User.employee_no))
    return list(db.session.scalars(stmt))
