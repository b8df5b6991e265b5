"""shop uploads: a shop file waiting between its preview and the administrator's confirmation

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shop_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_shop_uploads_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_uploads')),
        sa.UniqueConstraint('token', name=op.f('uq_shop_uploads_token')),
    )
    with op.batch_alter_table('shop_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_uploads_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shop_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_uploads_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_shop_uploads_created_at'))
    op.drop_table('shop_uploads')
