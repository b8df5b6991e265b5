"""shops: the channel registry (code, kind, star, place, grid, manager) and the history of star and owner changes

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05

The field day starts from the shops a channel manager is responsible for: visits, check-ins near them, tickets and
the shops' own training all name a shop.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shops',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('star', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=200), server_default='', nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('grid_id', sa.Integer(), nullable=True),
        sa.Column('manager_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['grid_id'], ['org_units.id'], name=op.f('fk_shops_grid_id_org_units')),
        sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_shops_manager_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shops')),
        sa.UniqueConstraint('code', name=op.f('uq_shops_code')),
    )
    op.create_index(op.f('ix_shops_kind'), 'shops', ['kind'], unique=False)
    op.create_index(op.f('ix_shops_grid_id'), 'shops', ['grid_id'], unique=False)
    op.create_index(op.f('ix_shops_manager_id'), 'shops', ['manager_id'], unique=False)
    op.create_index(op.f('ix_shops_active'), 'shops', ['active'], unique=False)
    op.create_table(
        'shop_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('old', sa.String(length=100), nullable=True),
        sa.Column('new', sa.String(length=100), nullable=True),
        sa.Column('changed_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_shop_history_changed_by_id_users')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_history_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_history')),
    )
    op.create_index(op.f('ix_shop_history_shop_id'), 'shop_history', ['shop_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_shop_history_shop_id'), table_name='shop_history')
    op.drop_table('shop_history')
    for column in ('active', 'manager_id', 'grid_id', 'kind'):
        op.drop_index(op.f(f'ix_shops_{column}'), table_name='shops')
    op.drop_table('shops')
