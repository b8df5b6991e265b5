"""Shop tokens never reach a log: a filter on the access loggers (werkzeug's, gunicorn's) that rewrites every
``/s/<token>`` (a shop's link) and ``/t/<token>`` (a training session's check-in) in a line, and in a quoted
address, to ``/s/…`` and ``/t/…`` (lms.outreach.rules.redact, lms.outreach.session_rules.redact)."""

from __future__ import annotations

import logging

from lms.outreach import rules, session_rules

LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class ShopTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        redacted = session_rules.redact(rules.redact(message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install() -> None:
    """Add the filter to each access logger once (the app factory may run many times in one process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, ShopTokenFilter) for existing in logger.filters):
            logger.addFilter(ShopTokenFilter())
