"""The admin's people page in a real Chromium: role counts read as words, never as stored codes."""

from __future__ import annotations

import re

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
