"""Attempt use cases: start, save an answer, submit, finish at the deadline, events, accommodations.

Concurrency: every write that must not race (saving an answer, submitting, finishing) holds the attempt's lock
while it checks that the attempt is still in progress. On SQLite the lock is the database's write lock, taken
before anything is read (a read first would give a WAL snapshot that cannot be upgraded to a write); on PostgreSQL
it is the attempt's row lock (``FOR UPDATE``). Submitting and finishing take it first in a fresh transaction
(``_lock_attempt``); an autosave's one guarded upsert takes it itself (``_upsert_statement``). Whoever holds the
lock sees the attempt still in progress or gets no row, so a double tap, a retried submit and the deadline sweep
can never grade twice, and no acknowledged answer lands after grading.
"""

from __future__ import annotations

import functools
import logging
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Row, bindparam, case, func, insert, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.attempts import rules
from lms.attempts.models import (
    ACCOMMODATION_KINDS,
    EXEMPT,
    EXPIRED,
    EXTRA_TIME,
    IN_PROGRESS,
    MASTERED_BY_PRACTICE,
    MASTERED_BY_SELF,
    SUBMITTED,
    VOID,
    Accommodation,
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    WrongAnswerProgress,
)
from lms.core import events
from lms.core.clock import to_local
from lms.core.database import core_connection, release_core_connection
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.question_types import Answer, AnswerRejected, QuestionGrade, question_type
from lms.quizzes.rules import window_state

log = logging.getLogger(__name__)

CLIENT_EVENT_KINDS = rules.CLIENT_EVENT_KINDS
START_MESSAGES = {
    "retired": "该考试已下线。",
    "exempt": "您已被免考，无需参加本次考试。",
    "used_up": "您已用完本考试的作答次数。",
    "not_open": "考试尚未开始。",
    "closed": "考试已结束。",
}


def grace_seconds() -> int:
    return int(current_app.config["LMS_GRACE_SECONDS"])


# --- loading ---------------------------------------------------------------------------------------------------------

def own_attempt(user: User, attempt_id: int) -> Attempt:
    """The caller's attempt; someone else's is reported as not found, so ids reveal nothing."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("答卷不存在")
    return attempt


def attempt_for_viewer(viewer: User, attempt_id: int) -> Attempt:
    """An attempt a trainer/supervisor/admin may look at (their scope), or the person's own."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("答卷不存在")
    if attempt.user_id != viewer.id and (viewer.role == "manager" or not can_view_person(viewer, attempt.user)):
        raise NotFound("答卷不存在")
    return attempt


def accommodations_for(user_id: int, quiz_id: int) -> list[Accommodation]:
    return list(db.session.scalars(
        select(Accommodation).where(Accommodation.user_id == user_id, Accommodation.quiz_id == quiz_id)
        .order_by(Accommodation.id)))


def extra_seconds(accommodations: list[Accommodation]) -> int:
    return sum((a.minutes or 0) * 60 for a in accommodations if a.kind == EXTRA_TIME)


def saved_answers(attempt_id: int) -> dict[str, AttemptAnswer]:
    return {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))}


def _as_answer(row: AttemptAnswer) -> Answer:
    return Answer(choices=tuple(row.choices or ()), text=row.text)


def _event(attempt_id: int, kind: str, now: datetime, detail: dict[str, Any] | None = None) -> None:
    db.session.add(AttemptEvent(attempt_id=attempt_id, kind=kind, at=now, detail=detail))


# Statements of the autosave path are built once per process (also _upsert_statement): every answer of every test
# runs them, and building and keying a statement each time cost more than executing it (profiled under load).
# What an autosave reads of the attempt, as a plain row (an ORM object costs more to load than the query).
_ATTEMPT_FOR_SAVING = select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.deadline_at, Attempt.paper).where(
    Attempt.id == bindparam("attempt_id"))


