"""A real Chromium (Debian's, driven by Playwright) at phone width, against the test's own app and database.

tests/conftest.py loads the fixtures (``chromium``, one per test worker; ``live_server``; ``page``); modules use
``pytestmark = BROWSER_MARKS``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Headless as root, on a machine with no outside network: no sandbox, no background requests.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is installed by `make test`"),
]


def _finished_responses(app: Any) -> Any:
    """The test server's responses, read out and closed before the server sends them.

    Werkzeug's development server closes a response only after it has drained the socket, which raises first when
    the browser has already dropped the connection (the walk moves on once a page has loaded): a static file's
    handle was then left to the garbage collector, which reported it in whichever test ran next. The product's
    pages never stream, so reading a response out first changes nothing else."""
    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its address (for fixtures of any scope)."""
    server = make_server("127.0.0.1", 0, _finished_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    yield from serve(app)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium per test worker, started when a test first needs it: starting one costs about a second, and
    a test's own browser context (cookies, storage, offline state, viewport) is what keeps tests apart."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is installed by `make test`")
    from playwright.sync_api import expect, sync_playwright

    # An assertion passes as soon as the page shows what it waits for; on a loaded two-core machine (two workers,
    # a live server each) that can take longer than Playwright's default 5 s without anything being wrong.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server)
    yield context.new_page()
    context.close()


def sign_in(page: Any, user: Any) -> None:
    from tests.conftest import PASSWORD

    page.goto("/login")
    page.fill("input[name=employee_no]", user.employee_no)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
