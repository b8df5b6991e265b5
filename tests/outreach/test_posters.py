"""The counter poster PDF, read back the way a shop would: its Chinese text by pdftotext, its pages by pdfinfo, and
its QR code by rendering each page with pdftoppm and decoding the picture (zxing-cpp), which must give the shop's
own link."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from lms.extensions import db
from lms.outreach import links, services
from lms.outreach.models import ShopLink
from tests.outreach.support import shop_world


@pytest.fixture
def world(app, make_user):
    world = shop_world(make_user)
    world.manager.phone = "13800138000"
    db.session.commit()
    return world


def _address(app, link: ShopLink) -> str:
    with app.test_request_context():
        return links.address_of(db.session.get(ShopLink, link.id))


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


def _save(pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", _run("pdftotext", "-layout", str(path), "-"))


def page_count(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))


def decoded_qr_codes(path: Path, folder: Path) -> list[str]:
    """Each page as a 100 dpi PNG in ``folder`` (a phone's camera sees less), decoded: the QR codes' texts, page by
    page."""
    folder.mkdir(parents=True, exist_ok=True)
    _run("pdftoppm", "-r", "100", "-png", "-gray", str(path), str(folder / "page"))
    found = []
    for page in sorted(folder.glob("page-*.png")):
        with Image.open(page) as image:
            found += [result.text for result in zxingcpp.read_barcodes(image.convert("L"))
                      if result.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def test_one_shops_poster_is_one_a4_page_in_chinese_with_its_links_qr_code(app, auth, world, tmp_path):
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    response = auth.client.get(f"/outreach/shops/{world.shops[0].id}/poster.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    path = _save(response.get_data(), tmp_path)
    assert page_count(path) == 1
    info = _run("pdfinfo", str(path))
    assert "(A4)" in info
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842)  # portrait, in points
    address = _address(app, link)
    assert "/s/" not in info  # the token is printed on the page, not in the document's metadata
    text = pdf_text(path)
    for expected in ("扫码学习本月政策", "东城手机店", "十二月购机直降", "实名制要点", "负责渠道经理：王经理",
                     "13800138000", "S001"):
        assert expected in text, expected
    assert "西城营业厅" not in text
    assert "酬金规则" not in text  # not for shops
    assert address.removeprefix("http://") in text  # the link written out, for a phone without a camera
    assert decoded_qr_codes(path, tmp_path) == [address]


def test_all_my_shops_is_one_page_per_shop_with_a_link_in_force(app, auth, world, make_user, tmp_path):
    from tests.support.visits import add_shop

    third = add_shop(world.manager, code="S003", name="南城合作厅")
    made = [services.make_link(shop.id, world.manager, days=90) for shop in (*world.shops, third)]
    services.revoke_link(third.id, world.manager)  # no link in force: no page
    services.make_link(world.other_shop.id, world.other_manager, days=90)  # another manager's: never in mine
    auth.login(world.manager)
    response = auth.client.get("/outreach/posters.pdf")
    assert response.status_code == 200
    assert response.headers["X-Poster-Pages"] == "2"
    path = _save(response.get_data(), tmp_path)
    assert page_count(path) == 2
    text = pdf_text(path)
    assert "东城手机店" in text
    assert "西城营业厅" in text
    assert "南城合作厅" not in text
    assert "别家门店" not in text
    assert decoded_qr_codes(path, tmp_path) == [_address(app, link) for link in made[:2]]


def test_a_long_name_and_many_lessons_still_fit_one_page(app, auth, world, tmp_path):
    from tests.outreach.support import lesson

    for number in range(9):
        lesson(world.trainer, f"shop-extra-{number}", f"补充政策第 {number + 1} 条：宽带融合套餐的办理要点与常见问题",
               period=world.period)
    world.shops[0].name = "超长名称的合作营业厅" * 10
    db.session.commit()
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    auth.login(world.manager)
    path = _save(auth.client.get(f"/outreach/shops/{world.shops[0].id}/poster.pdf").get_data(), tmp_path)
    assert page_count(path) == 1
    assert "等共11项" in pdf_text(path)
    assert decoded_qr_codes(path, tmp_path) == [_address(app, link)]


def test_a_shop_without_a_link_in_force_is_told_so_not_a_500(app, auth, world):
    auth.login(world.manager)
    response = auth.client.get(f"/outreach/shops/{world.shops[0].id}/poster.pdf", follow_redirects=True)
    assert response.status_code == 200
    assert "还没有有效的链接，请先生成链接，再下载海报" in response.get_data(as_text=True)
    response = auth.client.get("/outreach/posters.pdf", follow_redirects=True)
    assert response.status_code == 200
    assert "你的渠道都还没有有效的链接" in response.get_data(as_text=True)


def test_only_the_shops_own_manager_downloads_its_poster(app, auth, world, make_user):
    services.make_link(world.other_shop.id, world.other_manager, days=90)
    auth.login(world.manager)
    assert auth.client.get(f"/outreach/shops/{world.other_shop.id}/poster.pdf").status_code == 404
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    auth.logout()
    auth.login(supervisor)
    assert auth.client.get(f"/outreach/shops/{world.other_shop.id}/poster.pdf").status_code == 403
    assert auth.client.get("/outreach/posters.pdf").status_code == 403
