"""A manager downloads their certificate in a real Chromium from a server that is not on 127.0.0.1:5000 and with no
LMS_BASE_URL: the printed verify address is the one the browser used, and it opens the certificate's check."""

from __future__ import annotations

import re

import pytest

from tests.certificates.conftest import pdf_text
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


@pytest.fixture
def app_config(app_config):
    config = dict(app_config)
    config.pop("LMS_BASE_URL")  # as shipped: not set
    return config


def test_the_downloaded_pdf_points_to_the_server_it_came_from(page, live_server, make_user, make_certificate,
                                                                tmp_path):
    person = make_user(name="欧阳建国")
    certificate = make_certificate(person)
    sign_in(page, person)
    page.goto("/certificates/")
    href = page.get_attribute("a:has-text('下载 PDF')", "href")
    with page.expect_download() as download:
        page.click("a:has-text('下载 PDF')")
    pdf = download.value.path().read_bytes()
    assert href == f"/certificates/{certificate.code}.pdf"

    text = re.sub(r"\s+", "", pdf_text(pdf, tmp_path))
    printed = f"{live_server}/certificates/verify/{certificate.code}"
    assert printed in text
    assert "127.0.0.1:5000" not in text

    page.goto(printed)
    assert "欧阳建国" in page.locator("main").inner_text()
