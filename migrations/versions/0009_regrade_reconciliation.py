"""regrades carried into closed periods: regrade records and the outcome audit trail

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

A regrade after a key correction is recorded (``assessment_regrades``, one row per changed attempt in
``assessment_regraded_attempts``) so the next monthly close can find the closed outcomes it changes. Those outcomes
are corrected in place; ``assessment_outcome_revisions`` keeps what each was before and which regrade changed it.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_regrades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('correction', sa.JSON(), nullable=False),
    sa.Column('regraded_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('regraded_by_id', sa.Integer(), nullable=True),
    sa.Column('reconciled_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_assessment_regrades_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['regraded_by_id'], ['users.id'],
                            name=op.f('fk_assessment_regrades_regraded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_regrades'))
    )
    with op.batch_alter_table('assessment_regrades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_regrades_quiz_id'), ['quiz_id'], unique=False)

    op.create_table('assessment_regraded_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regrade_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('old_score', sa.Float(), nullable=True),
    sa.Column('new_score', sa.Float(), nullable=True),
    sa.Column('old_passed', sa.Boolean(), nullable=True),
    sa.Column('new_passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'],
                            name=op.f('fk_assessment_regraded_attempts_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['regrade_id'], ['assessment_regrades.id'],
                            name=op.f('fk_assessment_regraded_attempts_regrade_id_assessment_regrades')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_regraded_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_regraded_attempts')),
    sa.UniqueConstraint('regrade_id', 'attempt_id',
                        name=op.f('uq_assessment_regraded_attempts_regrade_id_attempt_id'))
    )
    with op.batch_alter_table('assessment_regraded_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_regraded_attempts_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_regraded_attempts_regrade_id'), ['regrade_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_regraded_attempts_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_outcome_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('regrade_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=8), nullable=False),
    sa.Column('new_status', sa.String(length=8), nullable=False),
    sa.Column('old_score', sa.Float(), nullable=True),
    sa.Column('new_score', sa.Float(), nullable=True),
    sa.Column('old_attempt_id', sa.Integer(), nullable=True),
    sa.Column('new_attempt_id', sa.Integer(), nullable=True),
    sa.Column('revised_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('revised_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['new_attempt_id'], ['attempts.id'],
                            name=op.f('fk_assessment_outcome_revisions_new_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['old_attempt_id'], ['attempts.id'],
                            name=op.f('fk_assessment_outcome_revisions_old_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['outcome_id'], ['assessment_outcomes.id'],
                            name=op.f('fk_assessment_outcome_revisions_outcome_id_assessment_outcomes')),
    sa.ForeignKeyConstraint(['regrade_id'], ['assessment_regrades.id'],
                            name=op.f('fk_assessment_outcome_revisions_regrade_id_assessment_regrades')),
    sa.ForeignKeyConstraint(['revised_by_id'], ['users.id'],
                            name=op.f('fk_assessment_outcome_revisions_revised_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_outcome_revisions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_outcome_revisions'))
    )
    with op.batch_alter_table('assessment_outcome_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_outcome_revisions_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_outcome_revisions_regrade_id'), ['regrade_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_outcome_revisions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assessment_outcome_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_outcome_revisions_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_outcome_revisions_regrade_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_outcome_revisions_outcome_id'))
    op.drop_table('assessment_outcome_revisions')
    with op.batch_alter_table('assessment_regraded_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_regraded_attempts_user_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_regraded_attempts_regrade_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_regraded_attempts_attempt_id'))
    op.drop_table('assessment_regraded_attempts')
    with op.batch_alter_table('assessment_regrades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_regrades_quiz_id'))
    op.drop_table('assessment_regrades')
