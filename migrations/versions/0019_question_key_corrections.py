"""question key corrections: a regrade's corrected key, applied to papers drawn afterwards

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

A regrade corrects the key on the papers that exist; a paper drawn later (a make-up, a second attempt) came from
the bank or file with the old key. Each correction is now kept (insert-only) and applied when a paper is drawn.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_key_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.String(length=200), nullable=False),
        sa.Column('correction', sa.JSON(), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('corrected_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'],
                                name=op.f('fk_question_key_corrections_corrected_by_id_users')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_question_key_corrections_quiz_id_quizzes')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_key_corrections')),
    )
    op.create_index(op.f('ix_question_key_corrections_quiz_id'), 'question_key_corrections', ['quiz_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_question_key_corrections_quiz_id'), table_name='question_key_corrections')
    op.drop_table('question_key_corrections')
