"""quizzes built in the browser: status, owner, builder form, preview attempts

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

A quiz is a draft (trainers only) or published; it is owned by its file (``flask sync``) or by the browser (the
test builder, whose form is kept in ``builder_data``). A trainer's preview attempt is flagged ``is_preview`` and
never counts. Columns are added without a table rebuild (ALTER TABLE ADD COLUMN), as in 0013: every existing quiz
stays published and file-owned, every existing attempt is not a preview. Who published is in the audit log
(a foreign key added in place is not possible on SQLite).
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('quizzes', sa.Column('status', sa.String(length=16), server_default='published', nullable=False))
    op.add_column('quizzes', sa.Column('managed_by', sa.String(length=8), server_default='file', nullable=False))
    op.add_column('quizzes', sa.Column('builder_data', sa.JSON(), nullable=True))
    op.add_column('quizzes', sa.Column('published_at', lms.core.types.UTCDateTime(), nullable=True))
    op.add_column('attempts', sa.Column('is_preview', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # Not batch operations, for the reason above (SQLite drops a plain column in place).
    op.execute("ALTER TABLE attempts DROP COLUMN is_preview")
    for column in ('published_at', 'builder_data', 'managed_by', 'status'):
        op.execute(f"ALTER TABLE quizzes DROP COLUMN {column}")
