"""Certificate use cases: issue, revoke, look up, decide who may download, render a period in parallel."""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import secrets
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.accounts.access import can_view_person, scope_clause
from lms.accounts.models import User
from lms.attempts.models import IN_PROGRESS, Attempt
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.certificates import rendering, rules
from lms.certificates.models import Certificate
from lms.core.clock import period_of, to_local, utcnow
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion

log = logging.getLogger(__name__)

STAFF_ROLES = ("trainer", "admin")
RENDER_BATCH = 10  # documents per task: small enough that both workers finish within a second of each other


# --- issuing ------------------------------------------------------------------------------------------------------

def issue_for_attempt(attempt: Attempt, *, now: datetime | None = None, commit: bool = True) -> Certificate | None:
    """The attempt's certificate, issued now if it earned one and has none yet; None if it earns none.

    Idempotent: one certificate per attempt, whoever calls (the submit's event, the monthly close) and however often.
    With ``commit=False`` the caller owns the transaction (the monthly close issues many in one).
    """
    existing = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    if existing is not None:
        return existing
    version = attempt.quiz_version
    if attempt.is_preview:  # a trainer's trial of the test earns nothing
        return None
    if not rules.is_eligible(passed=attempt.passed, finished=attempt.is_finished, quiz_kind=attempt.quiz.kind,
                             issues_certificate=bool(version.issues_certificate)):
        return None
    now = now or utcnow()
    period = attempt.quiz.period or period_of(attempt.finished_at or now)
    certificate = Certificate(
        code=rules.generate_code(), user_id=attempt.user_id, attempt_id=attempt.id, quiz_id=attempt.quiz_id,
        holder_name=attempt.user.name, quiz_title=attempt.quiz.title, period=period,
        score=float(attempt.score or 0.0), max_score=float(attempt.max_score or 100.0), issued_at=now,
    )
    db.session.add(certificate)
    if not commit:
        db.session.flush()  # the caller's transaction; a concurrent issue surfaces there as an IntegrityError
        return certificate
    try:
        db.session.commit()
    except IntegrityError:
        # Issued at the same moment by another process (the submit's event and the monthly close): theirs stands.
        db.session.rollback()
        existing = for_attempt(attempt.id)
        if existing is None:
            raise
        return existing
    log.info("certificate %s issued for attempt %s", certificate.code, attempt.id)
    return certificate


ISSUE_CHUNK = 500  # attempts per statement: well under SQLite's and PostgreSQL's bound-parameter limits


class _BufferedChoice:
    """``secrets.choice`` for thousands of codes: the same CSPRNG, read 4 KB at a time instead of once per character,
    and unbiased (bytes past the last whole multiple of the alphabet's length are skipped)."""

    def __init__(self) -> None:
        self.buffer, self.position = b"", 0

    def __call__(self, alphabet: str) -> str:
        limit = 256 - 256 % len(alphabet)
        while True:
            if self.position >= len(self.buffer):
                self.buffer, self.position = secrets.token_bytes(4096), 0
            byte = self.buffer[self.position]
            self.position += 1
            if byte < limit:
                return alphabet[byte % len(alphabet)]


def issue_for_attempts(attempt_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """``issue_for_attempt`` for many attempts at once (the monthly close): two statements per 500 attempts instead
    of two per attempt, and no attempt loaded as an object (its paper is large). The caller owns the transaction.

    Idempotent like the single path: attempts that already have a certificate — or get one from a concurrent
    submit while this runs (ON CONFLICT DO NOTHING on the attempt) — are left alone. Returns how many were issued.
    """
    now = now or utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    ids = sorted(set(attempt_ids))
    issued = 0
    choose = _BufferedChoice()
    for start in range(0, len(ids), ISSUE_CHUNK):
        rows = db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.quiz_id, Attempt.status, Attempt.passed, Attempt.score,
                   Attempt.max_score, Attempt.finished_at, Quiz.kind, Quiz.period, Quiz.title,
                   QuizVersion.issues_certificate, User.name)
            .join(Quiz, Quiz.id == Attempt.quiz_id).join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.id.in_(ids[start:start + ISSUE_CHUNK]), Attempt.is_preview.is_(False),
                   ~exists().where(Certificate.attempt_id == Attempt.id))).all()
        values = [
            {"code": rules.generate_code(choose), "user_id": row.user_id, "attempt_id": row.id, "quiz_id": row.quiz_id,
             "holder_name": row.name, "quiz_title": row.title,
             "period": row.period or period_of(row.finished_at or now), "score": float(row.score or 0.0),
             "max_score": float(row.max_score or 100.0), "issued_at": now}
            for row in rows
            if rules.is_eligible(passed=row.passed, finished=row.status != IN_PROGRESS, quiz_kind=row.kind,
                                 issues_certificate=bool(row.issues_certificate))]
        if values:  # executemany of one compiled statement (a 500-row VALUES list would be compiled each time)
            table = Certificate.__table__
            statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["attempt_id"])
            issued += len(db.session.execute(statement.returning(table.c.id), values).all())
    if issued:
        log.info("%d certificates issued in bulk", issued)
    return issued


