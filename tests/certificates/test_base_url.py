"""Where a certificate's QR code and printed verify address point: ``LMS_BASE_URL`` when it is set, else the address
the download came to (behind a proxy, as ProxyFix reports it); the bulk command refuses to guess."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.certificates import rendering, services
from tests.certificates.conftest import pdf_text


@pytest.fixture
def app_config(app_config):
    config = dict(app_config)
    config.pop("LMS_BASE_URL")  # as shipped: not set
    return config


@pytest.fixture
def holders_certificate(auth, make_user, make_certificate):
    """A certificate whose holder is signed in on ``client``."""
    person = make_user()
    certificate = make_certificate(person)
    auth.login(person)
    return certificate


def _pdf_text(client, code: str, tmp_path: Path, *, headers: dict[str, str]) -> str:
    """The PDF as downloaded with these headers, signed in whatever host they name (the test client sends a cookie
    only to the host it was set for, as a browser does)."""
    host = headers.get("Host", "localhost").split(":")[0]
    client.set_cookie("session", client.get_cookie("session").value, domain=host)
    response = client.get(f"/certificates/{code}.pdf", headers=headers)
    assert response.status_code == 200
    return re.sub(r"\s+", "", pdf_text(response.get_data(), tmp_path))


def test_without_lms_base_url_the_link_is_the_address_the_download_came_to(client, holders_certificate, tmp_path):
    certificate = holders_certificate
    text = _pdf_text(client, certificate.code, tmp_path, headers={"Host": "lms.intranet:8080"})

    assert f"http://lms.intranet:8080/certificates/verify/{certificate.code}" in text
    assert "127.0.0.1:5000" not in text


def test_the_qr_code_carries_the_same_address_as_the_printed_one(app, make_user, make_certificate):
    certificate = make_certificate(make_user())
    with app.test_request_context("/", base_url="https://lms.example.org"):
        document = services.document_for(certificate)
    expected = f"https://lms.example.org/certificates/verify/{certificate.code}"
    assert document.verify_url == expected
    assert rendering.qr_data_uri(expected) in rendering.render_html(document)


def test_behind_a_proxy_the_link_uses_the_forwarded_scheme_and_host(app, client, holders_certificate, tmp_path):
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    certificate = holders_certificate

    text = _pdf_text(client, certificate.code, tmp_path,
                     headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lms.example.org",
                              "X-Forwarded-For": "10.1.2.3"})

    assert f"https://lms.example.org/certificates/verify/{certificate.code}" in text


def test_a_pdf_cached_for_another_address_is_never_served(client, holders_certificate, tmp_path):
    certificate = holders_certificate
    first = _pdf_text(client, certificate.code, tmp_path, headers={"Host": "old.example.org"})
    assert f"old.example.org/certificates/verify/{certificate.code}" in first

    second = _pdf_text(client, certificate.code, tmp_path, headers={"Host": "new.example.org"})

    assert f"new.example.org/certificates/verify/{certificate.code}" in second
    assert "old.example.org" not in second


def test_lms_base_url_wins_over_the_request(app, client, holders_certificate, tmp_path):
    app.config["LMS_BASE_URL"] = "https://lms.example.cn/"
    certificate = holders_certificate

    text = _pdf_text(client, certificate.code, tmp_path, headers={"Host": "10.0.0.7:8000"})

    assert f"https://lms.example.cn/certificates/verify/{certificate.code}" in text
    assert "10.0.0.7" not in text


def test_bulk_rendering_refuses_without_a_base_url(app, runner, make_user, make_certificate):
    make_certificate(make_user())

    result = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "1"])

    assert result.exit_code == 2
    assert "LMS_BASE_URL is not set" in result.output
    assert "--base-url" in result.output
    assert list(Path(app.config["LMS_CERT_CACHE_DIR"]).glob("*/*.pdf")) == []


def test_bulk_rendering_with_a_base_url_prints_it(app, runner, make_user, make_certificate, tmp_path):
    certificate = make_certificate(make_user())

    result = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "1",
                                 "--base-url", "https://lms.example.org"])

    assert result.exit_code == 0, result.output
    assert "1 rendered" in result.output
    [pdf] = Path(app.config["LMS_CERT_CACHE_DIR"]).glob("*/*.pdf")
    text = re.sub(r"\s+", "", pdf_text(pdf.read_bytes(), tmp_path))
    assert f"https://lms.example.org/certificates/verify/{certificate.code}" in text


def test_bulk_rendering_checks_the_base_url_it_is_given(runner, make_user, make_certificate):
    make_certificate(make_user())
    result = runner.invoke(args=["certificates", "render", "2026-11", "--base-url", "lms.example.org"])
    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_without_a_request_or_a_base_url_a_document_cannot_be_made(app, make_user, make_certificate):
    certificate = make_certificate(make_user())
    with pytest.raises(services.BaseUrlUnknown, match="LMS_BASE_URL"):
        services.document_for(certificate)
