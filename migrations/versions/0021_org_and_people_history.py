"""org and people history: units can be deactivated; a person's roles and units over time

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-10

Administrators run the organisation in the browser: a unit is deactivated rather than deleted (people's history
and old results name it), and every change of a person's role, county or grid is kept in an insert-only table.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('org_units', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'person_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=8), nullable=False),
        sa.Column('old', sa.String(length=100), nullable=True),
        sa.Column('new', sa.String(length=100), nullable=True),
        sa.Column('changed_at', lms.core.types.UTCDateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_person_history_changed_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_person_history_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_history')),
    )
    op.create_index(op.f('ix_person_history_user_id'), 'person_history', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_person_history_user_id'), table_name='person_history')
    op.drop_table('person_history')
    # Not a batch operation (SQLite drops a plain column in place), as 0013 does.
    op.execute("ALTER TABLE org_units DROP COLUMN active")
