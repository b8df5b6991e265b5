"""The outreach pages: each a module registering on the blueprint (``lms.outreach.blueprint``), imported here so
the app registers the blueprint with every route."""

from __future__ import annotations

from lms.outreach import (
    contact_views,  # noqa: F401 - one shop's page: its status, reminders and staff contacts
    coverage_views,  # noqa: F401 - the supervisors' coverage of the shop pack
    manager_views,  # noqa: F401 - registers its routes
    media_views,  # noqa: F401 - lesson pictures on the shop's page
    poster_views,  # noqa: F401 - the counter posters (PDF)
    reminder_views,  # noqa: F401 - reminding the shops that have not finished their month
    report_views,  # noqa: F401 - the shop reports a problem
    session_views,  # noqa: F401 - training sessions for shops and their check-in page
    shop_views,  # noqa: F401 - the shop's own page
)
from lms.outreach.blueprint import bp

__all__ = ["bp"]
