"""Lesson pictures on the shop's page: the pack lesson's own pictures are moved under the shop's token and served
there (no-store, sandboxed, the token kept out of the logs); another lesson's media, a picture the live text does not
show, a lesson outside this month's pack, or a token not honoured is a 404. Files beside a lesson from content/
too: pictures and PDFs only, never out of the lesson's folder."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.courses.models import Lesson
from lms.extensions import db
from lms.outreach import links, services
from lms.outreach.models import ShopLink
from tests.outreach.report_support import picture_in, report_world
from tests.support.images import screenshot_png


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


@pytest.fixture
def rw(app, make_user):
    return report_world(make_user)


def _lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def _url(app, link) -> str:
    with app.test_request_context():
        return f"/s/{links.token_of(db.session.get(ShopLink, link.id))}"


def test_the_pack_lesson_s_picture_shows_on_the_shop_s_page(app, client, rw, tmp_path, caplog):
    name = picture_in(_lesson("shop-subsidy"), rw.world.trainer, tmp_path / "media")
    url = _url(app, rw.link)
    page = client.get(url).get_data(as_text=True)
    address = f"{url}/lessons/shop-subsidy/media/{name}"
    assert f'src="{address}"' in page
    assert f'src="/lessons/shop-subsidy/media/{name}"' not in page
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        response = client.get(address)
        logging.getLogger("werkzeug").info('"GET %s HTTP/1.1" 200 -', address)
    assert (response.status_code, response.mimetype) == (200, "image/png")
    assert response.data.startswith(b"\x89PNG")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert url.split("/s/")[1] not in caplog.text
    assert "/s/…/lessons/shop-subsidy/media/" in caplog.text


def test_another_lesson_s_media_is_a_404_through_the_token(app, client, rw, tmp_path):
    root = tmp_path / "media"
    picture_in(_lesson("shop-subsidy"), rw.world.trainer, root)
    inner = picture_in(_lesson("manager-commission"), rw.world.trainer, root, width=700)  # not for shops
    old = picture_in(_lesson("shop-old"), rw.world.trainer, root, width=710)  # another month's shop lesson
    url = _url(app, rw.link)
    for slug, name in (("manager-commission", inner), ("shop-old", old), ("shop-subsidy", inner)):
        response = client.get(f"{url}/lessons/{slug}/media/{name}")
        assert response.status_code == 404, (slug, name)
        assert "链接无效" in response.get_data(as_text=True)


def test_a_picture_the_live_text_does_not_show_is_a_404(app, client, rw, tmp_path):
    root = tmp_path / "media"
    unused = picture_in(_lesson("shop-subsidy"), rw.world.trainer, root, in_text=False)
    draft = picture_in(_lesson("shop-realname"), rw.world.trainer, root, width=720, publish=False)
    url = _url(app, rw.link)
    assert client.get(f"{url}/lessons/shop-subsidy/media/{unused}").status_code == 404
    assert client.get(f"{url}/lessons/shop-realname/media/{draft}").status_code == 404
    assert client.get(f"{url}/lessons/shop-subsidy/media/..%2F..%2Fsecret.png").status_code == 404


def test_a_token_not_honoured_gets_no_picture(app, client, rw, tmp_path):
    name = picture_in(_lesson("shop-subsidy"), rw.world.trainer, tmp_path / "media")
    url = _url(app, rw.link)
    assert client.get(f"/s/zz-missing/lessons/shop-subsidy/media/{name}").status_code == 404
    services.revoke_link(rw.world.shops[0].id, rw.world.manager)
    assert client.get(f"{url}/lessons/shop-subsidy/media/{name}").status_code == 404


@pytest.mark.usefixtures("rw")
def test_files_beside_a_content_lesson(app, client, write_lesson, content_dir, runner):
    write_lesson("shops/counter.md", title="柜台须知", audience="shops",
                 body="![流程](img/flow.png)\n\n[说明](files/plan.pdf)\n\n[表格](files/list.xlsx)\n\n![假图](img/fake.png)\n")
    (content_dir / "shops" / "img").mkdir()
    (content_dir / "shops" / "files").mkdir()
    (content_dir / "shops" / "img" / "flow.png").write_bytes(screenshot_png(300, rows=1))
    (content_dir / "shops" / "img" / "fake.png").write_bytes(b"<html>not a picture</html>")
    (content_dir / "shops" / "files" / "plan.pdf").write_bytes(b"%PDF-1.4 test")
    (content_dir / "shops" / "files" / "list.xlsx").write_bytes(b"PK\x03\x04 test")
    (content_dir / "secret.png").write_bytes(screenshot_png(300, rows=1))
    assert runner.invoke(args=["sync"]).exit_code == 0
    url = _url(app, db.session.scalars(select(ShopLink)).one())
    page = client.get(url).get_data(as_text=True)
    assert f'src="{url}/lessons/counter/files/img/flow.png"' in page
    picture = client.get(f"{url}/lessons/counter/files/img/flow.png")
    assert (picture.status_code, picture.mimetype) == (200, "image/png")
    assert "no-store" in picture.headers["Cache-Control"]
    assert client.get(f"{url}/lessons/counter/files/files/plan.pdf").mimetype == "application/pdf"
    for refused in ("files/list.xlsx", "img/fake.png", "../secret.png", "img/missing.png"):
        assert client.get(f"{url}/lessons/counter/files/{refused}").status_code == 404, refused
    assert Path(content_dir / "secret.png").exists()
