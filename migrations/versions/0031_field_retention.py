"""field retention: visits and ground activities record when their photos and coordinates were purged

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05

``flask field purge`` now clears the photos and coordinates of visits and ground activities past the retention
period as it does for check-ins; ``purged_at`` tells their pages the photos were removed, not lost.
"""
import sqlalchemy as sa
from alembic import op

import lms.core.types

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('field_visits', sa.Column('purged_at', lms.core.types.UTCDateTime(), nullable=True))
    op.add_column('field_ground_activities', sa.Column('purged_at', lms.core.types.UTCDateTime(), nullable=True))


def downgrade():
    # Not a batch operation: SQLite drops a plain column in place (as 0027 does).
    op.drop_column('field_ground_activities', 'purged_at')
    op.drop_column('field_visits', 'purged_at')
