"""The editor's live preview and the lesson page in a real Chromium at phone width (360 px)."""

from __future__ import annotations

from tests.support.browser import BROWSER_MARKS
from tests.support.browser import sign_in as sign_in_page

pytestmark = BROWSER_MARKS


def test_live_preview_renders_on_the_server_as_the_trainer_types(page, make_user):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_page(page, make_user("trainer"))
    page.goto("/courses/new")
    page.fill("textarea[name=body]", "## 补贴标准\n\n169元档 **500元**<img src=x onerror=alert(1)>")
    preview = page.locator("#lesson-preview")
    preview.locator("strong").wait_for(timeout=5000)
    assert preview.locator("strong").inner_text() == "500元"
    assert preview.locator("h2").inner_text() == "补贴标准"
    assert preview.locator("img").get_attribute("onerror") is None
    # No CSP violation and no script error (the broken image's 404 is expected and is not one).
    assert [e for e in errors if "Failed to load resource" not in e] == []


def test_lesson_page_fits_a_phone_screen(page, make_user, write_lesson, sync):
    wide_table = "| " + " | ".join(f"列{i}" for i in range(12)) + " |\n|" + " --- |" * 12 + "\n| " + " | ".join(
        "很长的单元格内容示例" for _ in range(12)) + " |\n"
    write_lesson("wide.md", title="很宽的表格", body="## 表格\n\n" + wide_table)
    sync()
    sign_in_page(page, make_user("manager"))
    page.goto("/lessons/wide")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.click("text=我已学完本课")
    page.locator("text=您已于").wait_for(timeout=5000)


def test_preview_shows_the_saved_draft_when_the_editor_opens(page, make_user):
    sign_in_page(page, make_user("trainer"))
    page.goto("/courses/new")
    page.fill("input[name=slug]", "draft-preview")
    page.fill("input[name=title]", "草稿预览")
    page.fill("textarea[name=body]", "## 补贴标准\n\n169元档 **500元**")
    page.click("button[value=save]")
    page.wait_for_url("**/lessons/draft-preview/edit")
    preview = page.locator("#lesson-preview")
    assert preview.locator("h2").inner_text() == "补贴标准"
    assert preview.locator("strong").inner_text() == "500元"

    page.fill("textarea[name=body]", "## 补贴标准\n\n169元档 **600元**")
    page.fill("input[name=note]", "改为600元")
    page.click("button[value=save]")
    page.wait_for_load_state()
    page.reload()  # a fresh load of the editor, no keystroke since
    assert page.locator("#lesson-preview strong").inner_text() == "600元"
