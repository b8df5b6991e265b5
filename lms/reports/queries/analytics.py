"""The trainer's analytics: every quiz's attempts and pass rate, and one quiz's item analysis."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from lms.accounts.access import user_scope_clause
from lms.accounts.models import User
from lms.attempts.key_corrections import QuestionInfo, question_info, source_indexes
from lms.attempts.models import IN_PROGRESS as ATTEMPT_IN_PROGRESS
from lms.attempts.models import Attempt, AttemptAnswer
from lms.extensions import db
from lms.quizzes.models import KIND_LABELS as QUIZ_KIND_LABELS
from lms.quizzes.models import Quiz
from lms.quizzes.queries import lesson_titles
from lms.reports import rules


@dataclass(frozen=True)
class QuizRow:
    id: int
    slug: str
    title: str
    kind: str
    period: str | None
    attempts: int
    passed: int
    average: float | None

    @property
    def pass_rate(self) -> float | None:
        return rules.pass_rate(self.passed, self.attempts)

    @property
    def kind_label(self) -> str:
        return QUIZ_KIND_LABELS.get(self.kind, self.kind)


def quiz_overview(viewer: User) -> list[QuizRow]:
    finished = and_(Attempt.status != ATTEMPT_IN_PROGRESS, Attempt.score.is_not(None))
    people = select(User.id).where(user_scope_clause(viewer))
    stats = (select(Attempt.quiz_id, func.count().label("attempts"),
                    func.sum(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
                    func.avg(Attempt.score).label("average"))
             .where(finished, Attempt.is_preview.is_(False), Attempt.user_id.in_(people))
             .group_by(Attempt.quiz_id).subquery())
    rows = db.session.execute(
        select(Quiz.id, Quiz.slug, Quiz.title, Quiz.kind, Quiz.period, stats.c.attempts, stats.c.passed,
               stats.c.average)
        .outerjoin(stats, stats.c.quiz_id == Quiz.id)
        .order_by(Quiz.period.desc().nulls_last(), Quiz.slug))
    return [QuizRow(r.id, r.slug, r.title, r.kind, r.period, int(r.attempts or 0), int(r.passed or 0),
                    round(float(r.average), 1) if r.average is not None else None) for r in rows]


@dataclass(frozen=True)
class QuestionAnalysis:
    info: QuestionInfo
    stats: rules.ItemStats
    lesson_title: str | None


@dataclass
class QuizAnalysis:
    quiz: Quiz
    attempts: int
    average: float | None
    passed: int
    questions: list[QuestionAnalysis]

    @property
    def pass_rate(self) -> float | None:
        return rules.pass_rate(self.passed, self.attempts)

    def most_missed(self, count: int = 10) -> list[QuestionAnalysis]:
        known = [q for q in self.questions if q.stats.facility is not None]
        return sorted(known, key=lambda q: (q.stats.facility or 0.0, q.info.position))[:count]


def quiz_analysis(quiz: Quiz, viewer: User) -> QuizAnalysis:
    """Item analysis over the quiz's finished attempts by people the viewer may see."""
    finished = (select(Attempt.id, Attempt.score, Attempt.passed, Attempt.paper, Attempt.results)
                .join(User, User.id == Attempt.user_id)
                .where(Attempt.quiz_id == quiz.id, Attempt.status != ATTEMPT_IN_PROGRESS,
                       Attempt.score.is_not(None), Attempt.is_preview.is_(False), user_scope_clause(viewer))
                .order_by(Attempt.id))
    attempts = list(db.session.execute(finished))
    answers: dict[tuple[int, str], tuple[list[str] | None, str | None]] = {}
    if attempts:
        ids = finished.with_only_columns(Attempt.id).order_by(None)
        for attempt_id, question_id, choices, text in db.session.execute(
                select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.choices,
                       AttemptAnswer.text).where(AttemptAnswer.attempt_id.in_(ids))):
            answers[(attempt_id, question_id)] = (choices, text)
    infos: dict[str, QuestionInfo] = {}
    responses: dict[str, list[rules.ItemResponse]] = defaultdict(list)
    for attempt in attempts:
        results = attempt.results or {}
        for question in (attempt.paper or {}).get("questions", []):
            qid = question["id"]
            if qid not in infos:
                infos[qid] = question_info(question, len(infos))
            outcome = results.get(qid)
            if outcome is None:
                continue
            choices, text = answers.get((attempt.id, qid), (None, None))
            responses[qid].append(rules.ItemResponse(float(attempt.score or 0), rules.points_share(outcome),
                                                     source_indexes(question, choices), text))
    lessons = lesson_titles({i.lesson for i in infos.values() if i.lesson})
    questions = [QuestionAnalysis(info, rules.analyse_item(qid, responses[qid], len(info.options)),
                                  lessons.get(info.lesson or ""))
                 for qid, info in sorted(infos.items(), key=lambda item: item[1].position)]
    scores = [float(a.score) for a in attempts]
    return QuizAnalysis(quiz, len(attempts), round(sum(scores) / len(scores), 1) if scores else None,
                        sum(1 for a in attempts if a.passed), questions)
