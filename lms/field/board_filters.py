"""The filters a supervisor's monthly board reads from its address (拜访达标, 门店学习覆盖): the month asked for (this
month by default; a month still to come is a 404) and a grid, only one of the viewer's own."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_login import current_user

from lms.core.clock import period_of, utcnow
from lms.field import checkin_rules, shop_queries


def month_and_grid() -> tuple[str, int | None, list[Any]]:
    """(the month, the grid id or None, the viewer's grids with their counties for the grid filter)."""
    now = utcnow()
    period = request.args.get("period") or period_of(now)
    if not checkin_rules.valid_period(period) or period > period_of(now):
        abort(404)
    grids = shop_queries.grid_choices(current_user)
    grid_id = request.args.get("grid", type=int)
    if grid_id is not None and grid_id not in {grid.id for grid, _county in grids}:
        grid_id = None
    return period, grid_id, grids
