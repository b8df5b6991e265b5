"""quizzes: quizzes, versions, question banks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Quizzes and their immutable versions (which point at each other), question banks and their questions.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('source_path', sa.String(length=500), nullable=True),
    sa.Column('retired_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes')),
    sa.UniqueConstraint('slug', name=op.f('uq_quizzes_slug'))
    )
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quizzes_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_quizzes_period'), ['period'], unique=False)

    op.create_table('quiz_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('opens_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('closes_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('pass_score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=True),
    sa.Column('review_policy', sa.String(length=16), nullable=False),
    sa.Column('issues_certificate', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_versions_quiz_id_quizzes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_versions')),
    sa.UniqueConstraint('quiz_id', 'number', name=op.f('uq_quiz_versions_quiz_id_number'))
    )
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_versions_quiz_id'), ['quiz_id'], unique=False)

    # quizzes.current_version_id and quiz_versions.quiz_id point at each other: add this one last.
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_quizzes_current_version_id_quiz_versions', 'quiz_versions',
                                    ['current_version_id'], ['id'])

    op.create_table('question_banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_path', sa.String(length=500), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_banks')),
    sa.UniqueConstraint('slug', name=op.f('uq_question_banks_slug'))
    )

    op.create_table('bank_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=True),
    sa.Column('lesson', sa.String(length=100), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('retired_at', lms.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_bank_questions_bank_id_question_banks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_questions')),
    sa.UniqueConstraint('bank_id', 'key', name=op.f('uq_bank_questions_bank_id_key'))
    )
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_questions_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_questions_category'), ['category'], unique=False)


def downgrade():
    op.drop_table('bank_questions')
    op.drop_table('question_banks')
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.drop_constraint('fk_quizzes_current_version_id_quiz_versions', type_='foreignkey')
    op.drop_table('quiz_versions')
    op.drop_table('quizzes')
