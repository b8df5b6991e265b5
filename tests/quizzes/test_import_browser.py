"""Importing a question file in a real Chromium, on a phone and on a desktop: upload on 题库管理, read the preview
(two questions to add, one with its picture; a refused one naming its broken picture; a skipped essay), confirm, and
land on the bank with its two questions; every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.checks import checked as page_checked
from tests.quizzes.test_imports import PICTURES, app_config, fake_reader  # noqa: F401 - fixtures
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}


def checked(page, width: int, name: str) -> None:
    page_checked(page, width, name, folder="import-preview")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
@pytest.mark.usefixtures("fake_reader")
def test_a_trainer_previews_a_file_with_a_picture_and_confirms_it(chromium, live_server, make_user, viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, make_user("trainer"))
    page.goto("/quizzes/banks")
    page.fill("#import-bank", "photos")
    page.fill("#import-title", "图片题库")
    page.set_input_files("#import-file", files=[{"name": PICTURES, "mimeType": "text/plain", "buffer": b"x"}])
    page.get_by_role("button", name="预览").click()

    expect(page.locator("h1")).to_contain_text("核对导入")
    counts = page.locator(".import-counts")
    expect(counts).to_contain_text("新增 2 道")
    expect(counts).to_contain_text("跳过 1 道")
    expect(counts).to_contain_text("未通过 3 道")
    expect(page.locator("section:has(#import-refused)")).to_contain_text("图片 broken.png")
    expect(page.locator("section:has(#import-skipped)")).to_contain_text("第 17 行")
    picture = page.locator(".import-questions img[alt=基站]")
    expect(picture).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", picture.element_handle()) > 0
    checked(page, width, "1-preview")

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".flash-success")).to_contain_text("已导入：新增 2 道")
    expect(page.locator("h1")).to_contain_text("图片题库")
    expect(page.locator("table.bank-questions tbody tr")).to_have_count(2)
    expect(page.locator("table.bank-questions")).to_contain_text("基站是哪一个？ [基站]")
    page.locator("details.export-menu > summary").click()
    expect(page.locator("details.export-menu")).to_contain_text("Excel 模板（.xlsx）")
    checked(page, width, "2-bank")

    page.locator("table.bank-questions tbody tr a", has_text="基站").click()
    stored = page.locator(".quiz-stem img[alt=基站]")
    expect(stored).to_be_visible()
    assert "/quizzes/media/" in (stored.get_attribute("src") or "")
    assert page.evaluate("img => img.naturalWidth", stored.element_handle()) > 0
    checked(page, width, "3-question")
    context.close()