def issue_after_grading(attempt: Attempt, **_: Any) -> None:
    """Receiver of ``attempt_graded``: issue right away, but never let a certificate problem break a submit."""
    try:
        issue_for_attempt(attempt)
    except Exception:
        db.session.rollback()
        log.exception("could not issue a certificate for attempt %s; the monthly close will retry", attempt.id)


# --- looking up ---------------------------------------------------------------------------------------------------

def find_by_code(text: str) -> Certificate | None:
    code = rules.normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def get_by_code(text: str) -> Certificate:
    certificate = find_by_code(text)
    if certificate is None:
        raise NotFound("证书不存在")
    return certificate


def for_attempt(attempt_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))


def certificates_of(user: User) -> list[Certificate]:
    query = select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at.desc())
    return list(db.session.scalars(query))


def _scoped(viewer: User) -> Select[tuple[Certificate]]:
    return (select(Certificate).join(User, User.id == Certificate.user_id)
            .where(scope_clause(viewer, user_id_col=User.id, county_col=User.county_id, grid_col=User.grid_id))
            .options(joinedload(Certificate.user)))


def visible_certificates(viewer: User, *, period: str | None = None, search: str = "") -> list[Certificate]:
    """Certificates of the people ``viewer`` may see, newest first, optionally of one period or matching a search."""
    query = _scoped(viewer)
    if period:
        query = query.where(Certificate.period == period)
    search = search.strip()
    if search:
        code = rules.normalise_code(search)
        like = f"%{search}%"
        clauses = [Certificate.holder_name.like(like), User.employee_no.like(like), Certificate.quiz_title.like(like)]
        if code:
            clauses.append(Certificate.code == code)
        query = query.where(or_(*clauses))
    return list(db.session.scalars(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(500)))


def periods_with_certificates(viewer: User) -> list[str]:
    query = (select(Certificate.period).join(User, User.id == Certificate.user_id)
             .where(scope_clause(viewer, user_id_col=User.id, county_col=User.county_id, grid_col=User.grid_id))
             .distinct().order_by(Certificate.period.desc()))
    return list(db.session.scalars(query))


def can_download(viewer: User, certificate: Certificate) -> bool:
    """The holder, supervisors whose unit covers the holder, trainers and admins."""
    if viewer.id == certificate.user_id or viewer.role in STAFF_ROLES:
        return True
    return viewer.role == "supervisor" and can_view_person(viewer, certificate.user)


def downloadable(viewer: User, text: str) -> Certificate:
    """The certificate if ``viewer`` may download it; NotFound otherwise (no hint that the code exists)."""
    certificate = find_by_code(text)
    if certificate is None or not can_download(viewer, certificate):
        raise NotFound("证书不存在")
    return certificate


# --- revoking -----------------------------------------------------------------------------------------------------

