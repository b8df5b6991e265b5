"""Attempt use cases: start, save an answer, submit, finish at the deadline, events, accommodations, a person's list
of quizzes, practice from the wrong-answer book. How an attempt is locked and its answers written safely under
concurrency is ``storage``'s (read its docstring first); reads that write nothing are ``queries``'.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.access import can_view_person
from lms.accounts.models import User
from lms.attempts import queries, rules, storage, usage
from lms.attempts.key_corrections import with_corrections
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
from lms.quizzes import rules as quiz_rules
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
    "not_invited": "本次补考只面向名单内的人员，您不在名单中。",
}


def makeup_window(user: User, version: QuizVersion, mine: Sequence[Attempt]) -> rules.MakeupWindow | None:
    """The version's make-up window as it concerns ``user`` (``mine``: their attempts, previews excluded): invited
    as the window's audience says, judged on the regular window's official attempts; make-up attempts used. Read
    from the frozen definition's few keys (lms.quizzes.definitions.QuizDefinition.to_json), not the whole paper."""
    frozen = version.definition or {}
    opens, closes = frozen.get("makeup_opens_at"), frozen.get("makeup_closes_at")
    if not opens or not closes:
        return None
    regular = [a for a in mine if not a.makeup and a.official]
    invited = quiz_rules.makeup_invited(
        frozen.get("makeup_audience") or quiz_rules.MAKEUP_FAILED_OR_ABSENT, sat=bool(regular),
        passed=any(a.passed for a in regular), chosen=user.employee_no in (frozen.get("makeup_people") or ()))
    return rules.MakeupWindow(datetime.fromisoformat(opens), datetime.fromisoformat(closes), invited=invited,
                              used=sum(a.makeup for a in mine))


def grace_seconds() -> int:
    return int(current_app.config["LMS_GRACE_SECONDS"])


def extra_seconds(accommodations: list[Accommodation]) -> int:
    return sum((a.minutes or 0) * 60 for a in accommodations if a.kind == EXTRA_TIME)


def as_answer(row: AttemptAnswer) -> Answer:
    """A saved answer as the question types grade it."""
    return Answer(choices=tuple(row.choices or ()), text=row.text)


def _event(attempt_id: int, kind: str, now: datetime, detail: dict[str, Any] | None = None) -> None:
    db.session.add(AttemptEvent(attempt_id=attempt_id, kind=kind, at=now, detail=detail))


# --- start -----------------------------------------------------------------------------------------------------------

def start_attempt(user: User, slug: str, *, now: datetime,
                  arrival: dict[str, Any] | None = None) -> tuple[Attempt, bool]:
    """Start (or resume) the caller's attempt. Returns the attempt and whether it was created now.

    ``arrival`` is what the page says about coming back to a running attempt ({"kind": "page_reload" |
    "page_return", …detail}); resuming records it as that kind, or as ``resumed`` when the page says nothing."""
    quiz = quizzes.get_quiz(slug, drafts=True)
    existing = queries.in_progress_attempt(user.id, quiz.id)
    previewing = existing is not None and existing.is_preview  # a trainer's trial, started by start_preview
    if not previewing and quiz.is_draft:
        raise NotFound("考试不存在")
    if not previewing and not queries.is_assigned(user, quiz):
        raise Forbidden("本考试只面向渠道经理；您可以参加练习测试。", code="not_assigned")
    if existing is not None:
        if rules.accepts_answers(now, existing.deadline_at, grace_seconds()):
            said = arrival if isinstance(arrival, dict) else {}
            kind = str(said["kind"]) if said.get("kind") in rules.ARRIVAL_KINDS else "resumed"
            _event(existing.id, kind, now, rules.clean_detail({k: v for k, v in said.items() if k != "kind"}))
            db.session.commit()
            return existing, False
        finish_attempt(existing.id, now=now, status=EXPIRED, reason="deadline")
        if previewing:
            raise Conflict(START_MESSAGES["closed"], code="closed")
    version: QuizVersion = quiz.current_version  # type: ignore[assignment]
    definition = quizzes.version_definition(version)
    accommodations = queries.accommodations_for(user.id, quiz.id)
    mine = queries.own_attempts(user.id, quiz.id)
    decision = rules.decide_start(
        now=now, opens_at=version.opens_at, closes_at=version.closes_at,
        makeup=makeup_window(user, version, mine), attempts_used=sum(not a.makeup for a in mine),
        attempts_allowed=version.attempts_allowed,
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
    paper = with_corrections(paper, queries.key_corrections(quiz.id))
    hard_close = definition.makeup_closes_at if decision.makeup else version.closes_at
    numbered = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)) or 0  # previews are numbered too (unique)
    attempt = Attempt(
        user_id=user.id, quiz_id=quiz.id, quiz_version_id=version.id, number=numbered + 1,
        official=definition.official, makeup=decision.makeup, status=IN_PROGRESS, started_at=now,
        in_progress_key=f"{user.id}:{quiz.id}",
        deadline_at=rules.compute_deadline(now, version.time_limit_seconds,
                                           extra_seconds=extra_seconds(accommodations), hard_close=hard_close),
        max_score=version.max_score, paper=paper,
    )
    db.session.add(attempt)
    try:
        db.session.flush()
        usage.record_drawn(attempt.id, paper)
        _event(attempt.id, "started", now, {"version": version.number, "makeup": decision.makeup})
        db.session.commit()
    except IntegrityError:
        # A second tap on "start" won the race: hand back the attempt it created.
        db.session.rollback()
        existing = queries.in_progress_attempt(user.id, quiz.id)
        if existing is None:
            raise Conflict(START_MESSAGES["used_up"], code="used_up") from None
        return existing, False
    log.info("attempt %s started: %s by %s", attempt.id, slug, user.employee_no)
    return attempt, True


