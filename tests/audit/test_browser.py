"""The audit log page in a real Chromium, at 360 px (a card per entry, nothing wider than the screen) and at
1366 px (a table): searching through the form, reading what changed, downloading the log (itself recorded)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.audit import rules, services
from lms.extensions import db
from tests.browser.checks import shot as folder_shot
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS



def shot(page, name):
    folder_shot(page, "audit", name)


@pytest.fixture
def admin(make_user):
    admin = make_user("admin", name="管理员甲", employee_no="A7001")
    person = make_user("manager", name="欧阳建国", employee_no="M7001")
    entries = [
        (rules.ROLE_CHANGED, datetime(2026, 11, 2, 1, 0, tzinfo=UTC), admin, person, "",
         rules.describe_changes({"role": "manager", "grid": "东城网格"}, {"role": "supervisor", "grid": None}),
         "升任县区主管，负责城区全部网格的考核与培训安排"),
        (rules.CERTIFICATE_REVOKED, datetime(2026, 11, 3, 2, 0, tzinfo=UTC), admin, person, "证书 ABCD2345",
         {"code": "ABCD2345", "period": "2026-10"}, "成绩更正后不及格"),
        (rules.PASSWORD_RESET, datetime(2026, 11, 3, 17, 0, tzinfo=UTC), None, person, "", {}, ""),
    ]
    for action, at, actor, target, subject, changes, reason in entries:
        entry = services.record(action, actor=actor, target=target, subject=subject, changes=changes, reason=reason)
        entry.at = at
        entry.address = "10.20.30.40" if actor else ""
    db.session.commit()
    return admin


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_at_phone_width_each_entry_is_a_card_and_the_form_searches(page, admin):
    sign_in(page, admin)
    page.goto("/admin/audit")
    assert page.locator("table.audit-log.cards").count() == 1
    assert fits(page)
    card = page.locator("table.audit-log tbody tr").nth(2)  # the oldest: the role change
    text = card.inner_text()
    assert "渠道经理 → 主管" in text
    assert "东城网格 → —" in text
    assert "管理员甲" in text
    assert "10.20.30.40" in text
    assert page.locator("table.audit-log tbody tr").first.locator("td").nth(1).inner_text() == "命令行"
    shot(page, "audit-360")

    page.select_option("select[name=action]", label="证书撤销")
    page.fill("input[name=target]", "欧阳")
    page.click("form.audit-filters button[type=submit]")
    page.wait_for_url("**/admin/audit?*")
    assert page.locator("table.audit-log tbody tr").count() == 1
    assert "成绩更正后不及格" in page.locator("table.audit-log tbody").inner_text()
    assert page.locator("select[name=action]").input_value() == rules.CERTIFICATE_REVOKED
    shot(page, "audit-360-filtered")

    page.fill("input[name=start]", "2026-11-05")
    page.fill("input[name=end]", "2026-11-01")
    page.click("form.audit-filters button[type=submit]")
    assert page.locator("#end-error").inner_text() == "截止日期不能早于起始日期"
    assert fits(page)
    shot(page, "audit-360-error")


def test_at_desk_width_a_table_and_a_recorded_download(page, admin):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, admin)
    page.goto("/admin/audit")
    assert page.locator("table.audit-log thead").is_visible()
    assert fits(page)
    shot(page, "audit-1366")
    with page.expect_download() as download:
        page.click("a:has-text('导出 Excel')")
    assert download.value.suggested_filename.startswith("audit-log-")
    page.reload()
    newest = page.locator("table.audit-log tbody tr").first.inner_text()
    assert "导出个人数据" in newest
    assert "审计日志" in newest
    assert "行数：3" in newest

    page.goto("/lang/en?next=/admin/audit")
    body = page.locator("table.audit-log tbody").inner_text()
    assert "Role changed" in body
    assert "Channel manager → Supervisor" in body
    assert "Command line" in body
    assert "Personal data exported" in body
    assert "Audit log" in body
    shot(page, "audit-1366-en")