def _lock_attempt(attempt_id: int) -> bool:
    """Begin a write transaction holding ``attempt_id``'s lock; False if the attempt is no longer in progress (the
    caller rolls back). Submitting and finishing take it; an autosave's guarded upsert takes the same lock itself.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock at once, so the attempt read next is the latest
    committed and nothing can write until this transaction ends (the request's earlier work is committed first: a
    transaction that has read cannot take the write lock). PostgreSQL (READ COMMITTED): ``SELECT … FOR UPDATE``, a
    row lock that writes no new row version and re-checks the status once it holds the lock. Both replaced a no-op
    ``UPDATE`` of the attempt, which wrote a new row version (on SQLite the whole row, its 16 KB paper included,
    into the WAL).
    """
    db.session.commit()  # whatever the request did before is not part of the locked transaction
    connection = db.session.connection()
    if isinstance(connection.connection.driver_connection, sqlite3.Connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return connection.execute(_LOCK_IN_PROGRESS, {"attempt_id": attempt_id}).first() is not None


# "This attempt, still in progress": the condition every write checks under the attempt's lock.
_STILL_IN_PROGRESS = (Attempt.__table__.c.id == bindparam("attempt_id"), Attempt.__table__.c.status == IN_PROGRESS)
_LOCK_IN_PROGRESS = select(Attempt.__table__.c.id).where(*_STILL_IN_PROGRESS).with_for_update()


# --- start -----------------------------------------------------------------------------------------------------------

def is_assigned(user: User, quiz: Quiz) -> bool:
    """Official tests are for active channel managers; practice is open to everyone signed in."""
    return quiz.kind == "practice" or (user.role == "manager" and user.active)


def in_progress_attempt(user_id: int, quiz_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.quiz_id == quiz_id, Attempt.status == IN_PROGRESS))


def start_attempt(user: User, slug: str, *, now: datetime,
                  arrival: dict[str, Any] | None = None) -> tuple[Attempt, bool]:
    """Start (or resume) the caller's attempt. Returns the attempt and whether it was created now.

    ``arrival`` is what the page says about coming back to a running attempt ({"kind": "page_reload" |
    "page_return", …detail}); resuming records it as that kind, or as ``resumed`` when the page says nothing."""
    quiz = quizzes.get_quiz(slug)
    if not is_assigned(user, quiz):
        raise Forbidden("本考试只面向渠道经理；您可以参加练习测试。", code="not_assigned")
    existing = in_progress_attempt(user.id, quiz.id)
    if existing is not None:
        if rules.accepts_answers(now, existing.deadline_at, grace_seconds()):
            said = arrival if isinstance(arrival, dict) else {}
            kind = str(said["kind"]) if said.get("kind") in rules.ARRIVAL_KINDS else "resumed"
            _event(existing.id, kind, now, rules.clean_detail({k: v for k, v in said.items() if k != "kind"}))
            db.session.commit()
            return existing, False
        finish_attempt(existing.id, now=now, status=EXPIRED, reason="deadline")
    version: QuizVersion = quiz.current_version  # type: ignore[assignment]
    definition = quizzes.version_definition(version)
    accommodations = accommodations_for(user.id, quiz.id)
    used = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)) or 0
    decision = rules.decide_start(
        now=now, opens_at=version.opens_at, closes_at=version.closes_at,
        makeup_opens_at=definition.makeup_opens_at, makeup_closes_at=definition.makeup_closes_at,
        attempts_used=used, attempts_allowed=version.attempts_allowed,
        exempt=any(a.kind in (EXEMPT, VOID) for a in accommodations), retired=quiz.retired_at is not None)
    if not decision.allowed:
        error = Conflict if decision.status == 409 else Forbidden
        raise error(START_MESSAGES[decision.code], code=decision.code)
    banks = quizzes.bank_questions({r.bank for s in definition.sections for r in s.draws})
    try:
        paper = rules.draw_paper(definition, banks, seed=secrets.randbits(31))
    except rules.PaperShortage as exc:
        log.error("cannot draw a paper for %s: %s", slug, exc)
        raise Conflict("题库题目不足，无法组卷，请联系培训师。", code="bank_shortage") from exc
    hard_close = definition.makeup_closes_at if decision.makeup else version.closes_at
    attempt = Attempt(
        user_id=user.id, quiz_id=quiz.id, quiz_version_id=version.id, number=used + 1,
        official=definition.official, makeup=decision.makeup, status=IN_PROGRESS, started_at=now,
        in_progress_key=f"{user.id}:{quiz.id}",
        deadline_at=rules.compute_deadline(now, version.time_limit_seconds,
                                           extra_seconds=extra_seconds(accommodations), hard_close=hard_close),
        max_score=version.max_score, paper=paper,
    )
    db.session.add(attempt)
    try:
        db.session.flush()
        _event(attempt.id, "started", now, {"version": version.number, "makeup": decision.makeup})
        db.session.commit()
    except IntegrityError:
        # A second tap on "start" won the race: hand back the attempt it created.
        db.session.rollback()
        existing = in_progress_attempt(user.id, quiz.id)
        if existing is None:
            raise Conflict(START_MESSAGES["used_up"], code="used_up") from None
        return existing, False
    log.info("attempt %s started: %s by %s", attempt.id, slug, user.employee_no)
    return attempt, True


