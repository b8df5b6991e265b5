"""The walk's accessibility check of the top menu at 1366 px (tests/browser/walk.py: run_axe with
``only_contrast_of``): it finds a menu link too pale to read, it looks at the menu only, and the product's own menu
passes it for a signed-in person."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.walk import MENU, run_axe
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

PAGE = """<!doctype html><html lang="zh-CN"><head><title>菜单</title></head><body>
<header class="topbar"><nav aria-label="主导航">
<a href="#a" style="color:{menu};background:#fff">学习</a></nav></header>
<main><p style="color:{body};background:#fff">正文</p></main></body></html>"""


@pytest.fixture
def chromium_page(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def test_a_pale_menu_link_is_found_and_only_the_menu_is_looked_at(chromium_page):
    chromium_page.set_content(PAGE.format(menu="#ccc", body="#ddd"))
    found = run_axe(chromium_page, only_contrast_of=MENU)
    assert [v["id"] for v in found] == ["color-contrast"]
    assert found[0]["nodes"] == [["a"]]  # the menu's link; the pale text in <main> is not this check's
    chromium_page.set_content(PAGE.format(menu="#1a1a1a", body="#ddd"))
    assert run_axe(chromium_page, only_contrast_of=MENU) == []


def test_the_products_menu_passes_at_1366(page, make_user):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, make_user("admin"))
    page.goto("/")
    assert page.locator(MENU).count() == 1
    assert run_axe(page, only_contrast_of=MENU) == []
