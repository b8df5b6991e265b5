"""Reading people for a viewer: the channel managers in their scope, the list every supervisor's board starts from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts import rules
from lms.accounts.access import user_scope_clause
from lms.accounts.models import User
from lms.extensions import db


def managers_in_scope(viewer: User, *, grid_id: int | None = None, with_units: bool = False) -> list[User]:
    """Active channel managers the viewer may see (only those of ``grid_id`` when given), by employee number;
    ``with_units`` loads their county and grid along (for pages that show them, without a query a person)."""
    query = select(User).where(User.role == rules.MANAGER, User.active.is_(True), user_scope_clause(viewer))
    if grid_id is not None:
        query = query.where(User.grid_id == grid_id)
    if with_units:
        query = query.options(selectinload(User.county), selectinload(User.grid))
    return list(db.session.scalars(query.order_by(User.employee_no)))
