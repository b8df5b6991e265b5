"""outreach: shops' staff contacts and the manager's reminders per shop and month

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07

A shop's staff (name, mainland mobile, role) kept by its manager (``shop_contacts``: personal data, a removed
contact is deleted); how often and when a manager reminded a shop of its month's pack (``shop_reminders``, one row
per shop and month).
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shop_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('phone', sa.String(length=11), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shop_contacts_created_by_id_users')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_contacts_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_contacts')),
    )
    with op.batch_alter_table('shop_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_contacts_shop_id'), ['shop_id'], unique=False)
    op.create_table(
        'shop_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_reminded_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('reminded_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('reminded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['reminded_by_id'], ['users.id'],
                                name=op.f('fk_shop_reminders_reminded_by_id_users')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_reminders_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_reminders')),
        sa.UniqueConstraint('shop_id', 'period', name=op.f('uq_shop_reminders_shop_id_period')),
    )
    with op.batch_alter_table('shop_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_reminders_period'), ['period'], unique=False)


def downgrade():
    with op.batch_alter_table('shop_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_reminders_period'))
    op.drop_table('shop_reminders')
    with op.batch_alter_table('shop_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_contacts_shop_id'))
    op.drop_table('shop_contacts')
