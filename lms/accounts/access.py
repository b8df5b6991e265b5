"""Access control, done once: role decorators and scope filters for queries.

Every query that lists people or their records for a viewer goes through ``scope_clause`` so a county supervisor
can never see another county, whatever page, export or API asks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, false, true

from lms.accounts import rules
from lms.accounts.models import User
from lms.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-in and one of ``roles``; anonymous people go to the sign-in page, others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def scope_clause(viewer: User, *, user_id_col: Any, county_col: Any, grid_col: Any) -> ColumnElement[bool]:
    """A WHERE clause limiting rows (people or their records) to what ``viewer`` may see."""
    scope = viewer.scope
    if scope.kind == rules.ALL:
        return true()
    if scope.kind == rules.COUNTY_SCOPE:
        return county_col == scope.county_id  # type: ignore[no-any-return]
    if scope.kind == rules.GRID_SCOPE:
        return grid_col == scope.grid_id  # type: ignore[no-any-return]
    if scope.user_id is None:
        return false()
    return user_id_col == scope.user_id  # type: ignore[no-any-return]


def user_scope_clause(viewer: User) -> ColumnElement[bool]:
    """``scope_clause`` for queries over ``User`` itself."""
    return scope_clause(viewer, user_id_col=User.id, county_col=User.county_id, grid_col=User.grid_id)


def can_view_person(viewer: User, person: User) -> bool:
    return viewer.scope.covers(user_id=person.id, county_id=person.county_id, grid_id=person.grid_id)
