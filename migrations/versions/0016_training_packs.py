"""the month's training pack, chosen by a trainer

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Until now the month's pack was implied by lessons' periods, so publishing one December lesson replaced every
manager's pack. A pack is now a row of its own: its month, the lessons a trainer chose in their order, the month's
test, and whether (and when, by whom) it was published.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('announcement_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                            name=op.f('fk_training_packs_announcement_id_announcements')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_packs_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_training_packs_published_by_id_users')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_training_packs_quiz_id_quizzes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_packs')),
    sa.UniqueConstraint('period', name=op.f('uq_training_packs_period'))
    )
    op.create_table('training_pack_lessons',
    sa.Column('pack_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_training_pack_lessons_lesson_id_lessons')),
    sa.ForeignKeyConstraint(['pack_id'], ['training_packs.id'],
                            name=op.f('fk_training_pack_lessons_pack_id_training_packs')),
    sa.PrimaryKeyConstraint('pack_id', 'lesson_id', name=op.f('pk_training_pack_lessons'))
    )


def downgrade():
    op.drop_table('training_pack_lessons')
    op.drop_table('training_packs')
