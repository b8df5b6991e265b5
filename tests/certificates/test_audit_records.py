"""Revoking a certificate leaves one audit entry (who, whose, which certificate, why), a refused revocation none; a
period's zip of certificates is a download of personal data, recorded once per download with its count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit import rules as audit_rules
from lms.audit.models import AuditEntry
from lms.certificates import services
from lms.core.errors import Conflict, ValidationFailed
from lms.extensions import db
from tests.support.web import post_form


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_revocation_is_recorded_with_the_reason(make_user, make_certificate):
    admin, holder = make_user("admin"), make_user("manager", name="欧阳建国")
    certificate = make_certificate(holder)
    services.revoke_certificate(certificate.code, by=admin, reason="答卷作弊，成绩作废")
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        audit_rules.CERTIFICATE_REVOKED, admin.id, holder.id)
    assert entry.subject == f"证书 {certificate.code}"
    assert entry.changes == {"code": certificate.code, "period": "2026-11"}
    assert entry.reason == "答卷作弊，成绩作废"


def test_a_refused_revocation_leaves_no_entry(make_user, make_certificate):
    admin = make_user("admin")
    certificate = make_certificate(make_user("manager"))
    with pytest.raises(ValidationFailed):
        services.revoke_certificate(certificate.code, by=admin, reason="  ")
    services.revoke_certificate(certificate.code, by=admin, reason="成绩更正")
    with pytest.raises(Conflict):
        services.revoke_certificate(certificate.code, by=admin, reason="再撤销一次")
    assert [e.reason for e in entries()] == ["成绩更正"]


def test_revoking_through_the_page_records_the_address(client, auth, make_user, make_certificate):
    admin = make_user("admin")
    certificate = make_certificate(make_user("manager"))
    auth.login(admin)
    post_form(client, f"/certificates/{certificate.code}/revoke", {"reason": "成绩更正"})
    [entry] = entries()
    assert entry.actor_id == admin.id
    assert entry.address == "127.0.0.1"


def test_each_period_zip_is_recorded_with_its_count(client, auth, make_user, make_certificate):
    supervisor = make_user("supervisor", county="城区", grid=None)
    for _ in range(2):
        make_certificate(make_user("manager", county="城区"))
    make_certificate(make_user("manager", county="郊县"))  # not theirs: neither in the zip nor in the count
    auth.login(supervisor)
    assert client.get("/certificates/period/2026-11.zip").status_code == 200
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.subject) == (
        audit_rules.PERSONAL_DATA_EXPORTED, supervisor.id, "certificates-2026-11.zip")
    assert entry.changes == {"what": "certificates_period", "format": "zip", "rows": 2, "period": "2026-11"}
    assert client.get("/certificates/period/2026-10.zip").status_code == 404  # nothing to download, nothing recorded
    assert len(entries()) == 1
