"""How attempts are stored safely under concurrency: the attempt's lock, the guarded answer upsert (one statement
per dialect, built once) and each process's cache of answer sheets. The use cases that call them are in ``services``.

Concurrency: every write that must not race (saving an answer, submitting, finishing) holds the attempt's lock
while it checks that the attempt is still in progress. On SQLite the lock is the database's write lock, taken
before anything is read (a read first would give a WAL snapshot that cannot be upgraded to a write); on PostgreSQL
it is the attempt's row lock (``FOR UPDATE``). Submitting and finishing take it first in a fresh transaction
(``lock_attempt``); an autosave's one guarded upsert takes it itself (``_upsert_statement``). Whoever holds the
lock sees the attempt still in progress or gets no row, so a double tap, a retried submit and the deadline sweep
can never grade twice, and no acknowledged answer lands after grading.
"""

from __future__ import annotations

import functools
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

from lms.attempts import rules
from lms.attempts.models import IN_PROGRESS, Attempt, AttemptAnswer, AttemptEvent
from lms.core.database import core_connection
from lms.extensions import db
from lms.quizzes.question_types import Answer


def lock_attempt(attempt_id: int) -> bool:
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


# Statements of the autosave path are built once per process (also _upsert_statement): every answer of every test
# runs them, and building and keying a statement each time cost more than executing it (profiled under load).
# What an autosave reads of the attempt, as a plain row (an ORM object costs more to load than the query).
_ATTEMPT_FOR_SAVING = select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.deadline_at, Attempt.paper).where(
    Attempt.id == bindparam("attempt_id"))
_ANSWER_COLUMNS = ("attempt_id", "question_id", "choices", "text", "client_seq", "saved_at")


@functools.cache
def _upsert_statement(dialect_name: str) -> Any:
    """Every write of an answer, as one statement (per dialect, built once): insert the answer, or update it unless
    the stored one carries a higher number — only while the attempt is in progress and in time, under its lock.

    The answer's values are selected from the attempt's row (``INSERT … SELECT … WHERE id = ? AND status =
    'in_progress' AND deadline_at >= now - grace``), so the attempt's lock and state check are this statement's
    own: ``FOR UPDATE`` on PostgreSQL (re-checked on the newest row once the lock is held), and on SQLite the
    database's write lock, which a transaction's first write takes before it reads anything. It returns the stored
    (saved_at, client_seq) and the attempt's deadline; no row when it wrote nothing (the autosave then asks why:
    ``services._not_written``).
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


def write_answer(connection: Connection, attempt_id: int, question_id: str, answer: Answer, *, seq: int,
                 now: datetime, grace_seconds: int) -> Row[Any] | None:
    """Write one answer and its evidence event through the guarded upsert, one statement, in the caller's
    transaction: the autosave's, or the submit's under the attempt's lock (its final answers). The row written
    (saved_at, client_seq, deadline_at), or None when nothing was (``services._not_written`` says why)."""
    return connection.execute(_upsert_statement(connection.dialect.name), {
        "attempt_id": attempt_id, "question_id": question_id, "choices": list(answer.choices), "text": answer.text,
        "client_seq": seq, "saved_at": now, "cutoff": now - timedelta(seconds=grace_seconds),
    }).first()


@dataclass(frozen=True)
class AnswerSheet:
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
        self._sheets: OrderedDict[int, AnswerSheet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, attempt_id: int) -> AnswerSheet | None:
        with self._lock:
            sheet = self._sheets.get(attempt_id)
            if sheet is not None:
                self._sheets.move_to_end(attempt_id)
            return sheet

    def put(self, attempt_id: int, sheet: AnswerSheet) -> None:
        with self._lock:
            self._sheets[attempt_id] = sheet
            while len(self._sheets) > self.size:
                self._sheets.popitem(last=False)


def _answer_sheets() -> _AnswerSheets:
    extensions = current_app.extensions
    if "lms.answer_sheets" not in extensions:
        extensions["lms.answer_sheets"] = _AnswerSheets(int(current_app.config["LMS_ANSWER_SHEET_CACHE"]))
    return extensions["lms.answer_sheets"]  # type: ignore[no-any-return]


def answer_sheet(attempt_id: int) -> AnswerSheet | None:
    """The attempt's owner and answer sheet for an autosave, or None if there is no such attempt: from this process's
    cache, or read (``_ATTEMPT_FOR_SAVING``) on the request's Core connection on the attempt's first save here and
    kept while the attempt is in progress."""
    sheets = _answer_sheets()
    sheet = sheets.get(attempt_id)
    if sheet is None:
        row = core_connection().execute(_ATTEMPT_FOR_SAVING, {"attempt_id": attempt_id}).first()
        if row is None:
            return None
        sheet = AnswerSheet(row.user_id, rules.answer_sheet(row.paper))
        if row.status == IN_PROGRESS:
            sheets.put(attempt_id, sheet)
    return sheet
