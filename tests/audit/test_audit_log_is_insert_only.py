"""The audit log keeps what was done: an entry records who, from where, what and about whom, and the database
refuses to change or remove it (triggers from migration 0012), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from lms.audit import rules, services
from lms.audit.models import AuditEntry
from lms.extensions import db


@pytest.fixture
def entry(make_user):
    admin, person = make_user("admin"), make_user("manager")
    row = services.record(rules.ROLE_CHANGED, actor=admin, target=person,
                          changes=rules.describe_changes({"role": "manager"}, {"role": "trainer"}))
    db.session.commit()
    return row


def test_an_entry_says_who_what_and_about_whom(entry, app):
    stored = db.session.scalar(select(AuditEntry).where(AuditEntry.id == entry.id))
    assert stored.action == "person.role_changed"
    assert stored.actor_label.startswith("T")
    assert stored.actor_id is not None
    assert stored.changes == {"role": ["manager", "trainer"]}
    assert stored.at.tzinfo is not None


def test_outside_a_request_the_actor_is_the_command_line(make_user, app):
    person = make_user("manager")
    row = services.record(rules.PASSWORD_RESET, target=person)
    db.session.commit()
    assert (row.actor_id, row.actor_label, row.address) == (None, "cli", "")


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET reason = 'edited' WHERE id = :id",
    "UPDATE audit_log SET actor_label = 'someone-else'",
    "DELETE FROM audit_log WHERE id = :id",
    "DELETE FROM audit_log",
])
def test_update_and_delete_are_refused_by_the_database(entry, statement):
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.execute(text(statement), {"id": entry.id})
    db.session.rollback()
    assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1


def test_truncate_is_refused_on_postgresql(entry):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE, refused above")
    with pytest.raises(DatabaseError, match="insert-only"):
        db.session.execute(text("TRUNCATE audit_log CASCADE"))
    db.session.rollback()


def test_describe_changes_lists_only_what_differs():
    assert rules.describe_changes({"role": "manager", "name": "张三"}, {"role": "admin", "name": "张三"}) == {
        "role": ["manager", "admin"]}
    assert rules.describe_changes({}, {"grid": "东城网格"}) == {"grid": [None, "东城网格"]}