def revoke_certificate(code: str, *, by: User, reason: str, now: datetime | None = None) -> Certificate:
    certificate = get_by_code(code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写撤销原因", ["reason：撤销原因不能为空"])
    if certificate.is_revoked:
        raise Conflict(f"证书 {certificate.code} 已于 {to_local(certificate.revoked_at).date()} 撤销")  # type: ignore[arg-type]
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_by_id = by.id
    audit.record(audit_rules.CERTIFICATE_REVOKED, actor=by, target=certificate.user, subject=f"证书 {certificate.code}",
                 changes={"code": certificate.code, "period": certificate.period}, reason=reason)
    db.session.commit()
    log.warning("certificate %s revoked by %s: %s", certificate.code, by.employee_no, reason)
    return certificate


# --- what verifiers see -------------------------------------------------------------------------------------------

def public_status(certificate: Certificate) -> dict[str, Any]:
    """The contract of ``GET /api/v1/certificates/<code>``; the revocation reason stays internal."""
    return {
        "valid": not certificate.is_revoked,
        "code": certificate.code,
        "name": certificate.holder_name,
        "quiz": certificate.quiz_title,
        "period": certificate.period,
        "score": certificate.score,
        "max_score": certificate.max_score,
        "issued_at": certificate.issued_at.isoformat(),
        "revoked": certificate.is_revoked,
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
    }


# --- documents and PDFs -------------------------------------------------------------------------------------------

class BaseUrlUnknown(ValidationFailed):
    """A certificate rendered outside a request (the bulk command) with no ``LMS_BASE_URL``: its QR code and printed
    address would not know where the platform is."""

    code = "base_url_unknown"


def public_base_url(config: Any = None) -> str | None:
    """Where a certificate's verify link points: ``LMS_BASE_URL`` when set; otherwise the address the current
    request came to (its scheme, host and script root, as ProxyFix sees them behind a proxy); None outside a request.

    A PDF cached for one address is never served for another: the verify URL is part of the document's
    fingerprint, hence of the cache file's name (rules.CertificateDocument.fingerprint).
    """
    configured = str((config if config is not None else current_app.config).get("LMS_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return None


def document_for(certificate: Certificate, config: dict[str, Any] | None = None, *,
                 base_url: str | None = None) -> rules.CertificateDocument:
    """What is printed on ``certificate``; ``base_url`` (e.g. the bulk command's ``--base-url``) overrides
    ``public_base_url``."""
    config = config or current_app.config
    base = (base_url or "").strip().rstrip("/") or public_base_url(config)
    if base is None:
        raise BaseUrlUnknown("LMS_BASE_URL 未设置：证书上的二维码和核验地址不知道指向哪里。请设置 LMS_BASE_URL"
                             "（人们打开平台的地址，例如 https://lms.example.cn）或使用 --base-url。")
    return rules.CertificateDocument(
        code=certificate.code,
        holder_name=certificate.holder_name,
        employee_no=certificate.user.employee_no,
        quiz_title=certificate.quiz_title,
        period=certificate.period,
        score=certificate.score,
        max_score=certificate.max_score,
        issued_at=to_local(certificate.issued_at),
        company_name=config["LMS_COMPANY_NAME"],
        verify_url=rules.verify_url(base, certificate.code),
        revoked=certificate.is_revoked,
    )


def pdf_for(certificate: Certificate) -> rendering.CachedPdf:
    return rendering.ensure_pdf(document_for(certificate))


def download_name(certificate: Certificate) -> str:
    return f"证书-{certificate.holder_name}-{certificate.period}-{certificate.code}.pdf"


def period_zip(viewer: User, period: str) -> tuple[bytes, int]:
    """The period's certificates of the people ``viewer`` may see, as one zip (PDFs are already compressed)."""
    certificates = [c for c in visible_certificates(viewer, period=rules.parse_period(period))
                    if not c.is_revoked]
    if not certificates:
        raise NotFound(f"{period} 没有可下载的证书")
    design = rendering.current_design()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            cached = rendering.ensure_pdf(document_for(certificate), design)
            unit = certificate.user.unit_label.replace(" / ", "-")
            archive.write(cached.path, arcname=f"{unit}/{download_name(certificate)}")
    audit.record_export(audit_rules.EXPORT_CERTIFICATES, filename=f"certificates-{period}.zip", fmt="zip",
                        rows=len(certificates), period=period, actor=viewer)
    return buffer.getvalue(), len(certificates)


# --- bulk rendering -----------------------------------------------------------------------------------------------

@dataclass
class RenderReport:
    period: str
    total: int = 0
    rendered: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)


def documents_of_period(period: str, *, base_url: str | None = None) -> list[rules.CertificateDocument]:
    query = (select(Certificate).where(Certificate.period == rules.parse_period(period))
             .options(joinedload(Certificate.user)).order_by(Certificate.id))
    return [document_for(c, base_url=base_url) for c in db.session.scalars(query)]


def render_period(period: str, *, workers: int | None = None, base_url: str | None = None,
                  progress: Callable[[int], None] | None = None) -> RenderReport:
    """Render every certificate PDF of ``period`` that the cache lacks, in ``workers`` processes.

    The workers get this process's design (template, stylesheet, fonts, where the cache is) and the documents to
    render, as plain values: they never build the app nor touch the database; only the cache directory is shared.
    Outside a request the verify links need ``base_url`` or ``LMS_BASE_URL`` (BaseUrlUnknown otherwise).
    """
    try:
        documents = documents_of_period(period, base_url=base_url)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    design = rendering.current_design()
    report = RenderReport(period=period, total=len(documents))
    missing = [d for d in documents if not rendering.cached_path(d, design).exists()]
    report.cached = report.total - len(missing)
    if progress and report.cached:
        progress(report.cached)
    if not missing:
        return report
    workers = max(1, min(workers or default_workers(), len(missing)))
    if workers == 1:
        for document in missing:
            for outcome in rendering.ensure_pdfs([document], design):
                _record(report, outcome, progress)
        return report
    batches = [missing[i : i + RENDER_BATCH] for i in range(0, len(missing), RENDER_BATCH)]
    # spawn, not fork: GLib/fontconfig (inside WeasyPrint) and database connections do not survive a fork cleanly.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=rendering.start_worker,
                             initargs=(design,)) as pool:
        futures = [pool.submit(rendering.render_batch, batch) for batch in batches]
        for future in as_completed(futures):
            for outcome in future.result():
                _record(report, outcome, progress)
    return report


def default_workers() -> int:
    configured = current_app.config.get("LMS_CERT_RENDER_WORKERS")
    return int(configured) if configured else (os.cpu_count() or 1)


def _record(report: RenderReport, outcome: rendering.Outcome,
            progress: Callable[[int], None] | None) -> None:
    code, rendered, error = outcome
    if error:
        report.failed.append(f"{code}: {error}")
    elif rendered:
        report.rendered += 1
    else:
        report.cached += 1
    if progress:
        progress(1)
