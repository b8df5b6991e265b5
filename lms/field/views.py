"""The field pages: each topic is a module registering on the field blueprint (``lms.field.blueprint``), imported
here so the app registers the blueprint with every route."""

from __future__ import annotations

from lms.field import (
    daily_views,  # noqa: F401 - registers its routes
    shop_views,  # noqa: F401 - the shop registry's pages
)
from lms.field.blueprint import bp

__all__ = ["bp"]
from lms.field import (  # noqa: F401 - shop visits, tickets and the R3 queue
    checkin_views,
    ticket_views,
    visit_compliance_views,
    visit_views,
)
