"""What every page carries, in a real Chromium: a favicon (also at /favicon.ico), a web app manifest, and a menu
that leads each role to the pages it may open."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def test_pages_have_a_favicon_and_a_manifest_that_all_resolve(page):
    failed: list[str] = []
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.goto("/login")

    icons = page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => [l.href, l.type])")
    assert any(kind == "image/svg+xml" for _href, kind in icons)
    for href, _kind in icons:
        response = page.request.get(href)
        assert response.status == 200, href
        assert response.headers["content-type"].startswith("image/")
    favicon = page.request.get("/favicon.ico")
    assert favicon.status == 200
    assert favicon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert favicon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO header
    touch = page.get_attribute("link[rel=apple-touch-icon]", "href")
    assert page.request.get(touch).status == 200

    manifest_url = page.eval_on_selector("link[rel=manifest]", "link => link.href")
    response = page.request.get(manifest_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["name"] == "渠道经理培训考核"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert page.get_attribute("meta[name=theme-color]", "content") == manifest["theme_color"]
    sizes = set()
    for icon in manifest["icons"]:
        image = page.request.get(page.evaluate("([src, base]) => new URL(src, base).href", [icon["src"], manifest_url]))
        assert image.status == 200, icon["src"]
        assert image.headers["content-type"].split(";")[0] == icon["type"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])

    page.reload()
    page.wait_for_load_state("networkidle")
    assert failed == []


def _menu(page) -> dict[str, str]:
    page.click("label.nav-toggle-label")  # the phone menu
    return dict(page.eval_on_selector_all(
        "nav.nav a", "links => links.map(a => [a.textContent.trim(), new URL(a.href).pathname])"))


def test_the_admins_menu_leads_to_robots_outbox_and_certificates(page, make_user):
    sign_in(page, make_user("admin"))
    page.goto("/")
    menu = _menu(page)
    for label, heading in (("群机器人", "群机器人"), ("发送记录", "发送记录"), ("证书管理", "证书")):
        assert label in menu
        response = page.goto(menu[label])
        assert response.status == 200
        assert page.locator("h1").first.inner_text().startswith(heading)


@pytest.mark.parametrize(("who", "certificates"), [
    (("trainer", None, None), True),
    (("supervisor", "城区", None), True),
    (("supervisor", "城区", "东城网格"), True),
    (("manager", "城区", "东城网格"), False),
])
def test_certificate_management_is_in_the_menu_of_whoever_may_open_it(page, make_user, who, certificates):
    role, county, grid = who
    sign_in(page, make_user(role, county=county, grid=grid))
    page.goto("/")
    menu = _menu(page)
    assert ("证书管理" in menu) is certificates
    assert "群机器人" not in menu
    assert "发送记录" not in menu
    if certificates:
        assert page.goto(menu["证书管理"]).status == 200
