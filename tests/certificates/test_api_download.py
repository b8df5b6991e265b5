"""An API client downloads the certificate the API points to: the ``pdf_url`` of an attempt's state opens with the
holder's bearer token (and a supervisor's within their unit), as a PDF; anyone else gets a JSON 404, a bad token a
JSON 401; the page's session keeps working."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.tokens import bearer_headers


@pytest.fixture
def issued(make_user, make_certificate):
    holder = make_user("manager", county="城区", grid="东城网格")
    certificate = make_certificate(holder)
    return holder, certificate


def _is_pdf(response: Any) -> bool:
    return (response.status_code == 200 and response.mimetype == "application/pdf"
            and response.data.startswith(b"%PDF"))


def test_the_holders_token_downloads_the_pdf_url_the_api_gives(client, runner, issued):
    holder, certificate = issued
    headers = bearer_headers(runner, holder, "app")
    state = client.get(f"/api/v1/attempts/{certificate.attempt_id}", headers=headers)
    assert state.status_code == 200
    pdf_url = state.json["certificate"]["pdf_url"]
    assert pdf_url == f"/certificates/{certificate.code}.pdf"  # other systems link here: it stays
    response = client.get(pdf_url, headers=headers)
    assert _is_pdf(response)
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in response.headers  # a token request starts no session
    inline = client.get(f"{pdf_url}?inline=1", headers=headers)
    assert _is_pdf(inline)
    assert "inline" in inline.headers["Content-Disposition"]


def test_supervisors_within_scope_download_others_get_a_json_404(client, runner, issued, make_user):
    holder, certificate = issued
    url = f"/certificates/{certificate.code}.pdf"
    for allowed in (make_user("supervisor", county="城区", grid=None), make_user("supervisor", county="城区"),
                    make_user("trainer"), make_user("admin")):
        assert _is_pdf(client.get(url, headers=bearer_headers(runner, allowed, "app"))), allowed.role
    for refused in (make_user("supervisor", county="郊区", grid=None), make_user("manager")):
        response = client.get(url, headers=bearer_headers(runner, refused, "app"))
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    missing = client.get("/certificates/AAAA-BBBB-CCCC-DDDD.pdf", headers=bearer_headers(runner, holder, "app"))
    assert missing.status_code == 404
    assert missing.is_json


def test_a_bad_or_dead_token_is_a_json_401(client, runner, issued):
    from lms.extensions import db

    holder, certificate = issued
    url = f"/certificates/{certificate.code}.pdf"
    response = client.get(url, headers={"Authorization": "Bearer lms_not-a-token"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    headers = bearer_headers(runner, holder, "app")
    holder.active = False
    db.session.commit()
    assert client.get(url, headers=headers).status_code == 401


def test_the_page_session_still_downloads_and_anonymous_is_sent_to_sign_in(client, auth, issued):
    holder, certificate = issued
    url = f"/certificates/{certificate.code}.pdf"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    auth.login(holder)
    assert _is_pdf(client.get(url))


def test_the_download_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/certificates/{code}.pdf"]["get"]
    assert operation["servers"] == [{"url": "/", "description": "the site itself (outside /api/v1)"}]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"401", "404"} <= set(operation["responses"])
    state = document["components"]["schemas"]["AttemptState"]["properties"]["certificate"]
    assert "bearer token" in state["properties"]["pdf_url"]["description"]