# --- answers ---------------------------------------------------------------------------------------------------------

def _paper_question(attempt: Attempt, question_id: str) -> dict[str, Any]:
    for question in attempt.paper["questions"]:
        if question["id"] == question_id:
            return question  # type: ignore[no-any-return]
    raise NotFound("试卷中没有这道题")


def _parse(attempt: Attempt, question_id: str, payload: Any) -> tuple[Answer, int]:
    return _parse_for(_paper_question(attempt, question_id), payload)


def _parse_for(question: Mapping[str, Any], payload: Any) -> tuple[Answer, int]:
    """An answer as the page sent it, checked against its question (type, option ids); and its change number."""
    if not isinstance(payload, dict):
        raise ValidationFailed("答案格式错误：需要 JSON 对象 {\"choices\": [...]} 或 {\"text\": \"...\"}")
    allowed = {"text", "seq"} if question["type"] == "fill" else {"choices", "seq"}
    if set(payload) - allowed:
        raise ValidationFailed(f"答案格式错误：此题只接受 {', '.join(sorted(allowed))}", code="invalid_answer")
    try:
        answer = question_type(question["type"]).parse_answer(question, payload)
    except AnswerRejected as exc:
        raise ValidationFailed(f"答案无效：{exc}", code="invalid_answer") from exc
    seq = payload.get("seq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationFailed("seq 必须是非负整数")
    return answer, seq


def _refuse_late(attempt: Attempt, now: datetime) -> None:
    if attempt.status == EXPIRED:  # finished by the deadline (sweep or a read), not by the person: say so
        raise Conflict("考试时间已到，答卷已按已保存的答案自动交卷。", code="deadline_passed")
    if attempt.status != IN_PROGRESS:
        raise Conflict("答卷已提交，不能再修改。", code="finished")
    if not rules.accepts_answers(now, attempt.deadline_at, grace_seconds()):
        finish_attempt(attempt.id, now=now, status=EXPIRED, reason="deadline")
        raise Conflict("考试时间已到，答卷已按已保存的答案自动交卷。", code="deadline_passed")


@dataclass(frozen=True)
class SavedAnswer:
    """What the page is told after an autosave: plain values, read before the commit expires the rows."""

    question_id: str
    saved_at: datetime
    seq: int
    deadline_at: datetime


_ANSWER_COLUMNS = ("attempt_id", "question_id", "choices", "text", "client_seq", "saved_at")


@functools.cache
def _upsert_statement(dialect_name: str) -> Any:
    """Every write of an answer, as one statement (per dialect, built once): insert the answer, or update it unless
    the stored one carries a higher number — only while the attempt is in progress and in time, under its lock.

    The answer's values are selected from the attempt's row (``INSERT … SELECT … WHERE id = ? AND status =
    'in_progress' AND deadline_at >= now - grace``), so the attempt's lock and state check are this statement's
    own: ``FOR UPDATE`` on PostgreSQL (re-checked on the newest row once the lock is held), and on SQLite the
    database's write lock, which a transaction's first write takes before it reads anything. It returns the stored
    (saved_at, client_seq) and the attempt's deadline; no row when it wrote nothing (``_not_written`` says why).
    """
    answers, attempts = AttemptAnswer.__table__, Attempt.__table__
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    values = [bindparam(name, type_=answers.c[name].type) for name in _ANSWER_COLUMNS[1:]]
    source = (select(attempts.c.id, *values)
              .where(*_STILL_IN_PROGRESS,
                     attempts.c.deadline_at >= bindparam("cutoff", type_=attempts.c.deadline_at.type))
              .with_for_update())
    statement = dialect.insert(answers).from_select(list(_ANSWER_COLUMNS), source)
    new = statement.excluded
    deadline = select(attempts.c.deadline_at).where(attempts.c.id == bindparam("attempt_id")).scalar_subquery()
    upsert = statement.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.question_id],
        # seq 0 means "not numbered": it always writes and keeps the stored number (max(seq, stored)).
        set_={"choices": new.choices, "text": new.text, "saved_at": new.saved_at,
              "client_seq": case((new.client_seq == 0, answers.c.client_seq), else_=new.client_seq)},
        where=or_(new.client_seq == 0, answers.c.client_seq <= new.client_seq),
    )
    if dialect_name != "postgresql":
        # SQLite: the evidence event is written by triggers on attempt_answers (migration 0010), in this statement.
        return upsert.returning(answers.c.saved_at, answers.c.client_seq, deadline.label("deadline_at"))
    # PostgreSQL: the evidence event is written by the same statement, for each row the upsert wrote, with what the
    # SQLite triggers record: the question and the number the stored answer carries.
    saved = upsert.returning(answers.c.attempt_id, answers.c.question_id, answers.c.saved_at, answers.c.client_seq,
                             deadline.label("deadline_at")).cte("saved")
    events_table = AttemptEvent.__table__
    logged = insert(events_table).from_select(
        ["attempt_id", "kind", "at", "detail"],
        select(saved.c.attempt_id, literal("answer_saved", events_table.c.kind.type), saved.c.saved_at,
               func.json_build_object("question", saved.c.question_id, "seq", saved.c.client_seq,
                                      type_=events_table.c.detail.type))).cte("logged")
    return select(saved.c.saved_at, saved.c.client_seq, saved.c.deadline_at).add_cte(logged)


