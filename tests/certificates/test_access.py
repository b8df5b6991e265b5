"""Who may download, list, zip and revoke: the holder, scoped supervisors, trainers and admins — nobody else."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.support.web import post_form


@pytest.fixture
def holder(make_user):
    return make_user("manager", county="城区", grid="东城网格", name="李娜")


@pytest.fixture
def certificate(holder, make_certificate):
    return make_certificate(holder)


@pytest.mark.parametrize("case", [
    ("manager", "城区", "东城网格", 404),       # a colleague in the same grid
    ("supervisor", "城区", "东城网格", 200),    # the holder's grid leader
    ("supervisor", "城区", None, 200),          # the holder's county manager
    ("supervisor", "城区", "西城网格", 404),    # another grid of the same county
    ("supervisor", "郊县", None, 404),          # another county
    ("supervisor", None, None, 200),            # the city-level market department
    ("trainer", None, None, 200),
    ("admin", None, None, 200),
])
def test_who_may_download_a_certificate(auth, make_user, certificate, case):
    client = auth.client
    role, county, grid, status = case
    auth.login(make_user(role, county=county, grid=grid))
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.get_data()[:5] == b"%PDF-"


def test_the_holder_downloads_their_own_and_signed_out_people_are_sent_to_sign_in(client, auth, holder, certificate):
    anonymous = client.get(f"/certificates/{certificate.code}.pdf")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    auth.login(holder)
    assert client.get(f"/certificates/{certificate.code}.pdf").status_code == 200


def test_my_certificates_lists_only_mine_with_downloads(auth, make_user, holder, make_certificate):
    client = auth.client
    certificate = make_certificate(holder)
    other = make_certificate(make_user(name="王强"))
    auth.login(holder)
    page = client.get("/certificates/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "我的证书" in html
    assert f"/certificates/{certificate.code}.pdf" in html
    assert other.code not in html


def test_a_manager_without_certificates_is_told_how_to_earn_one(client, auth, make_user):
    auth.login(make_user())
    assert "通过月度业务测试" in client.get("/certificates/").get_data(as_text=True)


def test_a_supervisor_zips_the_periods_certificates_of_their_unit_only(client, auth, make_user, make_certificate):
    east = [make_certificate(make_user(county="城区", grid="东城网格")) for _ in range(2)]
    west = make_certificate(make_user(county="城区", grid="西城网格"))
    elsewhere = make_certificate(make_user(county="郊县", grid="北乡网格"))
    october = make_certificate(make_user(county="城区", grid="东城网格"), period="2026-10")
    auth.login(make_user("supervisor", county="城区", grid=None))
    response = client.get("/certificates/period/2026-11.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    joined = "\n".join(names)
    for certificate in [*east, west]:
        assert certificate.code in joined
    assert elsewhere.code not in joined
    assert october.code not in joined
    assert len(names) == 3


def test_a_period_without_certificates_in_scope_is_not_found(client, auth, make_user, make_certificate):
    make_certificate(make_user(county="郊县", grid="北乡网格"))
    auth.login(make_user("supervisor", county="城区", grid=None))
    assert client.get("/certificates/period/2026-11.zip").status_code == 404
    assert client.get("/certificates/period/2026-13.zip").status_code == 404


def test_the_staff_list_is_scoped_and_searchable(client, auth, make_user, make_certificate):
    mine = make_certificate(make_user(county="城区", grid="东城网格", name="赵敏"))
    theirs = make_certificate(make_user(county="郊县", grid="北乡网格", name="钱坤"))
    auth.login(make_user("supervisor", county="城区", grid=None))
    html = client.get("/certificates/manage").get_data(as_text=True)
    assert mine.code in html
    assert theirs.code not in html
    auth.logout()
    auth.login(make_user("trainer"))
    html = client.get("/certificates/manage", query_string={"q": "钱坤"}).get_data(as_text=True)
    assert theirs.code in html
    assert mine.code not in html
    by_code = client.get("/certificates/manage", query_string={"q": mine.code.lower()}).get_data(as_text=True)
    assert mine.code in by_code


def test_an_admin_revokes_with_a_reason(client, auth, make_user, certificate):
    admin = make_user("admin")
    auth.login(admin)
    url = f"/certificates/{certificate.code}/revoke"
    refused = post_form(client, url, {"reason": "  "})
    assert refused.status_code == 200
    assert "请填写撤销原因" in refused.get_data(as_text=True)
    done = post_form(client, url, {"reason": "补考成绩录入错误"})
    assert done.status_code == 302
    db.session.expire_all()
    revoked = db.session.get(Certificate, certificate.id)
    assert revoked.is_revoked
    assert revoked.revoked_reason == "补考成绩录入错误"
    assert revoked.revoked_by_id == admin.id
    again = post_form(client, url, {"reason": "再次"})
    assert "已于" in again.get_data(as_text=True)  # already revoked: said, not done twice
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).revoked_reason == "补考成绩录入错误"


@pytest.mark.parametrize("role", ["manager", "supervisor", "trainer"])
def test_only_admins_revoke(client, auth, make_user, certificate, role):
    auth.login(make_user(role, county="城区", grid=None))
    assert client.get(f"/certificates/{certificate.code}/revoke").status_code == 403
