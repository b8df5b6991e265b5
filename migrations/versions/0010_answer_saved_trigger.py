"""answer_saved evidence written by the database on SQLite

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Every stored change of an answer leaves an ``answer_saved`` event (attempt, time, question, the number the stored
answer carries). On PostgreSQL the autosave's statement writes it (a writing CTE). SQLite has no writing CTEs, so
the autosave ran a second INSERT for it, 8% of an autosave's instructions (callgrind, docs/performance.md), while
holding the database's single write lock; these triggers write it in the same statement instead, for every insert
or update of an answer row, whichever code path made it. PostgreSQL: nothing to do.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_EVENT = ("INSERT INTO attempt_events (attempt_id, kind, at, detail) VALUES (NEW.attempt_id, 'answer_saved', "
          "NEW.saved_at, json_object('question', NEW.question_id, 'seq', NEW.client_seq))")


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TRIGGER attempt_answers_saved_on_insert AFTER INSERT ON attempt_answers BEGIN {_EVENT}; END")
    op.execute(f"CREATE TRIGGER attempt_answers_saved_on_update AFTER UPDATE ON attempt_answers BEGIN {_EVENT}; END")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER attempt_answers_saved_on_update")
    op.execute("DROP TRIGGER attempt_answers_saved_on_insert")