def _write_answer(connection: Connection, attempt_id: int, question_id: str, answer: Answer, *, seq: int,
                  now: datetime) -> Row[Any] | None:
    """Write one answer and its evidence event through the guarded upsert, one statement, in the caller's
    transaction: the autosave's, or the submit's under the attempt's lock (its final answers). The row written
    (saved_at, client_seq, deadline_at), or None when nothing was (``_not_written`` says why)."""
    return connection.execute(_upsert_statement(connection.dialect.name), {
        "attempt_id": attempt_id, "question_id": question_id, "choices": list(answer.choices), "text": answer.text,
        "client_seq": seq, "saved_at": now, "cutoff": now - timedelta(seconds=grace_seconds()),
    }).first()


def _not_written(attempt_id: int, question_id: str, now: datetime) -> SavedAnswer | None:
    """Why the guarded upsert wrote nothing, in a fresh transaction: the attempt is finished or late (refused, and
    a late one finished, as every other write does), or an older change was replayed (the newer answer stands: the
    stored one is returned). None if neither holds any more (a deadline extended meanwhile): write again."""
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt is not None  # noqa: S101 - attempts are never deleted
    _refuse_late(attempt, now)
    kept = db.session.execute(select(AttemptAnswer.saved_at, AttemptAnswer.client_seq).where(
        AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == question_id)).first()
    return None if kept is None else SavedAnswer(question_id, kept.saved_at, kept.client_seq, attempt.deadline_at)


@dataclass(frozen=True)
class _Sheet:
    """What an autosave needs of an attempt that does not change while it runs: its owner and its answer sheet."""

    user_id: int
    questions: dict[str, Mapping[str, Any]]


