"""Training sessions for the outreach tests: a draft for the shop world's manager (tests/outreach/support.py), and
a session scheduled at a chosen distance from now (in the past too: scheduled "then")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lms.core.clock import utcnow
from lms.outreach import session_rules
from lms.outreach import session_services as services
from lms.outreach.session_models import ShopSession
from tests.outreach.support import World

SETTINGS = session_rules.WindowSettings()


def draft(world: World, *, starts: datetime | None = None, hours: float = 2,
          **changes: Any) -> session_rules.SessionDraft:
    starts = starts or utcnow() + timedelta(days=1)
    values: dict[str, Any] = {"title": "12月终端政策片区培训", "kind": session_rules.AREA,
                              "place": "东城营业厅二楼会议室", "starts_at": starts,
                              "ends_at": starts + timedelta(hours=hours),
                              "shop_ids": tuple(shop.id for shop in world.shops), "lesson_ids": ()}
    values.update(changes)
    return session_rules.SessionDraft(**values)


def schedule(world: World, *, starts_in: timedelta = timedelta(days=1), **changes: Any) -> ShopSession:
    """A session of the world's manager starting ``starts_in`` from now (negative: it started already; it is
    scheduled as if two hours before its start)."""
    starts = utcnow() + starts_in
    return services.schedule_session(world.manager, draft(world, starts=starts, **changes),
                                     now=min(utcnow(), starts - timedelta(hours=2)))
