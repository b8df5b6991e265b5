"""The demo's shops: five per demo channel manager, in the manager's grid, around the city centre, added once."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.demo.services import load_people
from lms.demo.shops import CENTRE, load_shops
from lms.extensions import db
from lms.field import shop_queries
from lms.field.models import Shop


def test_every_demo_manager_gets_five_shops_near_the_centre_once(app):
    load_people()
    assert load_shops() == 200
    assert load_shops() == 0
    manager = db.session.scalar(select(User).where(User.employee_no == "M1001"))
    own = shop_queries.shops_for(manager)
    assert len(own) == 5
    assert {shop.grid_id for shop in own} == {manager.grid_id}
    placed = [s for s in db.session.scalars(select(Shop)) if s.latitude is not None]
    assert len(placed) == 160
    assert all(abs(s.latitude - CENTRE[0]) < 0.05 and abs(s.longitude - CENTRE[1]) < 0.05 for s in placed)
    nearest = shop_queries.nearest_shops(manager, *CENTRE, limit=5)
    assert nearest[-1].distance_m is None  # the village shop has no coordinates on record
    assert db.session.scalar(select(func.count(func.distinct(Shop.kind)))) == 3