class _AnswerSheets:
    """Answer sheets of attempts in progress, per app and process, least recently used dropped first.

    Every autosave must check the answer against its question, and decoding the stored paper (~16 KB of JSON for
    30 questions) cost more than all the statements of the save together (profiled under load). An entry never goes
    stale: a paper is drawn once, a regrade changes keys but never question types or option ids, and an attempt
    never changes hands. Status and deadline, which do change, are read under the attempt's lock on every save.
    About 3 KB per 30-question attempt.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._sheets: OrderedDict[int, _Sheet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, attempt_id: int) -> _Sheet | None:
        with self._lock:
            sheet = self._sheets.get(attempt_id)
            if sheet is not None:
                self._sheets.move_to_end(attempt_id)
            return sheet

    def put(self, attempt_id: int, sheet: _Sheet) -> None:
        with self._lock:
            self._sheets[attempt_id] = sheet
            while len(self._sheets) > self.size:
                self._sheets.popitem(last=False)


def _answer_sheets() -> _AnswerSheets:
    extensions = current_app.extensions
    if "lms.answer_sheets" not in extensions:
        extensions["lms.answer_sheets"] = _AnswerSheets(int(current_app.config["LMS_ANSWER_SHEET_CACHE"]))
    return extensions["lms.answer_sheets"]  # type: ignore[no-any-return]


def save_answer(user_id: int, attempt_id: int, question_id: str, payload: Any, *, now: datetime) -> SavedAnswer:
    """Autosave one answer for ``user_id``. The hot path of the monthly test: thousands of people, one request per
    change, so it takes the caller's id (``lms.api.blueprint.caller_id``) rather than the loaded person.

    Statements: the upsert guarded by the attempt's lock and state, which also writes the evidence event
    (``_upsert_statement``), and on SQLite the commit (PostgreSQL's is the statement's own: the connection
    autocommits, ``core_connection``) — the attempt's paper is read only on its first save in this process
    (``_AnswerSheets``)."""
    sheets = _answer_sheets()
    sheet = sheets.get(attempt_id)
    if sheet is None:
        row = core_connection().execute(_ATTEMPT_FOR_SAVING, {"attempt_id": attempt_id}).first()
        if row is None:
            raise NotFound("答卷不存在")
        sheet = _Sheet(row.user_id, rules.answer_sheet(row.paper))
        if row.status == IN_PROGRESS:
            sheets.put(attempt_id, sheet)
    if sheet.user_id != user_id:  # as own_attempt: someone else's is "not found"
        raise NotFound("答卷不存在")
    question = sheet.questions.get(question_id)
    if question is None:
        raise NotFound("试卷中没有这道题")
    answer, seq = _parse_for(question, payload)
    # The write transaction is one statement and the commit: on SQLite every other worker's autosave waits for this
    # one's commit, so nothing slower (ORM flush, reads) happens in it. It runs on the request's Core connection,
    # the one the caller check used (lms.core.database.core_connection).
    connection = core_connection()
    written = _write_answer(connection, attempt_id, question_id, answer, seq=seq, now=now)
    if written is None:
        release_core_connection()  # rolled back; the rare path below uses the ORM session
        kept = _not_written(attempt_id, question_id, now)
        return kept if kept is not None else save_answer(user_id, attempt_id, question_id, payload, now=now)
    connection.commit()
    return SavedAnswer(question_id, written.saved_at, written.client_seq, written.deadline_at)


# --- finishing -------------------------------------------------------------------------------------------------------

def finish_attempt(attempt_id: int, *, now: datetime, status: str, reason: str,
                   final_answers: dict[str, tuple[Answer, int]] | None = None) -> Attempt:
    """Grade from the saved answers and close the attempt, exactly once. Returns the (possibly earlier) result."""
    if not _lock_attempt(attempt_id):
        db.session.rollback()
        return db.session.get(Attempt, attempt_id)  # type: ignore[return-value]
    connection = db.session.connection()
    for question_id, (answer, seq) in (final_answers or {}).items():
        _write_answer(connection, attempt_id, question_id, answer, seq=seq, now=now)  # an older one is not
    # Read once, under the lock: the newest row even if this session already holds the attempt (a get and then a
    # refresh read the row, its 16 KB paper included, twice).
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt is not None  # noqa: S101 - locked above
    version = attempt.quiz_version
    answers = {qid: _as_answer(row) for qid, row in saved_answers(attempt_id).items()}
    result = rules.grade_paper(attempt.paper, answers, pass_score=version.pass_score, max_score=version.max_score)
    attempt.status, attempt.finish_reason, attempt.finished_at = status, reason, now
    attempt.in_progress_key = None
    attempt.score, attempt.raw_points, attempt.passed = result.score, result.raw_points, result.passed
    attempt.max_score = result.max_score
    attempt.results = {qid: {"earned": g.points, "points": g.max_points, "correct": g.correct}
                       for qid, g in result.per_question.items()}
    _event(attempt_id, "submitted" if status == SUBMITTED else "expired", now,
           {"reason": reason, "score": result.score})
    db.session.commit()
    log.info("attempt %s graded (%s): %.1f", attempt_id, reason, result.score)
    events.attempt_graded.send(attempt)
    return attempt


def submit_attempt(user: User, attempt_id: int, payload: Any, *, now: datetime) -> Attempt:
    """Submit (idempotent). ``payload`` may carry the final answers {question_id: {choices|text, seq}}."""
    attempt = own_attempt(user, attempt_id)
    if attempt.status == SUBMITTED:
        return attempt
    if attempt.status == EXPIRED:
        raise Conflict("考试时间已到，答卷已按已保存的答案自动交卷。", code="deadline_passed")
    final: dict[str, tuple[Answer, int]] = {}
    answers = (payload or {}).get("answers") if isinstance(payload, dict) else None
    if answers is not None:
        if not isinstance(answers, dict):
            raise ValidationFailed("answers 必须是 {题号: 答案} 对象")
        final = {str(qid): _parse(attempt, str(qid), value) for qid, value in answers.items()}
    reason = (payload or {}).get("reason", "submit") if isinstance(payload, dict) else "submit"
    reason = reason if reason in ("submit", "timer") else "submit"
    _refuse_late(attempt, now)
    finished = finish_attempt(attempt_id, now=now, status=SUBMITTED, reason=reason, final_answers=final)
    if finished.status == EXPIRED:  # the deadline sweep got there first
        raise Conflict("考试时间已到，答卷已按已保存的答案自动交卷。", code="deadline_passed")
    return finished


def finish_if_expired(attempt: Attempt, *, now: datetime) -> Attempt:
    """Lazily finish an attempt whose deadline + grace has passed (any read calls this)."""
    if attempt.status == IN_PROGRESS and not rules.accepts_answers(now, attempt.deadline_at, grace_seconds()):
        return finish_attempt(attempt.id, now=now, status=EXPIRED, reason="deadline")
    return attempt


def finish_expired_attempts(now: datetime) -> int:
    """Grade every in-progress attempt whose deadline + grace has passed. Returns how many this call finished."""
    cutoff = now - timedelta(seconds=grace_seconds())
    ids = list(db.session.scalars(select(Attempt.id).where(
        Attempt.status == IN_PROGRESS, Attempt.deadline_at < cutoff).order_by(Attempt.id)))
    finished = 0
    for attempt_id in ids:
        attempt = finish_attempt(attempt_id, now=now, status=EXPIRED, reason="deadline")
        if attempt.finished_at == now and attempt.finish_reason == "deadline":
            finished += 1
    return finished


# --- events ----------------------------------------------------------------------------------------------------------

def record_client_event(user: User, attempt_id: int, kind: str, *, now: datetime,
                        detail: dict[str, Any] | None = None) -> Attempt:
    """What the page saw (a switch, leaving the page, going offline …) logged with the server's time, or as many
    seconds before it as the page says it waited to send it (``detail["delay"]``, offline); a switch over the
    test's limit ends the attempt."""
    if kind not in CLIENT_EVENT_KINDS:
        raise ValidationFailed(f"未知事件类型：{kind}")
    attempt = own_attempt(user, attempt_id)
    if attempt.status != IN_PROGRESS:
        return attempt
    safe_detail = rules.clean_detail(detail)
    _event(attempt.id, kind, rules.event_time(now, attempt.started_at, (safe_detail or {}).get("delay")),
           safe_detail)
    db.session.commit()
    limit = attempt.quiz_version.definition.get("tab_switch_limit")
    if limit is not None and rules.is_switch(kind) and switch_count(attempt.id) > int(limit):
        return finish_attempt(attempt.id, now=now, status=SUBMITTED, reason="tab_limit")
    return attempt


