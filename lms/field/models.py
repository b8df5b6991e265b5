"""The field day's tables, one module per topic, registered with the app and alembic through this module (which
the app factory imports): shops and their history, check-ins, visits with tickets and R3 candidates, daily reports,
the process indicators' points. Other modules import the tables from here; the table modules import one another's
tables from their own modules, never from here (no import cycle)."""

from __future__ import annotations

from lms.field import checkin_models, daily_models, indicator_models, visit_models  # noqa: F401 - registered
from lms.field.shop_models import Shop, ShopHistory, ShopUpload

__all__ = ["Shop", "ShopHistory", "ShopUpload"]
