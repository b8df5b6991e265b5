"""daily plans and reports: the morning form, ground activities, the day's assignments, process indicator weights

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06

A channel manager's day (工作安排): one report per person per day (yesterday, today's plan, the 17:00 progress
report), its ground activities with photos and results, and the supervisor's assignment of the day. The weights of
the process indicators the monthly close computes (县区自主考核): county 0 holds the city's default.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'field_daily_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('yesterday', sa.Text(), server_default='', nullable=False),
        sa.Column('plan', sa.Text(), server_default='', nullable=False),
        sa.Column('plan_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('progress', sa.Text(), server_default='', nullable=False),
        sa.Column('progress_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('progress_late', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_daily_reports_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_daily_reports')),
        sa.UniqueConstraint('user_id', 'day', name=op.f('uq_field_daily_reports_user_id_day')),
    )
    op.create_index(op.f('ix_field_daily_reports_user_id'), 'field_daily_reports', ['user_id'], unique=False)
    op.create_index(op.f('ix_field_daily_reports_day'), 'field_daily_reports', ['day'], unique=False)
    op.create_table(
        'field_ground_activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('handsets_sold', sa.Integer(), server_default='0', nullable=False),
        sa.Column('broadband_signups', sa.Integer(), server_default='0', nullable=False),
        sa.Column('new_lines', sa.Integer(), server_default='0', nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['field_daily_reports.id'],
                                name=op.f('fk_field_ground_activities_report_id_field_daily_reports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_ground_activities')),
    )
    op.create_index(op.f('ix_field_ground_activities_report_id'), 'field_ground_activities', ['report_id'],
                    unique=False)
    op.create_table(
        'field_day_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_field_day_assignments_manager_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_field_day_assignments_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_day_assignments')),
        sa.UniqueConstraint('manager_id', 'day', name=op.f('uq_field_day_assignments_manager_id_day')),
    )
    op.create_index(op.f('ix_field_day_assignments_manager_id'), 'field_day_assignments', ['manager_id'],
                    unique=False)
    op.create_index(op.f('ix_field_day_assignments_day'), 'field_day_assignments', ['day'], unique=False)
    op.create_table(
        'field_indicator_weights',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=32), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_field_indicator_weights_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_indicator_weights')),
        sa.UniqueConstraint('county_id', 'indicator', name=op.f('uq_field_indicator_weights_county_id_indicator')),
    )
    op.create_index(op.f('ix_field_indicator_weights_county_id'), 'field_indicator_weights', ['county_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_field_indicator_weights_county_id'), table_name='field_indicator_weights')
    op.drop_table('field_indicator_weights')
    for column in ('day', 'manager_id'):
        op.drop_index(op.f(f'ix_field_day_assignments_{column}'), table_name='field_day_assignments')
    op.drop_table('field_day_assignments')
    op.drop_index(op.f('ix_field_ground_activities_report_id'), table_name='field_ground_activities')
    op.drop_table('field_ground_activities')
    for column in ('day', 'user_id'):
        op.drop_index(op.f(f'ix_field_daily_reports_{column}'), table_name='field_daily_reports')
    op.drop_table('field_daily_reports')