def switch_count(attempt_id: int) -> int:
    """Real switches away from the page (rules.SWITCH_KINDS): what the limit and the warning count."""
    return db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind.in_(rules.SWITCH_KINDS))) or 0


def away_kinds(attempt_ids: list[int]) -> dict[int, list[str]]:
    """For many attempts in one query (the people page): the kinds of their events that say the person was away —
    switches and everything else that is not (evidence.away_summary words the rest)."""
    if not attempt_ids:
        return {}
    found: dict[int, list[str]] = {attempt_id: [] for attempt_id in attempt_ids}
    for attempt_id, kind, count in db.session.execute(
            select(AttemptEvent.attempt_id, AttemptEvent.kind, func.count(AttemptEvent.id))
            .where(AttemptEvent.attempt_id.in_(attempt_ids), AttemptEvent.kind.in_(rules.AWAY_EVENT_KINDS))
            .group_by(AttemptEvent.attempt_id, AttemptEvent.kind)):
        found[attempt_id].extend([kind] * count)
    return found


def attempt_events(attempt_id: int) -> list[AttemptEvent]:
    return list(db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.at, AttemptEvent.id)))


# --- accommodations --------------------------------------------------------------------------------------------------

def grant_accommodation(actor: User, person: User, quiz: Quiz, *, kind: str, reason: str, minutes: int | None,
                        now: datetime) -> Accommodation:
    """Extra time, exemption or voiding for one person, with the reason; extra time also extends a running test."""
    if actor.role not in ("trainer", "supervisor", "admin"):
        raise Forbidden("只有培训师、主管或管理员可以调整考试安排。")
    if not can_view_person(actor, person):
        raise Forbidden("该人员不在您的管理范围内。")
    if kind not in ACCOMMODATION_KINDS:
        raise ValidationFailed("未知的调整类型")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed("请填写原因。")
    if kind == EXTRA_TIME:
        if minutes is None or not 1 <= minutes <= 600:
            raise ValidationFailed("延长时间须在 1 到 600 分钟之间。")
    else:
        minutes = None
    accommodation = Accommodation(user_id=person.id, quiz_id=quiz.id, kind=kind, minutes=minutes, reason=reason,
                                  created_by_id=actor.id, created_at=now)
    db.session.add(accommodation)
    running = in_progress_attempt(person.id, quiz.id)
    if running is not None and kind == EXTRA_TIME and minutes:
        running.deadline_at = running.deadline_at + timedelta(minutes=minutes)
        _event(running.id, "extra_time", now, {"minutes": minutes, "by": actor.employee_no})
    db.session.commit()
    log.info("accommodation %s for %s on %s by %s", kind, person.employee_no, quiz.slug, actor.employee_no)
    return accommodation


