"""assessment: periods, outcomes, insert-only ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

Closed periods, outcomes, the ledger (insert-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL),
rankings, imported indicators, notices and post-adjustment decisions.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LEDGER_REFUSAL = "assessment_ledger is insert-only: write a reversal entry instead"


def upgrade():
    op.create_table('assessment_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('closed_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('quiz_count', sa.Integer(), nullable=False),
    sa.Column('outcome_count', sa.Integer(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_assessment_periods_closed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_periods')),
    sa.UniqueConstraint('period', name=op.f('uq_assessment_periods_period'))
    )

    op.create_table('assessment_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_assessment_outcomes_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['county_id'], ['org_units.id'], name=op.f('fk_assessment_outcomes_county_id_org_units')),
    sa.ForeignKeyConstraint(['grid_id'], ['org_units.id'], name=op.f('fk_assessment_outcomes_grid_id_org_units')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_assessment_outcomes_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_outcomes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_outcomes')),
    sa.UniqueConstraint('period', 'user_id', name=op.f('uq_assessment_outcomes_period_user_id'))
    )
    with op.batch_alter_table('assessment_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_outcomes_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_outcomes_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_yuan', sa.Integer(), nullable=True),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessment_ledger_created_by_id_users')),
    sa.ForeignKeyConstraint(['reverses_id'], ['assessment_ledger.id'], name=op.f('fk_assessment_ledger_reverses_id_assessment_ledger')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_ledger_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_ledger')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_assessment_ledger_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_assessment_ledger_reverses_id'))
    )
    with op.batch_alter_table('assessment_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_ledger_period_user_id', ['period', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_ledger_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_ledger_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_rankings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('unified_score', sa.Float(), nullable=False),
    sa.Column('test_score', sa.Float(), nullable=True),
    sa.Column('deductions', sa.Float(), nullable=False),
    sa.Column('indicators', sa.Float(), nullable=False),
    sa.Column('band', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['org_units.id'], name=op.f('fk_assessment_rankings_county_id_org_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_rankings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rankings')),
    sa.UniqueConstraint('period', 'user_id', name=op.f('uq_assessment_rankings_period_user_id'))
    )
    with op.batch_alter_table('assessment_rankings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_rankings_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_assessment_indicators_imported_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_indicators_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_indicators')),
    sa.UniqueConstraint('period', 'user_id', 'name', name=op.f('uq_assessment_indicators_period_user_id_name'))
    )
    with op.batch_alter_table('assessment_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_indicators_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('published_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['org_units.id'], name=op.f('fk_assessment_notices_county_id_org_units')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_assessment_notices_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_notices')),
    sa.UniqueConstraint('period', 'county_id', name=op.f('uq_assessment_notices_period_county_id'))
    )

    op.create_table('assessment_post_adjustment_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_assessment_post_adjustment_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['assessment_ledger.id'], name=op.f('fk_assessment_post_adjustment_decisions_entry_id_assessment_ledger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_post_adjustment_decisions')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_assessment_post_adjustment_decisions_entry_id'))
    )

    _create_insert_only_triggers()


def _create_insert_only_triggers():
    """The database itself refuses to change or remove a ledger row, whatever client connects."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION assessment_ledger_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{LEDGER_REFUSAL}' USING ERRCODE = 'restrict_violation';
            END $$
        """)
        op.execute("CREATE TRIGGER assessment_ledger_no_update_or_delete BEFORE UPDATE OR DELETE "
                   "ON assessment_ledger FOR EACH ROW EXECUTE FUNCTION assessment_ledger_insert_only()")
        op.execute("CREATE TRIGGER assessment_ledger_no_truncate BEFORE TRUNCATE "
                   "ON assessment_ledger FOR EACH STATEMENT EXECUTE FUNCTION assessment_ledger_insert_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER assessment_ledger_no_{action.lower()} BEFORE {action} ON assessment_ledger "
                       f"BEGIN SELECT RAISE(ABORT, '{LEDGER_REFUSAL}'); END")


def downgrade():
    # Dropping the table removes its triggers on both databases; the function is PostgreSQL's own object.
    op.drop_table('assessment_post_adjustment_decisions')
    op.drop_table('assessment_notices')
    with op.batch_alter_table('assessment_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_indicators_user_id'))
    op.drop_table('assessment_indicators')
    with op.batch_alter_table('assessment_rankings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_rankings_user_id'))
    op.drop_table('assessment_rankings')
    with op.batch_alter_table('assessment_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_ledger_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_ledger_kind'))
        batch_op.drop_index('ix_assessment_ledger_period_user_id')
    op.drop_table('assessment_ledger')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS assessment_ledger_insert_only()")
    with op.batch_alter_table('assessment_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_outcomes_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_outcomes_county_id'))
    op.drop_table('assessment_outcomes')
    op.drop_table('assessment_periods')
