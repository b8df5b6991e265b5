"""The admin's people page in a real Chromium: role counts read as words, never as stored codes."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

CODES = re.compile(r"\b(admin|manager|trainer|supervisor)\b")


def test_role_counts_on_the_people_page_are_labels_in_each_language(page, make_user):
    admin = make_user("admin")
    for _ in range(3):
        make_user("manager")
    make_user("supervisor", county="城区", grid=None)
    sign_in(page, admin)

    page.goto("/admin/users")
    counts = page.locator("main > p.muted").first.inner_text()
    assert counts == "管理员 1 · 渠道经理 3 · 主管 1"
    assert CODES.search(page.locator("main").inner_text()) is None

    page.goto("/lang/en?next=/admin/users")
    counts = page.locator("main > p.muted").first.inner_text()
    assert counts == "Administrator 1 · Channel manager 3 · Supervisor 1"


# --- sessions, the password toggle, a temporary password (issue 19) ---------------------------------------------

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
           "Mobile Safari/537.36")
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
           "Safari/537.36 Edg/126.0.0.0")


def _expect(locator):
    from playwright.sync_api import expect  # here: a run without Playwright still collects the module

    return expect(locator)


def _shot(page, name):
    """Screenshots for a person to look at, when LMS_ACCOUNT_SHOTS names a folder."""
    folder = os.environ.get("LMS_ACCOUNT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _context(chromium, live_server, width, agent):
    return chromium.new_context(viewport={"width": width, "height": 740 if width < 600 else 900}, locale="zh-CN",
                                base_url=live_server, user_agent=agent)


def _sign_in_with(page, user, password):
    page.goto("/login")
    page.fill("input[name=employee_no]", user.employee_no)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_person_ends_another_device_and_a_copied_cookie_dies_with_sign_out(chromium, live_server, make_user):
    person = make_user()
    phone = _context(chromium, live_server, 360, ANDROID)
    desk = _context(chromium, live_server, 1366, WINDOWS)
    on_phone, on_desk = phone.new_page(), desk.new_page()
    for page in (on_phone, on_desk):
        sign_in(page, person)

    for page, name in ((on_phone, "sessions-360"), (on_desk, "sessions-1366")):
        page.goto("/account/sessions")
        rows = page.locator("main tbody tr")
        assert rows.count() == 2
        assert page.locator("main tbody tr", has_text="本设备").count() == 1
        _no_sideways_scroll(page)
        _shot(page, name)

    on_phone.goto("/account/sessions")
    on_phone.locator("main tbody tr", has_text="Edge · Windows").get_by_role("button", name="退出该设备").click()
    _expect(on_phone.locator(".flash", has_text="已退出该设备")).to_be_visible()
    _expect(on_phone.locator("main tbody tr")).to_have_count(1)
    on_desk.goto("/assessment/mine")
    assert "/login" in on_desk.url  # the desk must sign in again

    copy = _context(chromium, live_server, 1366, WINDOWS)
    copy.add_cookies(phone.cookies())
    on_copy = copy.new_page()
    on_copy.goto("/assessment/mine")
    assert "/login" not in on_copy.url  # the copy works while the phone is signed in …
    on_phone.locator(".nav-toggle-label").click()  # the phone's menu holds the account's disclosure …
    on_phone.locator(".nav-account > summary").click()  # … and that the sign-out button
    on_phone.get_by_role("button", name="退出", exact=True).click()
    on_phone.wait_for_url("**/login")
    on_copy.goto("/assessment/mine")
    assert "/login" in on_copy.url  # … and not after the phone signed out
    for context in (phone, desk, copy):
        context.close()


def test_the_show_hide_button_on_a_password_field(chromium, live_server, make_user):
    for width in (360, 1366):
        context = _context(chromium, live_server, width, ANDROID)
        page = context.new_page()
        page.goto("/login")
        password = page.locator("input[name=password]")
        toggle = page.get_by_role("button", name="显示密码")
        assert toggle.is_visible()
        assert (password.get_attribute("type"), toggle.get_attribute("aria-pressed")) == ("password", "false")
        password.fill("tulip river bench")
        toggle.click()
        assert (password.get_attribute("type"), toggle.get_attribute("aria-pressed")) == ("text", "true")
        assert password.input_value() == "tulip river bench"
        _shot(page, f"login-shown-{width}")
        toggle.focus()
        page.keyboard.press("Space")  # a real button: the keyboard works too
        assert (password.get_attribute("type"), toggle.get_attribute("aria-pressed")) == ("password", "false")
        box, field = toggle.bounding_box(), password.bounding_box()
        assert box["x"] + box["width"] <= width
        assert box["height"] >= 40
        assert abs(box["y"] - field["y"]) < 8  # beside the field, not under it
        _no_sideways_scroll(page)
        context.close()


def test_a_temporary_password_leads_to_the_password_form_first(page, make_user):
    from lms.accounts import services

    person = make_user()
    temporary = services.reset_to_temporary_password(person.id)[1]
    _sign_in_with(page, person, temporary)
    page.wait_for_url("**/account/password")
    assert page.locator("h1").inner_text() == "设置新密码"
    page.goto("/assessment/mine")
    assert page.url.endswith("/account/password")
    assert page.get_by_role("button", name="显示密码").count() == 3

    page.fill("input[name=current]", temporary)
    page.fill("input[name=new]", "aaaaaaaa")
    page.fill("input[name=confirm]", "aaaaaaaa")
    page.click("main button[type=submit]")
    _expect(page.locator(".field.has-error", has_text="太容易猜到")).to_be_visible()
    _shot(page, "forced-change-refused-360")
    _no_sideways_scroll(page)

    page.fill("input[name=current]", temporary)
    page.fill("input[name=new]", "tulip river bench")
    page.fill("input[name=confirm]", "tulip river bench")
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/assessment/mine")
    assert page.url.endswith("/assessment/mine")


def test_an_admin_ends_a_persons_sessions_from_their_page(chromium, live_server, make_user):
    admin, person = make_user("admin"), make_user()
    phone = _context(chromium, live_server, 360, ANDROID)
    on_phone = phone.new_page()
    sign_in(on_phone, person)
    for width in (360, 1366):
        context = _context(chromium, live_server, width, WINDOWS)
        page = context.new_page()
        sign_in(page, admin)
        page.goto(f"/admin/users/{person.id}")
        page.get_by_role("link", name="查看其登录设备").click()
        page.wait_for_url(f"**/admin/users/{person.id}/sessions")
        assert page.locator("main tbody tr").count() == (1 if width == 360 else 0)
        _no_sideways_scroll(page)
        _shot(page, f"admin-sessions-{width}")
        if width == 360:
            page.get_by_role("button", name="结束全部登录").click()
            _expect(page.locator(".flash", has_text="已结束 1 个登录会话")).to_be_visible()
            on_phone.goto("/")
            assert "/login" in on_phone.url
            page.goto("/lang/en?next=/account/sessions")
            _shot(page, "sessions-en-360")
        context.close()
    phone.close()