# --- reading ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizStanding:
    """One quiz as a person sees it in their list."""

    quiz: Quiz
    window: str  # upcoming | open | closed
    attempt: Attempt | None  # the latest
    attempts_used: int
    exempt: bool
    can_start: bool


def standings_for(user: User, *, now: datetime) -> list[QuizStanding]:
    found = []
    for quiz in quizzes.live_quizzes():
        if not is_assigned(user, quiz) and quiz.kind != "practice":
            continue
        version = quiz.current_version
        assert version is not None  # noqa: S101 - live_quizzes has a version
        definition = version.definition
        attempts = list(db.session.scalars(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.quiz_id == quiz.id).order_by(Attempt.number.desc())))
        latest = finish_if_expired(attempts[0], now=now) if attempts else None
        accommodations = accommodations_for(user.id, quiz.id)
        exempt = any(a.kind in (EXEMPT, VOID) for a in accommodations)
        makeup_opens = definition.get("makeup_opens_at")
        makeup_closes = definition.get("makeup_closes_at")
        decision = rules.decide_start(
            now=now, opens_at=version.opens_at, closes_at=version.closes_at,
            makeup_opens_at=datetime.fromisoformat(makeup_opens) if makeup_opens else None,
            makeup_closes_at=datetime.fromisoformat(makeup_closes) if makeup_closes else None,
            attempts_used=len(attempts), attempts_allowed=version.attempts_allowed, exempt=exempt, retired=False)
        found.append(QuizStanding(
            quiz=quiz, window=window_state(now, version.opens_at, version.closes_at), attempt=latest,
            attempts_used=len(attempts), exempt=exempt,
            can_start=decision.allowed or (latest is not None and latest.status == IN_PROGRESS)))
    return found


def review_close(attempt: Attempt) -> datetime | None:
    definition = attempt.quiz_version.definition
    makeup_closes = definition.get("makeup_closes_at")
    return rules.last_close(attempt.quiz_version.closes_at,
                            datetime.fromisoformat(makeup_closes) if makeup_closes else None)


def is_review_open(attempt: Attempt, *, now: datetime) -> bool:
    return rules.review_open(attempt.quiz_version.review_policy, now=now, finished=attempt.is_finished,
                             closes_at=review_close(attempt))


@dataclass(frozen=True)
class WrongAnswer:
    attempt: Attempt
    question: dict[str, Any]
    given: AttemptAnswer | None
    progress: WrongAnswerProgress | None = None

    @property
    def mastered(self) -> bool:
        """Mastered since the newest wrong answer (a newer one brings the item back into the book)."""
        return (self.progress is not None and self.progress.mastered_at is not None
                and self.attempt.finished_at is not None and self.progress.wrong_at >= self.attempt.finished_at)

    @property
    def correct_days(self) -> int:
        if self.progress is None or self.attempt.finished_at is None or \
                self.progress.wrong_at < self.attempt.finished_at:
            return 0
        return self.progress.correct_days


def _identity(attempt: Attempt, question: Mapping[str, Any]) -> tuple[str, str]:
    """One question drawn in several attempts is one item: its bank (or its quiz, for a quiz's own questions) and
    key."""
    return (question.get("bank") or attempt.quiz.slug, question["key"])


