"""question imports waiting for confirmation, and question media

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05

A question file uploaded on the bank page is previewed first and written only when the trainer confirms; between
the two its bytes wait in question_import_uploads (with their SHA-256, the uploader and the bank), for an hour.
Pictures embedded in imported questions are stored on disk under LMS_MEDIA_DIR/questions by their SHA-256; each
bank that holds one has a row in question_media (who imported it, when, its original name and size).
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('bank_slug', sa.String(length=100), nullable=False),
    sa.Column('bank_title', sa.String(length=200), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_question_import_uploads_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_import_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_question_import_uploads_token'))
    )
    with op.batch_alter_table('question_import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_import_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_import_uploads_uploaded_by_id'), ['uploaded_by_id'],
                              unique=False)
    op.create_table('question_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_question_media_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_question_media_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_media')),
    sa.UniqueConstraint('bank_id', 'stored_name', name=op.f('uq_question_media_bank_id_stored_name'))
    )
    with op.batch_alter_table('question_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_media_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_media_stored_name'), ['stored_name'], unique=False)


def downgrade():
    with op.batch_alter_table('question_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_media_stored_name'))
        batch_op.drop_index(batch_op.f('ix_question_media_bank_id'))
    op.drop_table('question_media')
    with op.batch_alter_table('question_import_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_import_uploads_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_question_import_uploads_created_at'))
    op.drop_table('question_import_uploads')
