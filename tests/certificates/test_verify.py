"""The public check: a page anyone can open from the QR code, and the API other systems call."""

from __future__ import annotations

import pytest

from lms.certificates import services


@pytest.fixture
def certificate(make_user, make_certificate):
    return make_certificate(make_user(name="欧阳建国"), score=92.5, title="2026年11月渠道政策月考")


def test_anyone_can_check_a_valid_certificate_without_signing_in(client, certificate):
    response = client.get(f"/certificates/verify/{certificate.code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in ("证书有效", "欧阳建国", "2026年11月渠道政策月考", "92.5", certificate.code, "2026-11-05"):
        assert expected in html, expected
    assert "已撤销" not in html
    assert 'name="robots" content="noindex' in html  # names of people are not for search engines


def test_a_revoked_certificate_says_so_on_the_page_and_in_the_api(client, make_user, certificate):
    services.revoke_certificate(certificate.code, by=make_user("admin"), reason="成绩作废")
    page = client.get(f"/certificates/verify/{certificate.code}").get_data(as_text=True)
    assert "此证书已撤销" in page
    assert "证书有效" not in page
    assert "成绩作废" not in page  # the reason is internal
    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert body["valid"] is False
    assert body["revoked"] is True
    assert body["revoked_at"]


def test_the_api_answers_with_the_contract_fields(client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.code}")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("valid", "name", "quiz", "score", "revoked")} == {
        "valid": True, "name": "欧阳建国", "quiz": "2026年11月渠道政策月考", "score": 92.5, "revoked": False}
    assert body["issued_at"].startswith("2026-11-05")


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS", "not-a-code", "1234"])
def test_an_unknown_code_gets_a_plain_not_found(client, certificate, code):
    page = client.get(f"/certificates/verify/{code}")
    assert page.status_code == 404
    assert "证书不存在" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{code}")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"


def test_a_code_typed_in_lower_case_leads_to_the_certificate(client, certificate):
    typed = certificate.code.lower().replace("-", "")
    response = client.get(f"/certificates/verify/{typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/certificates/verify/{certificate.code}")
    assert client.get(f"/api/v1/certificates/{typed}").get_json()["name"] == "欧阳建国"


def test_the_code_form_leads_to_the_certificate_or_explains_the_format(client, certificate):
    found = client.get("/certificates/verify", query_string={"code": f" {certificate.code.lower()} "})
    assert found.status_code == 302
    assert found.headers["Location"].endswith(certificate.code)
    wrong = client.get("/certificates/verify", query_string={"code": "12345"})
    assert wrong.status_code == 200
    assert "格式不正确" in wrong.get_data(as_text=True)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_CERT_VERIFY_LIMIT": "5 per minute"}


def test_guessing_codes_is_rate_limited(client, certificate):
    statuses = [client.get(f"/api/v1/certificates/ABCD-EFGH-JKMN-PQ{n:02d}").status_code for n in range(22, 30)]
    assert statuses[:5] == [404] * 5
    assert 429 in statuses[5:]
    assert client.get(f"/certificates/verify/{certificate.code}").status_code == 429  # pages share the budget


def test_the_api_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/certificates/{code}"]["get"]
    assert operation["security"] == []
    assert {"valid", "name", "quiz", "score", "issued_at", "revoked"} <= set(
        spec["components"]["schemas"]["CertificateStatus"]["required"])
