"""appeals: a manager's appeal (申诉) against their own ledger entry, and supervisors' comments on it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

One appeal per entry (unique entry_id); an upheld appeal points at the reversal written with it (unique
reversal_id). The ledger itself is unchanged: still insert-only.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assessment_appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('attachment_name', sa.String(length=80), nullable=True),
        sa.Column('attachment_original_name', sa.String(length=200), nullable=True),
        sa.Column('attachment_content_type', sa.String(length=100), nullable=True),
        sa.Column('opened_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('due_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('decided_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('reversal_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_assessment_appeals_decided_by_id_users')),
        sa.ForeignKeyConstraint(['entry_id'], ['assessment_ledger.id'],
                                name=op.f('fk_assessment_appeals_entry_id_assessment_ledger')),
        sa.ForeignKeyConstraint(['reversal_id'], ['assessment_ledger.id'],
                                name=op.f('fk_assessment_appeals_reversal_id_assessment_ledger')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_appeals_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_appeals')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_assessment_appeals_entry_id')),
        sa.UniqueConstraint('reversal_id', name=op.f('uq_assessment_appeals_reversal_id')),
    )
    op.create_index(op.f('ix_assessment_appeals_state'), 'assessment_appeals', ['state'], unique=False)
    op.create_index(op.f('ix_assessment_appeals_user_id'), 'assessment_appeals', ['user_id'], unique=False)
    op.create_table(
        'assessment_appeal_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appeal_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['appeal_id'], ['assessment_appeals.id'],
                                name=op.f('fk_assessment_appeal_comments_appeal_id_assessment_appeals')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_assessment_appeal_comments_author_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_appeal_comments')),
    )
    op.create_index(op.f('ix_assessment_appeal_comments_appeal_id'), 'assessment_appeal_comments', ['appeal_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_assessment_appeal_comments_appeal_id'), table_name='assessment_appeal_comments')
    op.drop_table('assessment_appeal_comments')
    op.drop_index(op.f('ix_assessment_appeals_user_id'), table_name='assessment_appeals')
    op.drop_index(op.f('ix_assessment_appeals_state'), table_name='assessment_appeals')
    op.drop_table('assessment_appeals')
