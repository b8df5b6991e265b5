"""A trainer takes over a file-sourced system-operation lesson in Chromium at 1366 px, pastes a screenshot (which
carries EXIF with a GPS position) and picks a PDF, publishes; a manager at 360 px reads it with the screenshot
fitting the screen; ``flask sync`` afterwards skips the file by name and leaves the lesson as edited."""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from lms.courses.models import Lesson, LessonMedia
from lms.extensions import db
from tests.support.browser import BROWSER_MARKS
from tests.support.browser import sign_in as sign_in_page
from tests.support.images import GPS_IFD, screenshot_png

pytestmark = BROWSER_MARKS
SHOTS = Path(tempfile.gettempdir()) / "shots" / "media"


@pytest.fixture
def app_config(app_config, tmp_path):  # type: ignore[no-untyped-def]
    app_config["LMS_MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

PASTE = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const body = document.querySelector("textarea[name=body]");
  body.focus();
  body.setSelectionRange(body.value.indexOf("## 第二步"), body.value.indexOf("## 第二步"));
  body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


def test_take_over_paste_a_screenshot_attach_a_pdf_and_read_it_on_a_phone(app, chromium, live_server, make_user,
                                                                            write_lesson):
    SHOTS.mkdir(parents=True, exist_ok=True)
    runner = app.test_cli_runner()
    write_lesson("systems/system-b2b-ordering.md", title="终端订货系统（B2B）下单", category="system-b2b-ordering",
                 body="## 第一步 登录\n\n打开 B2B 门户并登录。\n\n## 第二步 选择机型\n\n按型号搜索。\n")
    assert runner.invoke(args=["sync"]).exit_code == 0
    trainer, manager = make_user("trainer"), make_user("manager")
    original = screenshot_png(2400, rows=8, height=1350, with_exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test file really carries a position
    pdf_path = Path(app.config["LMS_MEDIA_DIR"]).parent / "B2B操作手册.pdf"
    pdf_path.write_bytes(PDF)

    desk = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server)
    page = desk.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_page(page, trainer)
    page.goto("/courses/manage")
    row = page.locator("tr", has_text="终端订货系统（B2B）下单")
    assert "文件" in row.inner_text()
    row.get_by_role("link", name="接管").click()
    page.wait_for_url("**/lessons/system-b2b-ordering/takeover")
    page.screenshot(path=str(SHOTS / "takeover-confirm-1366.png"), full_page=True)
    page.get_by_role("button", name="确认接管").click()
    page.wait_for_url("**/lessons/system-b2b-ordering/edit")
    page.wait_for_load_state("load")  # the editor's script listens for the paste only once it has run

    page.evaluate(PASTE, ["image.png", base64.b64encode(original).decode()])
    body = page.locator("textarea[name=body]")
    body_has = "(text) => document.querySelector('textarea[name=body]').value.includes(text)"
    page.wait_for_function(body_has, arg="/media/", timeout=10000)
    page.set_input_files("input[name=media]", str(pdf_path))
    page.wait_for_function(body_has, arg=".pdf)", timeout=10000)
    text = body.input_value()
    image_at, second_step = text.index("![截图-"), text.index("## 第二步")
    assert image_at < second_step  # pasted where the cursor was, not at the end
    assert "[B2B操作手册.pdf](/lessons/system-b2b-ordering/media/" in text
    page.locator("#lesson-preview img").wait_for(timeout=10000)
    page.screenshot(path=str(SHOTS / "editor-1366.png"), full_page=True)
    page.fill("input[name=note]", "加上下单截图和操作手册")
    page.locator("button[value=publish]").click()
    page.wait_for_load_state()
    assert "已保存并发布" in page.inner_text("body")
    assert [e for e in errors if "Failed to load resource" not in e] == []
    desk.close()

    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "system-b2b-ordering"))
        assert (lesson.source, lesson.published_number, lesson.current_number) == ("web", 2, 2)
        uploads = {m.content_type: m for m in db.session.scalars(select(LessonMedia))}
        assert set(uploads) == {"image/png", "application/pdf"}
        stored = Path(app.config["LMS_MEDIA_DIR"]) / uploads["image/png"].stored_name[:2] / \
            uploads["image/png"].stored_name
        data = stored.read_bytes()
        cleaned = Image.open(io.BytesIO(data))
        assert cleaned.size == (1600, 900)
        assert not cleaned.getexif()  # no EXIF at all, so no GPS position
        assert b"PhoneMaker" not in data
        assert b"eXIf" not in data
        db.session.remove()

    phone = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server,
                                 is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in_page(page, manager)
    page.goto("/lessons/system-b2b-ordering")
    image = page.locator(".lesson-body img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.lesson-body img').complete")
    box = image.bounding_box()
    assert box is not None
    assert box["width"] <= 360
    assert box["height"] == pytest.approx(box["width"] * 900 / 1600, abs=2)  # not squashed
    assert page.evaluate("document.querySelector('.lesson-body img').naturalWidth") == 1600
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    link = page.locator(".lesson-body a.media-link")
    assert link.get_attribute("href") == image.get_attribute("src")  # a tap opens it full size
    assert page.get_by_role("link", name="B2B操作手册.pdf").count() == 1
    page.screenshot(path=str(SHOTS / "lesson-360.png"), full_page=True)
    full = page.request.get(image.get_attribute("src"))
    assert full.headers["content-type"] == "image/png"
    assert full.headers["x-content-type-options"] == "nosniff"
    phone.close()

    write_lesson("systems/system-b2b-ordering.md", title="终端订货系统（B2B）下单", category="system-b2b-ordering",
                 body="## 文件里的新版本\n")
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "skipped: content/systems/system-b2b-ordering.md: taken over in the browser" in result.output
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "system-b2b-ordering"))
        assert (lesson.published_number, lesson.current_number) == (2, 2)
        assert "/media/" in lesson.revisions[-1].body
        assert "文件里的新版本" not in lesson.revisions[-1].html
