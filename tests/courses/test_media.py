"""Lesson media: what is accepted (by content, not by name), images re-encoded without metadata, the editor's
upload with and without JavaScript, and the files served with safe headers to the lesson's readers only."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from lms.core.markdown import render_document
from lms.courses import media, services
from lms.courses.models import LessonMedia
from lms.courses.rules import LessonMeta
from lms.extensions import db
from tests.support.web import csrf_token, post_form

LIMITS = media.MediaLimits()
GPS_IFD = 0x8825


@pytest.fixture
def app_config(app_config, tmp_path):  # type: ignore[no-untyped-def]
    app_config["LMS_MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


def png_with_gps(width: int = 2400, height: int = 1200) -> bytes:
    """A screenshot carrying EXIF with a GPS position and a camera maker, as a phone would write it."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "巡店清单"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: decoding it would allocate gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


# --- what is accepted ------------------------------------------------------------------------------------------


def test_a_screenshot_loses_its_gps_and_is_scaled_to_the_maximum_width():
    original = png_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test file really carries a position
    checked = media.check_upload(original, "屏幕截图 2026-12-01.png", LIMITS)
    cleaned = Image.open(io.BytesIO(checked.data))
    assert (checked.content_type, checked.extension) == ("image/png", ".png")
    assert cleaned.size == (1600, 800) == (checked.width, checked.height)
    assert not cleaned.getexif()
    assert b"eXIf" not in checked.data
    assert b"PhoneMaker" not in checked.data
    assert checked.stored_name.endswith(".png")
    assert len(checked.stored_name) == 68


def test_a_jpeg_photo_is_turned_upright_and_loses_its_exif():
    image = Image.new("RGB", (40, 20), (250, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° to view": the phone was held upright
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    checked = media.check_upload(buffer.getvalue(), "photo.JPG", LIMITS)
    cleaned = Image.open(io.BytesIO(checked.data))
    assert cleaned.size == (20, 40)
    assert not cleaned.getexif()
    assert checked.content_type == "image/jpeg"


def test_webp_and_animated_gif_are_reencoded_in_their_own_format():
    frames = [Image.new("RGB", (30, 30), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"secret", duration=80)
    checked = media.check_upload(buffer.getvalue(), "步骤.gif", LIMITS)
    assert checked.content_type == "image/gif"
    assert getattr(Image.open(io.BytesIO(checked.data)), "n_frames", 1) == 3
    assert b"secret" not in checked.data
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(buffer, "WEBP")
    assert media.check_upload(buffer.getvalue(), "a.webp", LIMITS).content_type == "image/webp"


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"<html><script>alert(1)</script></html>", "截图.png", "不是可识别的图片"),
    (b"", "a.png", "空的"),
    (png_header_claiming(30000, 30000), "bomb.png", "尺寸过大"),
    (b"<html>", "a.pdf", "不是 PDF"),
    (b"PK\x03\x04 not a zip", "a.xlsx", "不是 Office 文件"),
    (zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}), "a.xlsx", "不是这种 Office 文件"),
    (zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"x"}),
     "a.xlsx", "含有宏"),
    (b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 40, "a.mp4", "不是 MP4"),
    (b"MZ\x90\x00", "setup.exe", "不支持的文件类型"),
    (b"<svg onload=alert(1)>", "a.svg", "不支持的文件类型"),
])
def test_files_are_judged_by_their_content_not_their_name(data, name, reason):
    with pytest.raises(media.MediaRefused, match=reason):
        media.check_upload(data, name, LIMITS)


def test_attachments_keep_their_bytes_and_get_their_own_type():
    workbook = xlsx_bytes()
    assert media.check_upload(workbook, "清单.xlsx", LIMITS).content_type == media.XLSX
    assert media.check_upload(workbook, "清单.xlsx", LIMITS).data == workbook
    assert media.check_upload(PDF, "操作手册.pdf", LIMITS).content_type == "application/pdf"
    assert media.check_upload(MP4, "演示.mp4", LIMITS).content_type == "video/mp4"


def test_the_size_limit_is_a_setting():
    with pytest.raises(media.MediaRefused, match="超过 1 MB"):
        media.check_upload(PDF + b"0" * 1024 * 1024, "big.pdf", media.MediaLimits(max_bytes=1024 * 1024))


def test_names_lose_their_folders_and_the_store_accepts_only_its_own_names(tmp_path):
    assert media.clean_name("../../etc/passwd") == "passwd"
    assert media.clean_name("C:\\Users\\张三\\截图.png") == "截图.png"
    assert media.clean_name("") == "file"
    with pytest.raises(ValueError, match="not a stored media name"):
        media.stored_path(tmp_path, "../secret.png")
    checked = media.check_upload(PDF, "a.pdf", LIMITS)
    path = media.store(tmp_path, checked)
    assert path == tmp_path / checked.stored_name[:2] / checked.stored_name
    assert path.read_bytes() == PDF
    assert media.store(tmp_path, checked) == path  # the same bytes: one file


def test_the_sanitizer_keeps_media_images_and_nothing_dangerous():
    html = services.render_lesson("b2b", "![下单](/lessons/b2b/media/" + "a" * 64 + ".png)\n\n"
                                  "![x](javascript:alert(1)) <img src=x onerror=alert(1)>", from_file=False).html
    assert f'<a class="media-link" href="/lessons/b2b/media/{"a" * 64}.png"' in html
    assert f'<img alt="下单" src="/lessons/b2b/media/{"a" * 64}.png">' in html
    assert "javascript" not in html
    assert "onerror" not in html
    assert "media-link" not in render_document("![x](https://example.com/a.png)").html


