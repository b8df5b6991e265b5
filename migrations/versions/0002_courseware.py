"""courseware: lessons, revisions, progress, training sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Placeholder in the migration chain, filled in by the change that adds this domain's tables.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
