"""outreach: lessons for shops, shop links and each shop's month (opened, read, checked)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06

A trainer marks a lesson "for shops" (``audience: shops`` in a file); the month's shop pack is sent to each shop by
a revocable, expiring link (``shop_links``; the token itself is never stored, see lms.outreach.rules); what a shop
did with its month's pack is one row in ``shop_readings``.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_shops', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('lesson_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_shops', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'shop_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('expires_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shop_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_links_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_links')),
    )
    with op.batch_alter_table('shop_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_links_shop_id'), ['shop_id'], unique=False)
    op.create_table(
        'shop_readings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('last_opened_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('opens', sa.Integer(), nullable=False),
        sa.Column('checked_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('check_score', sa.Float(), nullable=True),
        sa.Column('check_passed', sa.Boolean(), nullable=True),
        sa.Column('check_results', sa.JSON(), nullable=True),
        sa.Column('confirmed_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('staff_name', sa.String(length=50), nullable=True),
        sa.Column('staff_phone', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['link_id'], ['shop_links.id'], name=op.f('fk_shop_readings_link_id_shop_links')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_readings_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_readings')),
        sa.UniqueConstraint('shop_id', 'period', name=op.f('uq_shop_readings_shop_id_period')),
    )
    with op.batch_alter_table('shop_readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_readings_period'), ['period'], unique=False)


def downgrade():
    with op.batch_alter_table('shop_readings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_readings_period'))
    op.drop_table('shop_readings')
    with op.batch_alter_table('shop_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_links_shop_id'))
    op.drop_table('shop_links')
    with op.batch_alter_table('lesson_revisions', schema=None) as batch_op:
        batch_op.drop_column('for_shops')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('for_shops')
