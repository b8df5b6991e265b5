"""The editor's live preview and the lesson page in a real Chromium at phone width (360 px)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is installed by `make test`"),
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server)
        yield context.new_page()
        context.close()
        browser.close()


def sign_in_page(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=employee_no]", user.employee_no)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


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
