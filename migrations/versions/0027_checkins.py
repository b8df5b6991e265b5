"""checkins: check-ins on the phone (slot, server and device time, place, photo, flags), the privacy notice's
acknowledgements, and the business hall's coordinates on org units

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-05

A morning check-in is judged against the business hall of the person's grid, so units gain a place; photos and
coordinates are purged after the retention period (``purged_at``) while the check-in and its flags stay.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org_units') as batch:
        batch.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('longitude', sa.Float(), nullable=True))
    op.create_table(
        'field_checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('device_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('late_received', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('accuracy_m', sa.Float(), nullable=True),
        sa.Column('distance_m', sa.Float(), nullable=True),
        sa.Column('place_label', sa.String(length=200), server_default='', nullable=False),
        sa.Column('place_latitude', sa.Float(), nullable=True),
        sa.Column('place_longitude', sa.Float(), nullable=True),
        sa.Column('photo_name', sa.String(length=80), nullable=True),
        sa.Column('photo_content_type', sa.String(length=40), nullable=True),
        sa.Column('late', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('early', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('far', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('no_location', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('note', sa.String(length=500), server_default='', nullable=False),
        sa.Column('idempotency_key', sa.String(length=120), nullable=False),
        sa.Column('purged_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_checkins_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_checkins')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_field_checkins_idempotency_key')),
        sa.UniqueConstraint('user_id', 'day', 'slot', name=op.f('uq_field_checkins_user_id_day_slot')),
    )
    op.create_index(op.f('ix_field_checkins_user_id'), 'field_checkins', ['user_id'], unique=False)
    op.create_index(op.f('ix_field_checkins_day'), 'field_checkins', ['day'], unique=False)
    op.create_table(
        'field_privacy_acks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=16), nullable=False),
        sa.Column('acknowledged_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_privacy_acks_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_privacy_acks')),
        sa.UniqueConstraint('user_id', 'version', name=op.f('uq_field_privacy_acks_user_id_version')),
    )
    op.create_index(op.f('ix_field_privacy_acks_user_id'), 'field_privacy_acks', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_field_privacy_acks_user_id'), table_name='field_privacy_acks')
    op.drop_table('field_privacy_acks')
    op.drop_index(op.f('ix_field_checkins_day'), table_name='field_checkins')
    op.drop_index(op.f('ix_field_checkins_user_id'), table_name='field_checkins')
    op.drop_table('field_checkins')
    # Not a batch operation: rebuilding org_units would break the users' foreign keys; SQLite drops a plain column
    # in place, as 0013 and 0021 do.
    op.drop_column('org_units', 'longitude')
    op.drop_column('org_units', 'latitude')
