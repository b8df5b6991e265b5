"""The PDF itself, checked with poppler the way a person's PDF reader would see it."""

from __future__ import annotations

import re

from lms.certificates import services
from tests.certificates.conftest import pdf_fonts, pdf_text


def test_the_pdf_names_the_holder_in_chinese_with_score_and_code(client, auth, make_user, make_certificate, tmp_path):
    person = make_user(name="欧阳建国", employee_no="M1001")
    certificate = make_certificate(person, score=92.5, title="2026年11月渠道政策月考")
    auth.login(person)
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pdf = response.get_data()
    text = pdf_text(pdf, tmp_path)
    compact = re.sub(r"\s+", "", text)
    for expected in ("欧阳建国", "92.5", certificate.code, "合格证书", "中国电信示例市分公司", "2026年11月渠道政策月考",
                     "M1001"):
        assert expected in compact, expected
    assert f"lms.example.cn/certificates/verify/{certificate.code}" in compact
    assert "已撤销" not in compact
    assert len(pdf) <= 40 * 1024, f"{len(pdf)} bytes"


def test_fonts_are_embedded_as_subsets(app, make_user, make_certificate, tmp_path):
    certificate = make_certificate(make_user(name="张伟"))
    pdf = services.pdf_for(certificate).path.read_bytes()
    rows = pdf_fonts(pdf, tmp_path)
    assert rows, "no fonts listed"
    for row in rows:
        name, emb, sub = row[0], row[-5], row[-4]
        assert re.match(r"^[A-Z]{6}\+", name), name
        assert (emb, sub) == ("yes", "yes"), row
    assert any("Certificate-Sans" in row[0] for row in rows)  # the compact CJK copy is the one used


def test_the_page_is_a4_landscape(app, make_user, make_certificate, tmp_path):
    import subprocess

    path = services.pdf_for(make_certificate(make_user())).path
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595)  # points
    assert re.search(r"Pages:\s+1\n", info)


def test_a_revoked_certificate_pdf_says_so(app, make_user, make_certificate, tmp_path):
    admin = make_user("admin")
    certificate = make_certificate(make_user())
    before = services.pdf_for(certificate).path
    services.revoke_certificate(certificate.code, by=admin, reason="考试作弊")
    after = services.pdf_for(certificate)
    assert after.rendered
    assert after.path != before
    assert not before.exists()  # the stale valid-looking copy is gone from the cache
    assert "已撤销" in pdf_text(after.path.read_bytes(), tmp_path)


def test_a_rare_character_outside_gb2312_still_prints(app, make_user, make_certificate, tmp_path):
    certificate = make_certificate(make_user(name="王堃"))  # 堃 is not in GB 2312: the full Noto font steps in
    pdf = services.pdf_for(certificate).path.read_bytes()
    assert "王堃" in pdf_text(pdf, tmp_path)


def test_a_second_download_comes_from_the_cache(app, make_user, make_certificate):
    certificate = make_certificate(make_user())
    first = services.pdf_for(certificate)
    second = services.pdf_for(certificate)
    assert first.rendered
    assert not second.rendered
    assert first.path == second.path
