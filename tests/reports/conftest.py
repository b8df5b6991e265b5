"""Factories for report tests: attempts on real papers (shuffled options, graded by the attempts' own rules, with
saved answers and events), closes through the assessment service, and a small world of two counties. The monthly
tests and the managers come from tests/support (quizzes.py, people.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lms.attempts.models import Accommodation, Attempt, AttemptAnswer, AttemptEvent
from lms.attempts.rules import grade_paper
from lms.core.clock import period_of, utcnow
from lms.extensions import db
from lms.org.models import Unit
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.question_types import Answer
from lms.reports import rules
from tests.support.quizzes import add_quiz, after_close, window

LETTERS = "ABCD"
# Five questions of 20 points: all right = 100, one wrong = 80 (passes), two wrong = 60.
QUESTIONS = [
    {"id": "q1", "type": "single", "stem": "终端补贴政策的有效期是？",
     "options": ["当月有效", "次月有效", "长期有效", "以通知为准"], "correct": [0], "lesson": "policy-terminal"},
    {"id": "q2", "type": "single", "stem": "宽带酬金何时计提？", "options": ["开通当月", "开通次月", "年底", "不计提"],
     "correct": [1], "lesson": "remuneration"},
    {"id": "q3", "type": "multiple", "stem": "哪些属于终端渠道？", "options": ["专营店", "便利店", "手机卖场", "网吧"],
     "correct": [0, 2], "lesson": "policy-terminal"},
    {"id": "q4", "type": "truefalse", "stem": "房补按月发放。", "truth": True, "lesson": "remuneration"},
    {"id": "q5", "type": "fill", "stem": "连续两月不及格罚款多少元？", "accepted": ["200"], "lesson": None},
]
RIGHT: dict[str, Any] = {"q1": (0,), "q2": (1,), "q3": (0, 2), "q4": (0,), "q5": "200"}
WRONG: dict[str, Any] = {"q1": (3,), "q2": (0,), "q3": (0,), "q4": (1,), "q5": "100"}


def picks_for(wrong: int) -> dict[str, Any]:
    """Answers with the first ``wrong`` questions wrong: 0 → 100, 1 → 80, 2 → 60 …"""
    return {q["id"]: (WRONG if index < wrong else RIGHT)[q["id"]] for index, q in enumerate(QUESTIONS)}


def make_paper(order: list[int] | None = None) -> dict[str, Any]:
    """The paper as lms.attempts.rules.draw_paper writes it; ``order`` shuffles the options (display position →
    source index), the same for every choice question."""
    questions = []
    for spec in QUESTIONS:
        question = {"id": spec["id"], "key": spec["id"], "bank": None, "section": "", "type": spec["type"],
                    "stem": spec["stem"], "points": 20.0, "explanation": "", "lesson": spec["lesson"], "tags": [],
                    "options": [], "correct": [], "weights": None, "accepted": list(spec.get("accepted", []))}
        if spec["type"] == "truefalse":
            question["options"] = [{"id": "T", "text": "正确"}, {"id": "F", "text": "错误"}]
            question["correct"] = ["T" if spec["truth"] else "F"]
        elif spec["type"] in ("single", "multiple"):
            positions = order or list(range(len(spec["options"])))
            ids = {source: LETTERS[position] for position, source in enumerate(positions)}
            question["options"] = [{"id": ids[i], "text": spec["options"][i], "source_index": i} for i in positions]
            question["correct"] = sorted(ids[i] for i in spec["correct"])
        questions.append(question)
    return {"seed": 1, "partial_credit": False, "questions": questions}


def answer_of(question: dict[str, Any], pick: Any) -> Answer:
    if question["type"] == "fill":
        return Answer(text=pick)
    if question["type"] == "truefalse":
        return Answer(choices=tuple("T" if i == 0 else "F" for i in pick))
    by_source = {o["source_index"]: o["id"] for o in question["options"]}
    return Answer(choices=tuple(sorted(by_source[i] for i in pick)))


@pytest.fixture
def sit(app: Any) -> Callable[..., Attempt]:
    """``sit(person, quiz, picks_for(1), order=[3, 2, 1, 0], tab_switches=2)`` → a graded attempt with its saved
    answers and events; ``finished=False`` leaves it in progress."""

    def make(person: Any, quiz: Quiz, picks: dict[str, Any], *, order: list[int] | None = None,
             finished: bool = True, tab_switches: int = 0, started: datetime | None = None) -> Attempt:
        paper = make_paper(order)
        answers = {q["id"]: answer_of(q, picks[q["id"]]) for q in paper["questions"] if q["id"] in picks}
        result = grade_paper(paper, answers, pass_score=80.0)
        start = started or window(quiz.period or "2026-01")[0] + timedelta(hours=10)
        attempt = Attempt(user_id=person.id, quiz_id=quiz.id, quiz_version_id=quiz.current_version_id, number=1,
                          official=True, status="submitted" if finished else "in_progress", started_at=start,
                          deadline_at=start + timedelta(minutes=30), paper=paper,
                          in_progress_key=None if finished else f"{person.id}:{quiz.id}")
        if finished:
            attempt.finished_at, attempt.finish_reason = start + timedelta(minutes=20), "submit"
            attempt.score, attempt.raw_points, attempt.passed = result.score, result.raw_points, result.passed
            attempt.results = {qid: {"earned": g.points, "points": g.max_points, "correct": g.correct}
                               for qid, g in result.per_question.items()}
        db.session.add(attempt)
        db.session.flush()
        events = [AttemptEvent(attempt_id=attempt.id, kind="started", at=start)]
        for offset, (qid, answer) in enumerate(answers.items(), 1):
            db.session.add(AttemptAnswer(attempt_id=attempt.id, question_id=qid, choices=list(answer.choices),
                                         text=answer.text, saved_at=start + timedelta(minutes=offset)))
            events.append(AttemptEvent(attempt_id=attempt.id, kind="answer_saved", at=start + timedelta(minutes=offset),
                                       detail={"question": qid, "seq": offset}))
        events += [AttemptEvent(attempt_id=attempt.id, kind="tab_hidden", at=start + timedelta(minutes=10 + i))
                   for i in range(tab_switches)]
        if finished:
            events.append(AttemptEvent(attempt_id=attempt.id, kind="submitted", at=attempt.finished_at))
        db.session.add_all(events)
        db.session.commit()
        return attempt

    return make


@pytest.fixture
def close(app: Any) -> Callable[[str], Any]:
    from lms.assessment import services

    def run(period: str) -> Any:
        return services.close_month(period, now=after_close(period))

    return run


def periods_now() -> tuple[list[str], str]:
    """Three closed periods before this month, and this month."""
    current = period_of(utcnow())
    return rules.months_back(current, 4)[:3], current


@pytest.fixture
def world(managers, monthly_quiz, sit, close, make_user):
    """Two counties. Over the three closed periods P1..P3 (oldest first):

    - town[0]: F F F (failed twice in a row at P3, penalty due); country[0] the same in the other county
    - town[1]: P P F (at risk now)
    - town[2]: F E F (exempt at P2: the run goes on, penalty due at P3)
    - town[3]: F – F (inactive when P2 closed: no outcome, skipped; penalty due at P3)
    - west[0] (城区/西城网格): F P F (at risk, the pass broke the run)
    - everyone else passes.
    This month: town[3] passed, town[0] is taking the test, the rest have not started.
    """
    (p1, p2, p3), current = periods_now()
    town = managers(4, county="城区", grid="东城网格")
    west = managers(1, county="城区", grid="西城网格")
    country = managers(3, county="郊县", grid="南山网格")
    trainer = make_user("trainer")
    fails = {p1: {town[0], town[2], town[3], west[0], country[0]}, p2: {town[0], country[0]},
             p3: {town[0], town[1], town[2], town[3], west[0], country[0]}}
    quizzes = {}
    for period in (p1, p2, p3):
        quiz = monthly_quiz(period)
        quizzes[period] = quiz
        if period == p2:
            db.session.add(Accommodation(user_id=town[2].id, quiz_id=quiz.id, kind="exempt", reason="病假",
                                         created_by_id=trainer.id))
            town[3].active = False
            db.session.commit()
        for index, person in enumerate(town + west + country):
            if period == p2 and person in (town[2], town[3]):
                continue
            sit(person, quiz, picks_for(2 if person in fails[period] else index % 2),
                order=[3, 2, 1, 0] if index % 2 else None, tab_switches=1 if person is town[0] else 0)
        close(period)
        if period == p2:
            town[3].active = True
            db.session.commit()
    now = utcnow()
    quiz = monthly_quiz(current, opens=now - timedelta(days=1), closes=now + timedelta(days=3))
    sit(town[3], quiz, picks_for(0), started=now - timedelta(hours=2))
    sit(town[0], quiz, {"q1": (0,)}, finished=False, started=now - timedelta(minutes=5))
    return {
        "periods": (p1, p2, p3), "current": current, "quizzes": quizzes, "current_quiz": quiz,
        "town": town, "west": west, "country": country, "trainer": trainer,
        "town_sup": make_user("supervisor", county="城区", grid=None),
        "grid_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "country_sup": make_user("supervisor", county="郊县", grid=None),
        "city_sup": make_user("supervisor", county=None, grid=None),
        "admin": make_user("admin"),
        "town_unit": db.session.scalar(select(Unit).where(Unit.name == "城区")),
    }


# --- 3 December 2026: no December monthly test; November's make-up and the system-ops test are open ----------------

DECEMBER_3 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def local(text: str) -> datetime:
    """An Asia/Shanghai wall-clock time, in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def december_world(managers, monthly_quiz, sit, close, make_user):
    """On 2026-12-03 (pin the clock to ``DECEMBER_3``): September and October are closed; November's monthly test
    (1–8 November) is in its make-up window (1–5 December) and not closed; the system-operation test is open from
    10 November to 10 December. This month has no monthly test.

    城区/东城网格: east[0] sat November and the system-ops test, east[1] sat November only, east[2] sat neither.
    城区/西城网格: west[0] sat the system-ops test only, west[1] sat neither. 郊县/南山网格: far[0] sat neither.
    """
    east = managers(3, county="城区", grid="东城网格")
    west = managers(2, county="城区", grid="西城网格")
    far = managers(1, county="郊县", grid="南山网格")
    for period in ("2026-09", "2026-10"):
        quiz = monthly_quiz(period)
        for person in east + west + far:
            sit(person, quiz, picks_for(0))
        close(period)
    november = monthly_quiz("2026-11")
    version = db.session.get(QuizVersion, november.current_version_id)
    version.definition = {"makeup_opens_at": local("2026-12-01T00:00:00").isoformat(),
                          "makeup_closes_at": local("2026-12-05T23:59:59").isoformat()}
    system_ops = add_quiz(
        Quiz(slug="system-ops-2026-11", kind="system-ops", title="系统操作考试（社会渠道管理系统）"),
        opens_at=local("2026-11-10T00:00:00"), closes_at=local("2026-12-10T23:59:59"), time_limit_seconds=20 * 60,
        checksum="s" * 64, attempts_allowed=1, review_policy="after_close")
    for person in (east[0], east[1]):
        sit(person, november, picks_for(0))
    for person, wrong in ((east[0], 0), (west[0], 2)):
        sit(person, system_ops, picks_for(wrong), started=local("2026-11-20T10:00:00"))
    return {
        "east": east, "west": west, "far": far, "november": november, "system_ops": system_ops,
        "county_sup": make_user("supervisor", county="城区", grid=None),
        "grid_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "trainer": make_user("trainer"), "admin": make_user("admin"),
    }
