"""lesson media and lessons taken over in the browser

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

Screenshots and attachments uploaded in the lesson editor: one row per file and lesson, the bytes on disk under
LMS_MEDIA_DIR named by their SHA-256. A lesson that came from a file can be taken over in the browser: it becomes a
``web`` lesson, keeps its ``source_path``, and ``taken_over_at`` makes ``flask sync`` skip its file.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_over_at', lms.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('taken_over_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_lessons_taken_over_by_id_users'), 'users',
                                    ['taken_over_by_id'], ['id'])
    op.create_table('lesson_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_media_lesson_id_lessons')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_lesson_media_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_media')),
    sa.UniqueConstraint('lesson_id', 'stored_name', name=op.f('uq_lesson_media_lesson_id_stored_name'))
    )
    with op.batch_alter_table('lesson_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_media_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_media_stored_name'), ['stored_name'], unique=False)


def downgrade():
    with op.batch_alter_table('lesson_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_media_stored_name'))
        batch_op.drop_index(batch_op.f('ix_lesson_media_lesson_id'))
    op.drop_table('lesson_media')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lessons_taken_over_by_id_users'), type_='foreignkey')
        batch_op.drop_column('taken_over_by_id')
        batch_op.drop_column('taken_over_at')
