"""ground activities queued offline: the phone's time, the late-received flag and the form's key

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07

A ground activity filed with no signal waits on the phone (IndexedDB) and is sent later, as visits are: the phone's
time of the activity is kept beside the server's, the activity is flagged late-received (离线补传), and the form's
key makes a resend harmless (stored once).
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    # field_ground_activities has no foreign keys pointing at it: SQLite's batch rebuild of the table is safe.
    with op.batch_alter_table('field_ground_activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_at', lms.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('late_received', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_field_ground_activities_client_key'), ['client_key'])


def downgrade():
    with op.batch_alter_table('field_ground_activities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_field_ground_activities_client_key'), type_='unique')
        batch_op.drop_column('client_key')
        batch_op.drop_column('late_received')
        batch_op.drop_column('device_at')