def start_preview(user: User, quiz: Quiz, *, now: datetime) -> Attempt:
    """A trainer's trial of a test (a draft too) on the real player, as a manager takes it: the current version's
    paper and time limit, whatever the window. Never official: flagged ``is_preview``, it reaches no standing,
    outcome, report, item analysis, certificate or reminder. A running preview is handed back."""
    if user.role not in ("trainer", "admin"):
        raise Forbidden("只有培训师或管理员可以预览考试。")
    existing = queries.in_progress_attempt(user.id, quiz.id)
    if existing is not None:
        if existing.is_preview and rules.accepts_answers(now, existing.deadline_at, grace_seconds()):
            return existing
        finish_attempt(existing.id, now=now, status=EXPIRED, reason="deadline")
    version: QuizVersion = quiz.current_version  # type: ignore[assignment]
    definition = quizzes.version_definition(version)
    banks = quizzes.bank_questions({r.bank for s in definition.sections for r in s.draws})
    try:
        paper = rules.draw_paper(definition, banks, seed=secrets.randbits(31))
    except rules.PaperShortage as exc:
        raise Conflict("题库题目不足，无法组卷，请修改抽题条件。", code="bank_shortage") from exc
    paper = with_corrections(paper, queries.key_corrections(quiz.id))
    numbered = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)) or 0
    attempt = Attempt(
        user_id=user.id, quiz_id=quiz.id, quiz_version_id=version.id, number=numbered + 1, official=False,
        is_preview=True, makeup=False, status=IN_PROGRESS, started_at=now, in_progress_key=f"{user.id}:{quiz.id}",
        deadline_at=rules.compute_deadline(now, version.time_limit_seconds, extra_seconds=0, hard_close=None),
        max_score=version.max_score, paper=paper)
    db.session.add(attempt)
    db.session.flush()
    _event(attempt.id, "started", now, {"version": version.number, "preview": True})
    db.session.commit()
    return attempt


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
    allowed = {"text", "seq"} if question_type(question["type"]).answer_kind == "text" else {"choices", "seq"}
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


def save_answer(user_id: int, attempt_id: int, question_id: str, payload: Any, *, now: datetime) -> SavedAnswer:
    """Autosave one answer for ``user_id``. The hot path of the monthly test: thousands of people, one request per
    change, so it takes the caller's id (``lms.api.blueprint.caller_id``) rather than the loaded person.

    Statements: the upsert guarded by the attempt's lock and state, which also writes the evidence event
    (``storage._upsert_statement``), and on SQLite the commit (PostgreSQL's is the statement's own: the connection
    autocommits, ``core_connection``) — the attempt's paper is read only on its first save in this process
    (``storage.answer_sheet``)."""
    sheet = storage.answer_sheet(attempt_id)
    if sheet is None:
        raise NotFound("答卷不存在")
    if sheet.user_id != user_id:  # as queries.own_attempt: someone else's is "not found"
        raise NotFound("答卷不存在")
    question = sheet.questions.get(question_id)
    if question is None:
        raise NotFound("试卷中没有这道题")
    answer, seq = _parse_for(question, payload)
    # The write transaction is one statement and the commit: on SQLite every other worker's autosave waits for this
    # one's commit, so nothing slower (ORM flush, reads) happens in it. It runs on the request's Core connection,
    # the one the caller check used (lms.core.database.core_connection).
    connection = core_connection()
    written = storage.write_answer(connection, attempt_id, question_id, answer, seq=seq, now=now,
                                   grace_seconds=grace_seconds())
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
    if not storage.lock_attempt(attempt_id):
        db.session.rollback()
        return db.session.get(Attempt, attempt_id)  # type: ignore[return-value]
    connection = db.session.connection()
    for question_id, (answer, seq) in (final_answers or {}).items():
        storage.write_answer(connection, attempt_id, question_id, answer, seq=seq, now=now,
                             grace_seconds=grace_seconds())  # an older one is not
    # Read once, under the lock: the newest row even if this session already holds the attempt (a get and then a
    # refresh read the row, its 16 KB paper included, twice).
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt is not None  # noqa: S101 - locked above
    version = attempt.quiz_version
    answers = {qid: as_answer(row) for qid, row in queries.saved_answers(attempt_id).items()}
    result = rules.grade_paper(attempt.paper, answers, pass_score=version.pass_score, max_score=version.max_score)
    attempt.status, attempt.finish_reason, attempt.finished_at = status, reason, now
    attempt.in_progress_key = None
    attempt.score, attempt.raw_points, attempt.passed = result.score, result.raw_points, result.passed
    attempt.max_score = result.max_score
    attempt.results = {qid: {"earned": g.points, "points": g.max_points, "correct": g.correct}
                       for qid, g in result.per_question.items()}
    if not attempt.is_preview:
        usage.record_shares(attempt_id, attempt.results)
    _event(attempt_id, "submitted" if status == SUBMITTED else "expired", now,
           {"reason": reason, "score": result.score})
    db.session.commit()
    log.info("attempt %s graded (%s): %.1f", attempt_id, reason, result.score)
    events.attempt_graded.send(attempt)
    return attempt


