"""attempts: attempts, answers, events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Attempts with their frozen papers, saved answers, events (server time) and per-person accommodations.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('makeup', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('in_progress_key', sa.String(length=40), nullable=True),
    sa.Column('started_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('deadline_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('finish_reason', sa.String(length=16), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('raw_points', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('paper', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_attempts_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_attempts_quiz_version_id_quiz_versions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('in_progress_key', name=op.f('uq_attempts_in_progress_key')),
    sa.UniqueConstraint('user_id', 'quiz_id', 'number', name=op.f('uq_attempts_user_id_quiz_id_number'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_deadline_at'), ['deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_quiz_version_id'), ['quiz_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_user_id'), ['user_id'], unique=False)

    op.create_table('attempt_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('client_seq', sa.Integer(), nullable=False),
    sa.Column('saved_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_answers_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answers')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_attempt_answers_attempt_id_question_id'))
    )
    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_answers_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('attempt_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_events_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_events'))
    )
    with op.batch_alter_table('attempt_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_events_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_events_kind'), ['kind'], unique=False)

    # ### end Alembic commands ###

    op.create_table('accommodations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_accommodations_created_by_id_users')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_accommodations_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_accommodations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accommodations'))
    )
    with op.batch_alter_table('accommodations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accommodations_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accommodations_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('accommodations')
    op.drop_table('attempt_events')
    op.drop_table('attempt_answers')
    op.drop_table('attempts')
