"""shop reports: a shop reports a problem from its own page, and it becomes a field ticket

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05

A ticket now says where it came from (``source``: a manager's visit, or the shop itself); a shop's own report has
no user who raised it (``raised_by_id`` becomes nullable) but the staff member's name and optional phone, photos
(stored names, re-encoded), and the form's key so a double tap is stored once.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    # No foreign key points at field_tickets (deduction candidates keep ticket ids as JSON): SQLite's batch rebuild
    # of the table is safe.
    with op.batch_alter_table('field_tickets', schema=None) as batch_op:
        batch_op.alter_column('raised_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='visit', nullable=False))
        batch_op.add_column(sa.Column('reporter_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('reporter_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('photos', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_field_tickets_client_key'), ['client_key'])


def downgrade():
    # The old schema needs a user behind every ticket: a shop's own report is attributed to the shop's manager;
    # one of a shop without a manager cannot be kept.
    op.execute("UPDATE field_tickets SET raised_by_id = (SELECT shops.manager_id FROM shops "
               "WHERE shops.id = field_tickets.shop_id) WHERE raised_by_id IS NULL")
    op.execute("DELETE FROM field_tickets WHERE raised_by_id IS NULL")
    with op.batch_alter_table('field_tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_field_tickets_client_key'), type_='unique')
        batch_op.drop_column('client_key')
        batch_op.drop_column('photos')
        batch_op.drop_column('reporter_phone')
        batch_op.drop_column('reporter_name')
        batch_op.drop_column('source')
        batch_op.alter_column('raised_by_id', existing_type=sa.Integer(), nullable=False)
