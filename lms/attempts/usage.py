"""Which bank questions each paper held and how each graded attempt did on them (``BankQuestionUse``): written
when a paper is drawn, graded and regraded, in the caller's transaction, so the question bank pages read usage and
facility with one GROUP BY. Previews write nothing (they never count)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, insert, update

from lms.attempts.models import BankQuestionUse
from lms.extensions import db
from lms.reports.rules import points_share


def drawn_rows(attempt_id: int, paper: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A paper's bank questions as rows (a question written into the quiz itself names no bank: none)."""
    return [{"attempt_id": attempt_id, "bank": q["bank"], "key": q.get("key", ""), "question_id": q["id"],
             "share": None} for q in paper.get("questions", []) if q.get("bank")]


def record_drawn(attempt_id: int, paper: Mapping[str, Any]) -> None:
    rows = drawn_rows(attempt_id, paper)
    if rows:
        db.session.execute(insert(BankQuestionUse), rows)


def shares(results: Mapping[str, Any]) -> dict[str, float]:
    """A graded attempt's results → each question's share of its points (as the item analysis counts it)."""
    return {question_id: points_share(outcome) for question_id, outcome in (results or {}).items()}


def record_shares(attempt_id: int, results: Mapping[str, Any]) -> None:
    """The graded attempt's shares onto its rows (a regrade calls it again with the new results)."""
    found = shares(results)
    if not found:
        return
    statement = update(BankQuestionUse).where(
        BankQuestionUse.attempt_id == bindparam("a"), BankQuestionUse.question_id == bindparam("q")).values(
        share=bindparam("s"))
    connection = db.session.connection()
    connection.execute(statement.execution_options(synchronize_session=False),
                       [{"a": attempt_id, "q": q, "s": s} for q, s in found.items()])


def record_regraded(attempts: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    for attempt_id, results in attempts:
        record_shares(attempt_id, results)
