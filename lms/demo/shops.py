"""Demo shops: five per demo channel manager, in their grid, around a city centre, so the field pages (the shop
list, the visit form's nearest shops, the compliance boards) have something to show."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from lms.field.models import Shop
from lms.field.rules import BUSINESS, TERMINAL, VILLAGE

CENTRE = (30.27, 120.15)
SHOPS_PER_MANAGER = 5
# (kind, name pattern): a manager's five shops, two terminal, two business, one village (which has no coordinates
# on record, as many village shops do not: the visit form lists those last).
PATTERN = ((TERMINAL, "{grid}手机卖场{n}号店"), (TERMINAL, "{grid}数码通讯{n}店"), (BUSINESS, "{grid}便民服务点{n}"),
           (BUSINESS, "{grid}合作营业厅{n}"), (VILLAGE, "{grid}村级服务站{n}"))


def load_shops() -> int:
    """Add the demo shops that are missing (by code); never touch existing ones. Returns how many were added."""
    managers = list(db.session.scalars(select(User).where(User.role == "manager", User.employee_no.like("M1%"))
                                       .order_by(User.employee_no)))
    existing = set(db.session.scalars(select(Shop.code)))
    grids = sorted({m.grid_id for m in managers if m.grid_id is not None})
    added = 0
    for number, manager in enumerate(managers):
        grid_index = grids.index(manager.grid_id) if manager.grid_id in grids else 0
        # Grids sit on a ring around the centre, about 4 km apart; a manager's shops within a kilometre or so.
        base_lat = CENTRE[0] + 0.03 * ((grid_index % 3) - 1)
        base_lng = CENTRE[1] + 0.035 * ((grid_index // 3) - 1)
        grid_name = (manager.grid.name if manager.grid else "").removesuffix("网格").removesuffix("营业部")
        for index, (kind, pattern) in enumerate(PATTERN):
            code = f"QD{manager.employee_no[1:]}{index + 1}"
            if code in existing:
                continue
            positioned = kind != VILLAGE
            lat = base_lat + 0.002 * ((number * 7 + index * 3) % 9 - 4) if positioned else None
            lng = base_lng + 0.002 * ((number * 5 + index * 4) % 9 - 4) if positioned else None
            db.session.add(Shop(code=code, name=pattern.format(grid=grid_name, n=number % 9 + index + 1), kind=kind,
                                star=(number * 3 + index) % 5 + 1, address=f"{grid_name}路{number * 10 + index + 1}号",
                                latitude=lat, longitude=lng, grid_id=manager.grid_id, manager_id=manager.id,
                                active=True))
            added += 1
    db.session.commit()
    return added
