"""Wiring: the ``attempt_graded`` receivers (issue on a pass, revoke when a regrade takes the pass
away), the attempt API's certificate field, font checks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, url_for

from lms.attempts import api as attempts_api
from lms.certificates import fonts, rules, services
from lms.core.events import attempt_graded
from lms.extensions import db

log = logging.getLogger(__name__)

_warned_about_harfbuzz = False

# Why a certificate is revoked when a regrade after a key correction turns its pass into a fail.
REGRADE_REVOCATION_REASON = "更正答案后不再及格"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["cert_score"] = rules.format_score
    # weak=False: the receiver is a module function, but keep it alive explicitly; connecting twice is a no-op.
    attempt_graded.connect(services.issue_after_grading, weak=False)
    attempt_graded.connect(revoke_after_regrade, weak=False)
    _register_state_extra()
    _warn_without_harfbuzz_subset()


def revoke_after_regrade(attempt: Any, *, regraded: bool = False, actor: Any = None, now: datetime | None = None,
                         **_: Any) -> None:
    """Receiver of ``attempt_graded`` sent by a regrade (``regraded=True``): a certificate whose attempt no longer
    passes is revoked, by the person who regraded. A new pass is issued by ``issue_after_grading`` like any pass.
    Like issuing, a failure here is logged and never undoes the regrade, which is already committed."""
    if not regraded or attempt.passed or actor is None:
        return
    certificate = services.for_attempt(attempt.id)
    if certificate is None or certificate.is_revoked:
        return
    try:
        services.revoke_certificate(certificate.code, by=actor, reason=REGRADE_REVOCATION_REASON, now=now)
    except Exception:
        db.session.rollback()
        log.exception("could not revoke certificate %s after a regrade of attempt %s", certificate.code, attempt.id)


def certificate_state(attempt: Any) -> dict[str, Any]:
    """Merged into ``GET /api/v1/attempts/<id>`` once the attempt has a certificate."""
    certificate = services.for_attempt(attempt.id)
    if certificate is None:
        return {}
    return {"certificate": {"code": certificate.code, "valid": not certificate.is_revoked,
                            "pdf_url": url_for("certificates.download", code=certificate.code),
                            "verify_url": url_for("certificates.verify", code=certificate.code)}}


def _register_state_extra() -> None:
    if certificate_state not in attempts_api.STATE_EXTRAS:
        attempts_api.STATE_EXTRAS.append(certificate_state)


def _warn_without_harfbuzz_subset() -> None:
    global _warned_about_harfbuzz  # noqa: PLW0603 - once per process, however many apps are created
    if _warned_about_harfbuzz or fonts.has_harfbuzz_subset():
        return
    _warned_about_harfbuzz = True
    log.warning("libharfbuzz-subset is not installed: certificate PDFs will render slowly (about 2 s each). "
                "Install the Debian package libharfbuzz-subset0 (make run does).")
