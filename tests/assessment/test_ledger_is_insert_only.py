"""The database itself refuses to change or remove ledger rows (triggers from migration 0005), on SQLite and
PostgreSQL alike; an entry can be reversed once."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from lms.assessment.models import LedgerEntry
from lms.extensions import db
from tests.support.ledger import add_ledger_entry


@pytest.fixture
def entry(make_user):
    person = make_user("manager")
    return add_ledger_entry(person, amount_yuan=200, idempotency_key="2026-11:user:x:cash_penalty")


@pytest.mark.parametrize("statement", [
    "UPDATE assessment_ledger SET amount_yuan = 0",
    "UPDATE assessment_ledger SET reason = 'edited' WHERE id = :id",
    "DELETE FROM assessment_ledger WHERE id = :id",
    "DELETE FROM assessment_ledger",
])
def test_update_and_delete_are_refused_by_the_database(entry, statement):
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.execute(text(statement), {"id": entry.id})
    db.session.rollback()
    amount, reason = db.session.execute(
        text("SELECT amount_yuan, reason FROM assessment_ledger WHERE id = :id"), {"id": entry.id}).one()
    assert (amount, reason) == (200, "连续两个月不及格")


def test_orm_changes_are_refused_too(entry):
    entry.amount_yuan = 0
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(LedgerEntry, entry.id))
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(LedgerEntry, entry.id).amount_yuan == 200


def test_truncate_is_refused_on_postgresql(entry):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE, refused above")
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.execute(text("TRUNCATE assessment_ledger CASCADE"))
    db.session.rollback()


def test_an_entry_can_be_reversed_only_once_even_past_the_application(entry):
    def reversal(key):
        return LedgerEntry(user_id=entry.user_id, period=entry.period, kind="reversal", amount_yuan=-200,
                           reason="申诉成立", rule="appeal", rule_version=1, idempotency_key=key,
                           reverses_id=entry.id)

    db.session.add(reversal("a"))
    db.session.commit()
    db.session.add(reversal("b"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(LedgerEntry).filter_by(reverses_id=entry.id).count() == 1
