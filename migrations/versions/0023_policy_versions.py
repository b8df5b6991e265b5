"""policy versions: the assessment policy as versioned data, each version in force from a period on

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04

Until now the policy (pass line, penalty, deduction, absent-as-fail, yellow cards and rewards...) was the
environment's settings, read afresh by every close and every regrade's reconciliation. An administrator now makes
a new version with the period it takes effect from and a reason; the settings stay version 0. A closed period
already kept the policy it was closed with (assessment_periods.policy); a regrade reaching it uses that one.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assessment_policy_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.String(length=7), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_assessment_policy_versions_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_policy_versions')),
        sa.UniqueConstraint('number', name=op.f('uq_assessment_policy_versions_number')),
    )
    op.create_index(op.f('ix_assessment_policy_versions_effective_from'), 'assessment_policy_versions',
                    ['effective_from'], unique=False)
    # Each outcome names the version it was decided under (a plain ADD COLUMN: no table rebuild on SQLite).
    op.add_column('assessment_outcomes', sa.Column('policy_version', sa.Integer(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE assessment_outcomes DROP COLUMN policy_version")
    op.drop_index(op.f('ix_assessment_policy_versions_effective_from'), table_name='assessment_policy_versions')
    op.drop_table('assessment_policy_versions')
