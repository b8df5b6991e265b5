"""wrong-answer book: practice progress and mastered items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

One row per person and question identity (bank or quiz, key): right answers on different days in practice, and
when the item was mastered (by the person, or by practice) so it leaves the book until a newer wrong answer.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wrong_answer_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('question_key', sa.String(length=120), nullable=False),
    sa.Column('wrong_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('correct_days', sa.Integer(), nullable=False),
    sa.Column('last_correct_on', sa.Date(), nullable=True),
    sa.Column('checked_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('mastered_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('mastered_by', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wrong_answer_progress_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wrong_answer_progress')),
    sa.UniqueConstraint('user_id', 'source', 'question_key',
                        name=op.f('uq_wrong_answer_progress_user_id_source_question_key'))
    )
    with op.batch_alter_table('wrong_answer_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wrong_answer_progress_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('wrong_answer_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wrong_answer_progress_user_id'))
    op.drop_table('wrong_answer_progress')
