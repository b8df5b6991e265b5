"""shop sessions: a manager's training sessions for shops (片区培训 / 点对点), invited shops, lessons, check-ins

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08

A manager schedules a session for their own shops (``shop_sessions``, with ``shop_session_shops`` and
``shop_session_lessons``); a shop's staff check in by the session's QR code (its token is never stored, see
lms.outreach.session_rules), one row per person in ``shop_session_checkins``.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shop_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('starts_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('ends_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('cancelled_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('cancel_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_shop_sessions_manager_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_sessions')),
    )
    with op.batch_alter_table('shop_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_sessions_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_sessions_starts_at'), ['starts_at'], unique=False)
    op.create_table(
        'shop_session_shops',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['shop_sessions.id'],
                                name=op.f('fk_shop_session_shops_session_id_shop_sessions')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_session_shops_shop_id_shops')),
        sa.PrimaryKeyConstraint('session_id', 'shop_id', name=op.f('pk_shop_session_shops')),
    )
    with op.batch_alter_table('shop_session_shops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_session_shops_shop_id'), ['shop_id'], unique=False)
    op.create_table(
        'shop_session_lessons',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_shop_session_lessons_lesson_id_lessons')),
        sa.ForeignKeyConstraint(['session_id'], ['shop_sessions.id'],
                                name=op.f('fk_shop_session_lessons_session_id_shop_sessions')),
        sa.PrimaryKeyConstraint('session_id', 'lesson_id', name=op.f('pk_shop_session_lessons')),
    )
    op.create_table(
        'shop_session_checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('invited', sa.Boolean(), nullable=False),
        sa.Column('staff_name', sa.String(length=50), nullable=False),
        sa.Column('staff_phone', sa.String(length=20), nullable=True),
        sa.Column('checked_in_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['shop_sessions.id'],
                                name=op.f('fk_shop_session_checkins_session_id_shop_sessions')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_session_checkins_shop_id_shops')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_session_checkins')),
        sa.UniqueConstraint('session_id', 'shop_id', 'staff_name',
                            name=op.f('uq_shop_session_checkins_session_id_shop_id_staff_name')),
    )
    with op.batch_alter_table('shop_session_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_session_checkins_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_session_checkins_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shop_session_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_session_checkins_shop_id'))
        batch_op.drop_index(batch_op.f('ix_shop_session_checkins_session_id'))
    op.drop_table('shop_session_checkins')
    op.drop_table('shop_session_lessons')
    with op.batch_alter_table('shop_session_shops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_session_shops_shop_id'))
    op.drop_table('shop_session_shops')
    with op.batch_alter_table('shop_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_shop_sessions_manager_id'))
    op.drop_table('shop_sessions')
