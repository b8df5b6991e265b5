"""visits: the versioned visit checklist (its four items as version 1), shop visits, tickets, R3 deduction candidates

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05

Each visit fills the checklist version in force; its problems become tickets routed by category; a system-operation
problem after training, or a ticket left open past its due date, becomes a deduction candidate for a supervisor.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

SEED = [
    {"key": "signboard", "label": "门头是否达标", "bad": "no", "needs_fix_date": True},
    {"key": "realname_poster", "label": "实名制海报", "bad": "no", "needs_fix_date": True},
    {"key": "realname_card", "label": "实名制桌牌", "bad": "no", "needs_fix_date": True},
    {"key": "expired_posters", "label": "过期海报", "bad": "yes", "needs_fix_date": True},
]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    versions = op.create_table(
        'field_checklist_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        _fk('field_checklist_versions', 'created_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_checklist_versions')),
        sa.UniqueConstraint('number', name=op.f('uq_field_checklist_versions_number')),
    )
    op.create_table(
        'field_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('checklist_version_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('device_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('late_received', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('counted_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('distance_m', sa.Float(), nullable=True),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('client_key', sa.String(length=64), nullable=True),
        _fk('field_visits', 'user_id', 'users'),
        _fk('field_visits', 'shop_id', 'shops'),
        _fk('field_visits', 'checklist_version_id', 'field_checklist_versions'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_visits')),
        sa.UniqueConstraint('client_key', name=op.f('uq_field_visits_client_key')),
    )
    for column in ('user_id', 'shop_id', 'at', 'counted_at'):
        op.create_index(op.f(f'ix_field_visits_{column}'), 'field_visits', [column], unique=False)
    op.create_table(
        'field_tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('raised_by_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('routed_to', sa.String(length=24), nullable=False),
        sa.Column('routed_unit_id', sa.Integer(), nullable=True),
        sa.Column('routed_user_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('raised_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('due_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        _fk('field_tickets', 'visit_id', 'field_visits'),
        _fk('field_tickets', 'shop_id', 'shops'),
        _fk('field_tickets', 'raised_by_id', 'users'),
        _fk('field_tickets', 'routed_unit_id', 'org_units'),
        _fk('field_tickets', 'routed_user_id', 'users'),
        _fk('field_tickets', 'answered_by_id', 'users'),
        _fk('field_tickets', 'closed_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_tickets')),
    )
    for column in ('visit_id', 'shop_id', 'raised_by_id', 'category', 'routed_unit_id', 'routed_user_id', 'state',
                   'due_at'):
        op.create_index(op.f(f'ix_field_tickets_{column}'), 'field_tickets', [column], unique=False)
    op.create_table(
        'field_deduction_candidates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('cause_key', sa.String(length=64), nullable=False),
        sa.Column('ticket_ids', sa.JSON(), nullable=False),
        sa.Column('visit_ids', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', lms.core.types.UTCDateTime(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
        _fk('field_deduction_candidates', 'user_id', 'users'),
        _fk('field_deduction_candidates', 'shop_id', 'shops'),
        _fk('field_deduction_candidates', 'decided_by_id', 'users'),
        _fk('field_deduction_candidates', 'ledger_entry_id', 'assessment_ledger'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_deduction_candidates')),
        sa.UniqueConstraint('cause_key', name=op.f('uq_field_deduction_candidates_cause_key')),
    )
    for column in ('user_id', 'shop_id', 'state'):
        op.create_index(op.f(f'ix_field_deduction_candidates_{column}'), 'field_deduction_candidates', [column],
                        unique=False)
    op.bulk_insert(versions, [{"number": 1, "items": SEED, "created_by_id": None,
                               "created_at": datetime.now(UTC)}])


def downgrade():
    for column in ('user_id', 'shop_id', 'state'):
        op.drop_index(op.f(f'ix_field_deduction_candidates_{column}'), table_name='field_deduction_candidates')
    op.drop_table('field_deduction_candidates')
    for column in ('visit_id', 'shop_id', 'raised_by_id', 'category', 'routed_unit_id', 'routed_user_id', 'state',
                   'due_at'):
        op.drop_index(op.f(f'ix_field_tickets_{column}'), table_name='field_tickets')
    op.drop_table('field_tickets')
    for column in ('user_id', 'shop_id', 'at', 'counted_at'):
        op.drop_index(op.f(f'ix_field_visits_{column}'), table_name='field_visits')
    op.drop_table('field_visits')
    op.drop_table('field_checklist_versions')
