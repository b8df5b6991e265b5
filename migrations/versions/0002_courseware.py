"""courseware: lessons, revisions, progress, training sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Lessons (from content/ files or the browser) with immutable rendered revisions, per-person study progress,
training sessions (集中/片区/点对点) with the lessons they cover, invitations and attendance.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('source_path', sa.String(length=500), nullable=True),
    sa.Column('checksum', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('quiz_slug', sa.String(length=80), nullable=True),
    sa.Column('effective', sa.Date(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('current_number', sa.Integer(), nullable=False),
    sa.Column('published_number', sa.Integer(), nullable=True),
    sa.Column('published_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('retired_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lessons_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lessons')),
    sa.UniqueConstraint('slug', name=op.f('uq_lessons_slug'))
    )
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lessons_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_lessons_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_lessons_source'), ['source'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('starts_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['org_units.id'], name=op.f('fk_training_sessions_county_id_org_units')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_sessions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_mode'), ['mode'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('first_opened_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('last_opened_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('studied_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('studied_revision', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_progress_lesson_id_lessons')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_progress_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_progress')),
    sa.UniqueConstraint('lesson_id', 'user_id', name=op.f('uq_lesson_progress_lesson_id_user_id'))
    )
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_progress_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_progress_user_id'), ['user_id'], unique=False)

    op.create_table('lesson_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('quiz_slug', sa.String(length=80), nullable=True),
    sa.Column('effective', sa.Date(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('toc_html', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_lesson_revisions_author_id_users')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_revisions_lesson_id_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_revisions')),
    sa.UniqueConstraint('lesson_id', 'number', name=op.f('uq_lesson_revisions_lesson_id_number'))
    )
    with op.batch_alter_table('lesson_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_revisions_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('training_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.String(length=16), nullable=False),
    sa.Column('marked_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_training_invitations_marked_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_invitations_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_invitations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_invitations')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_training_invitations_session_id_user_id'))
    )
    with op.batch_alter_table('training_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_invitations_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('training_session_lessons',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_training_session_lessons_lesson_id_lessons')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_session_lessons_session_id_training_sessions')),
    sa.PrimaryKeyConstraint('session_id', 'lesson_id', name=op.f('pk_training_session_lessons'))
    )


def downgrade():
    op.drop_table('training_session_lessons')
    with op.batch_alter_table('training_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_training_invitations_session_id'))

    op.drop_table('training_invitations')
    with op.batch_alter_table('lesson_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_revisions_lesson_id'))

    op.drop_table('lesson_revisions')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_progress_user_id'))
        batch_op.drop_index(batch_op.f('ix_lesson_progress_lesson_id'))

    op.drop_table('lesson_progress')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_mode'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_county_id'))

    op.drop_table('training_sessions')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lessons_source'))
        batch_op.drop_index(batch_op.f('ix_lessons_period'))
        batch_op.drop_index(batch_op.f('ix_lessons_category'))

    op.drop_table('lessons')
