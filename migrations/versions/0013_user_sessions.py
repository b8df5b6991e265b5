"""server-side sessions and forced password change

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Each sign-in is a row of ``user_sessions`` (the cookie carries a secret whose SHA-256 is stored), deleted when the
session ends. ``users.must_change_password`` marks a temporary password set by an administrator.

The per-person ``users.session_token`` these replace stays, unused: dropping a UNIQUE column on SQLite means
rebuilding ``users``, which every other table references, and a rebuild with foreign keys on fails once there is
data (the column is added without a rebuild: ALTER TABLE ADD COLUMN).
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_user_sessions_secret_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))


def downgrade():
    # Not a batch operation, for the reason above (SQLite drops a plain column in place).
    op.execute("ALTER TABLE users DROP COLUMN must_change_password")
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
