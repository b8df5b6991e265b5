"""Recording administrative acts. ``record`` adds the entry to the caller's transaction; the caller commits."""

from __future__ import annotations

import logging
from typing import Any

from flask import has_request_context
from flask_login import current_user

from lms.accounts.models import User
from lms.audit import rules
from lms.audit.models import AuditEntry
from lms.extensions import client_address, db

log = logging.getLogger(__name__)


def record(action: str, *, target: User | None = None, subject: str = "", changes: dict[str, Any] | None = None,
           reason: str = "", actor: User | None = None) -> AuditEntry:
    """Add an audit entry for ``action`` to the current transaction, to be committed with the act itself.

    The actor is ``actor`` if given, else the signed-in person of the request; outside a request (a server command),
    ``cli``. The address is the request's, or empty.
    """
    in_request = has_request_context()
    if target is not None and target.id is None:
        db.session.flush()  # a person created in this same transaction: their id is needed now
    if actor is None and in_request and current_user.is_authenticated:
        actor = current_user._get_current_object()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.employee_no if actor is not None else (rules.SYSTEM if in_request else rules.COMMAND_LINE),
        address=client_address()[:64] if in_request else "",
        action=action,
        target_user_id=target.id if target is not None else None,
        subject=subject[:200],
        changes=changes or {},
        reason=reason[:500],
    )
    db.session.add(entry)
    log.info("audit %s by %s on %s %s", action, entry.actor_label, target.employee_no if target else "-", subject)
    return entry


def record_export(what: str, *, filename: str, fmt: str, rows: int, target: User | None = None,
                  period: str | None = None, filters: dict[str, Any] | None = None,
                  actor: User | None = None) -> AuditEntry:
    """A download of personal data (people's results, ledger, notices, certificates, this log): one entry per
    download, saying what it held (``what``, one of ``rules.EXPORT_LABELS``), for which period or filter, in which
    format and how many rows. Reading changes nothing else, so this commits the entry itself."""
    facts: dict[str, Any] = {"what": what, "format": fmt, "rows": rows}
    if period:
        facts["period"] = period
    if filters:
        facts["filters"] = filters
    entry = record(rules.PERSONAL_DATA_EXPORTED, target=target, subject=filename, changes=facts, actor=actor)
    db.session.commit()
    return entry