def submit_attempt(user: User, attempt_id: int, payload: Any, *, now: datetime) -> Attempt:
    """Submit (idempotent). ``payload`` may carry the final answers {question_id: {choices|text, seq}}."""
    attempt = queries.own_attempt(user, attempt_id)
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
    attempt = queries.own_attempt(user, attempt_id)
    if attempt.status != IN_PROGRESS:
        return attempt
    safe_detail = rules.clean_detail(detail)
    _event(attempt.id, kind, rules.event_time(now, attempt.started_at, (safe_detail or {}).get("delay")),
           safe_detail)
    db.session.commit()
    limit = attempt.quiz_version.definition.get("tab_switch_limit")
    if limit is not None and rules.is_switch(kind) and queries.switch_count(attempt.id) > int(limit):
        return finish_attempt(attempt.id, now=now, status=SUBMITTED, reason="tab_limit")
    return attempt


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
    running = queries.in_progress_attempt(person.id, quiz.id)
    if running is not None and kind == EXTRA_TIME and minutes:
        running.deadline_at = running.deadline_at + timedelta(minutes=minutes)
        _event(running.id, "extra_time", now, {"minutes": minutes, "by": actor.employee_no})
    db.session.commit()
    log.info("accommodation %s for %s on %s by %s", kind, person.employee_no, quiz.slug, actor.employee_no)
    return accommodation


# --- a person's quizzes ----------------------------------------------------------------------------------------------
# Here rather than in queries: reading the list finishes the latest attempt when its time has run out
# (finish_if_expired), so it writes.

@dataclass(frozen=True)
class QuizStanding:
    """One quiz as a person sees it in their list."""

    quiz: Quiz
    window: str  # upcoming | open | closed
    attempt: Attempt | None  # the latest
    attempts_used: int
    exempt: bool
    can_start: bool
    makeup: bool = False  # what can start now is the make-up attempt (补考)


def standings_for(user: User, *, now: datetime) -> list[QuizStanding]:
    found = []
    for quiz in quizzes.live_quizzes():
        if not queries.is_assigned(user, quiz) and quiz.kind != "practice":
            continue
        version = quiz.current_version
        assert version is not None  # noqa: S101 - live_quizzes has a version
        attempts = list(db.session.scalars(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
            .order_by(Attempt.number.desc())))
        latest = finish_if_expired(attempts[0], now=now) if attempts else None
        accommodations = queries.accommodations_for(user.id, quiz.id)
        exempt = any(a.kind in (EXEMPT, VOID) for a in accommodations)
        decision = rules.decide_start(
            now=now, opens_at=version.opens_at, closes_at=version.closes_at,
            makeup=makeup_window(user, version, attempts),
            attempts_used=sum(not a.makeup for a in attempts), attempts_allowed=version.attempts_allowed,
            exempt=exempt, retired=False)
        found.append(QuizStanding(
            quiz=quiz, window=window_state(now, version.opens_at, version.closes_at), attempt=latest,
            attempts_used=len(attempts), exempt=exempt,
            can_start=decision.allowed or (latest is not None and latest.status == IN_PROGRESS),
            makeup=decision.makeup))
    return found


# --- practice from the wrong-answer book -----------------------------------------------------------------------------

def _book_question(user: User, attempt_id: int, question_id: str, *, now: datetime) -> tuple[Attempt, dict[str, Any]]:
    attempt = queries.own_attempt(user, attempt_id)
    if not queries.is_review_open(attempt, now=now):
        raise Forbidden("该考试的答案尚未公布。")
    return attempt, _paper_question(attempt, question_id)


def _progress_row(user: User, attempt: Attempt, question: Mapping[str, Any]) -> WrongAnswerProgress | None:
    """The progress row of a question the person got wrong in ``attempt`` (created, or started over when this wrong
    answer is newer than the one it counts from); None when the person got it right there (not a book item)."""
    outcome = (attempt.results or {}).get(question["id"])
    if outcome is None or outcome["correct"] or attempt.finished_at is None:
        return None
    source, key = queries.question_identity(attempt, question)
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
