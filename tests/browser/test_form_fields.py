"""Password fields hide what is typed and file fields open a file chooser (issue: the `field` macro rendered
``type="None"`` for both, so passwords showed in clear and uploads could not be made from a browser)."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.models import Indicator
from lms.extensions import db
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.quiz_files import sync, write_quiz

pytestmark = BROWSER_MARKS

OPEN_MONTHLY = """\
title: 本月渠道政策月考
kind: monthly
period: {period}
opens: {period}-01T00:00
closes: {period}-28T23:59
time_limit_minutes: 30
questions:
  - id: q1
    type: truefalse
    stem: 80 分为及格。
    answer: true
"""


def test_every_password_field_hides_what_is_typed(page, make_user):
    page.goto("/login")
    assert page.locator("input[name=password]").get_attribute("type") == "password"
    sign_in(page, make_user("admin"))
    page.goto("/account/password")
    for name in ("current", "new", "confirm"):
        assert page.locator(f"input[name={name}]").get_attribute("type") == "password", name
    page.goto("/admin/robots")
    assert page.locator("input[name=secret]").get_attribute("type") == "password"


def test_the_roster_is_uploaded_through_the_file_chooser(page, make_user, tmp_path):
    sign_in(page, make_user("admin"))
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_no,name,role,county,grid,phone\nM7001,文件选择器,manager,城区,东城网格,13800007001\n",
                      encoding="utf-8")
    page.goto("/admin/users")
    with page.expect_file_chooser() as chooser:
        page.locator("input[name=file]").click()
    chooser.value.set_files(str(roster))
    page.get_by_role("button", name="上传并预览").click()  # the roster is previewed, then written when confirmed
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("load")
    db.session.rollback()
    assert db.session.scalars(select(User.name).where(User.employee_no == "M7001")).one() == "文件选择器"


def test_indicators_are_uploaded_through_the_file_chooser(app, page, make_user, tmp_path):
    from lms.core.clock import period_of, utcnow

    period = period_of(utcnow())
    write_quiz(app, "this-month", OPEN_MONTHLY.format(period=period))
    sync(app)
    manager = make_user("manager")
    sign_in(page, make_user("admin"))
    sheet = tmp_path / "indicators.csv"
    sheet.write_text(f"工号,指标,得分\n{manager.employee_no},组织能力,3\n", encoding="utf-8")
    page.goto(f"/assessment/{period}/indicators")
    with page.expect_file_chooser() as chooser:
        page.locator("input[name=file]").click()
    chooser.value.set_files(str(sheet))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(f"**/assessment/{period}")
    db.session.rollback()
    assert db.session.scalars(select(Indicator.name).where(Indicator.user_id == manager.id)).all() == ["组织能力"]