# --- the editor and the file route -----------------------------------------------------------------------------


@pytest.fixture
def web_lesson(make_user):  # type: ignore[no-untyped-def]
    trainer = make_user("trainer")
    lesson = services.create_web_lesson(slug="b2b-order", meta=LessonMeta("B2B 下单", "system-b2b-ordering"),
                                        body="## 步骤\n\n登录系统。", author=trainer, publish=False)
    return trainer, lesson


def upload(client, slug: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/courses/manage")
    return client.post(f"/lessons/{slug}/media", data={"file": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def fetch(client, url: str):  # type: ignore[no-untyped-def]
    """GET a file and close it at once (send_file keeps the file open until the response is closed)."""
    response = client.get(url)
    response.close()
    return response


def test_the_editor_uploads_and_the_reader_gets_safe_headers(app, client, auth, make_user, web_lesson):
    trainer, lesson = web_lesson
    auth.login(trainer)
    response = upload(client, "b2b-order", png_with_gps(), "下单界面.png")
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["markdown"] == f"![下单界面]({result['url']})"
    assert (result["width"], result["height"]) == (1600, 800)
    row = db.session.scalar(select(LessonMedia))
    assert (row.original_name, row.content_type, row.uploaded_by_id) == ("下单界面.png", "image/png", trainer.id)
    stored = Path(app.config["LMS_MEDIA_DIR"]) / row.stored_name[:2] / row.stored_name
    assert b"PhoneMaker" not in stored.read_bytes()
    assert upload(client, "b2b-order", png_with_gps(), "again.png").get_json()["url"] == result["url"]
    assert db.session.query(LessonMedia).count() == 1  # a second paste of the same screenshot: one row

    pdf = upload(client, "b2b-order", PDF, "操作手册.pdf").get_json()
    assert pdf["markdown"] == f"[操作手册.pdf]({pdf['url']})"
    refused = upload(client, "b2b-order", b"<html>", "x.png")
    assert refused.status_code == 422
    assert "x.png" in refused.get_json()["error"]

    image = fetch(client, result["url"])
    assert image.status_code == 200  # authors see a draft's files
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Content-Disposition"].startswith("inline")
    document = fetch(client, pdf["url"])
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("attachment")

    auth.logout()
    auth.login(make_user("manager"))
    assert fetch(client, result["url"]).status_code == 404  # the lesson is not published: nor are its files
    services.publish_lesson(lesson, trainer)
    assert fetch(client, result["url"]).status_code == 200
    assert fetch(client, result["url"].replace("b2b-order", "other")).status_code == 404
    assert fetch(client, "/lessons/b2b-order/media/" + "0" * 64 + ".png").status_code == 404
    assert fetch(client, "/lessons/b2b-order/media/..%2F..%2Fsecret").status_code == 404
    assert upload(client, "b2b-order", PDF, "a.pdf").status_code in (403, 404)  # managers do not upload
    auth.logout()
    assert fetch(client, result["url"]).status_code in (302, 401)


def test_without_javascript_insert_puts_the_file_at_the_end_of_the_body_and_saves_nothing(client, auth, web_lesson):
    trainer, lesson = web_lesson
    auth.login(trainer)
    response = post_form(client, "/lessons/b2b-order/edit", {
        "action": "insert", "title": "B2B 下单", "category": "system-b2b-ordering", "body": "## 步骤\n\n改过的正文",
        "media": (io.BytesIO(png_with_gps(200, 100)), "step1.png"),
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "改过的正文\n\n![step1](/lessons/b2b-order/media/" in page
    assert "已插入“step1.png”（尚未保存）" in page
    db.session.refresh(lesson)
    assert lesson.current_number == 1  # nothing saved until the trainer saves
    missing = post_form(client, "/lessons/b2b-order/edit", {"action": "insert", "title": "B2B 下单",
                                                           "category": "system-b2b-ordering", "body": "x"})
    assert "请先选择要插入的图片或附件" in missing.get_data(as_text=True)


def test_a_published_lesson_shows_the_screenshot_as_a_link_to_full_size(client, auth, make_user, web_lesson):
    trainer, lesson = web_lesson
    auth.login(trainer)
    url = upload(client, "b2b-order", png_with_gps(), "下单.png").get_json()["url"]
    services.save_web_lesson(lesson, meta=LessonMeta("B2B 下单", "system-b2b-ordering"),
                             body=f"## 步骤\n\n![下单]({url})", author=trainer, publish=True)
    auth.logout()
    auth.login(make_user("manager"))
    page = client.get("/lessons/b2b-order").get_data(as_text=True)
    assert f'<a class="media-link" href="{url}" rel="noopener noreferrer"><img alt="下单" src="{url}"></a>' in page


def test_a_file_lesson_takes_no_upload_until_taken_over(client, auth, make_user, write_lesson, sync):
    write_lesson("systems/b2b.md", title="B2B", category="system-b2b-ordering")
    sync()
    auth.login(make_user("trainer"))
    response = upload(client, "b2b", PDF, "a.pdf")
    assert response.status_code == 409
    assert db.session.query(LessonMedia).count() == 0
