"""reporting indexes on assessment outcomes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

Two indexes the report pages need at city scale (10,000 managers × 24 closed periods, bench/reports.py):
- (user_id, period, status): "the deciding outcome before this period" for each failing person, found by walking
  the index backwards (the failed-twice list and the risk board);
- (period, status, county_id, grid_id, score): covers pass rates, averages, score bins and 12-month trends, so
  those aggregate from the index alone.
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment_outcomes', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_outcomes_user_id_period_status', ['user_id', 'period', 'status'],
                              unique=False)
        batch_op.create_index('ix_assessment_outcomes_period_status_units',
                              ['period', 'status', 'county_id', 'grid_id', 'score'], unique=False)


def downgrade():
    with op.batch_alter_table('assessment_outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_outcomes_period_status_units')
        batch_op.drop_index('ix_assessment_outcomes_user_id_period_status')