def wrong_answer_book(user: User, *, now: datetime) -> list[WrongAnswer]:
    """The person's wrong answers (错题本) from finished attempts whose review is open; newest first, one per
    question, each with its practice progress (``mastered`` ones are listed apart by the page)."""
    attempts = db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.status != IN_PROGRESS).order_by(Attempt.finished_at.desc()))
    progress = {(row.source, row.question_key): row for row in db.session.scalars(
        select(WrongAnswerProgress).where(WrongAnswerProgress.user_id == user.id))}
    seen: set[tuple[str, str]] = set()
    found: list[WrongAnswer] = []
    for attempt in attempts:
        if not attempt.results or not is_review_open(attempt, now=now):
            continue
        answers = saved_answers(attempt.id)
        for question in attempt.paper["questions"]:
            outcome = attempt.results.get(question["id"])
            identity = _identity(attempt, question)
            if outcome is None or outcome["correct"] or identity in seen:
                continue
            seen.add(identity)
            found.append(WrongAnswer(attempt, question, answers.get(question["id"]), progress.get(identity)))
    return found


def _book_question(user: User, attempt_id: int, question_id: str, *, now: datetime) -> tuple[Attempt, dict[str, Any]]:
    attempt = own_attempt(user, attempt_id)
    if not is_review_open(attempt, now=now):
        raise Forbidden("该考试的答案尚未公布。")
    return attempt, _paper_question(attempt, question_id)


def _progress_row(user: User, attempt: Attempt, question: Mapping[str, Any]) -> WrongAnswerProgress | None:
    """The progress row of a question the person got wrong in ``attempt`` (created, or started over when this wrong
    answer is newer than the one it counts from); None when the person got it right there (not a book item)."""
    outcome = (attempt.results or {}).get(question["id"])
    if outcome is None or outcome["correct"] or attempt.finished_at is None:
        return None
    source, key = _identity(attempt, question)
    row = db.session.scalar(select(WrongAnswerProgress).where(
        WrongAnswerProgress.user_id == user.id, WrongAnswerProgress.source == source,
        WrongAnswerProgress.question_key == key))
    if row is None:
        row = WrongAnswerProgress(user_id=user.id, source=source, question_key=key, wrong_at=attempt.finished_at,
                                  correct_days=0)
        db.session.add(row)
    elif row.wrong_at < attempt.finished_at:
        row.wrong_at, row.correct_days, row.last_correct_on = attempt.finished_at, 0, None
        row.mastered_at = row.mastered_by = None
    return row


@dataclass(frozen=True)
class PracticeCheck:
    question: dict[str, Any]
    grade: QuestionGrade
    correct_days: int
    mastered: bool
    newly_mastered: bool


def check_practice_answer(user: User, attempt_id: int, question_id: str, payload: Any, *, now: datetime
                          ) -> PracticeCheck:
    """Practice from the wrong-answer book: grade a fresh answer to a question the person got wrong, and count it
    toward mastering the item (rules.after_practice)."""
    attempt, question = _book_question(user, attempt_id, question_id, now=now)
    answer, _seq = _parse(attempt, question_id, payload)
    grade = question_type(question["type"]).grade(question, answer,
                                                  partial_credit=bool(attempt.paper.get("partial_credit")))
    row = _progress_row(user, attempt, question)
    if row is None:
        return PracticeCheck(question, grade, 0, mastered=False, newly_mastered=False)
    before = rules.Practice(row.correct_days or 0, row.last_correct_on, row.mastered_at is not None)
    after = rules.after_practice(before, correct=grade.correct, today=to_local(now).date())
    row.correct_days, row.last_correct_on, row.checked_at = after.correct_days, after.last_correct_on, now
    newly = after.mastered and not before.mastered
    if newly:
        row.mastered_at, row.mastered_by = now, MASTERED_BY_PRACTICE
    db.session.commit()
    return PracticeCheck(question, grade, after.correct_days, after.mastered, newly)


def set_mastered(user: User, attempt_id: int, question_id: str, *, mastered: bool, now: datetime) -> None:
    """The person marks a book item mastered (it leaves the book), or puts it back (its practice starts over)."""
    attempt, question = _book_question(user, attempt_id, question_id, now=now)
    row = _progress_row(user, attempt, question)
    if row is None:
        raise NotFound("错题本中没有这道题")
    if mastered:
        if row.mastered_at is None:
            row.mastered_at, row.mastered_by = now, MASTERED_BY_SELF
    else:
        row.mastered_at = row.mastered_by = None
        row.correct_days, row.last_correct_on = 0, None
    db.session.commit()
