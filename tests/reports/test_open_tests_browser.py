"""On 3 December, with no December monthly test, in a real Chromium at phone width: the home page of every role and
the risk board show the tests open now (November's make-up, the system-operation test open until the 10th) and who
has not sat them, scoped to the viewer's unit; the board opens on November and has a period picker that works
without JavaScript."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.reports.conftest import DECEMBER_3
from tests.support.browser import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

OPS_TITLE = "系统操作考试（社会渠道管理系统）"


@pytest.fixture
def clock():
    with freeze_time(DECEMBER_3, tick=True):
        yield


def _open_tests(page) -> dict[str, str]:
    """Each open test on the page: its heading → the text of its block."""
    blocks = page.locator("section.open-tests article.open-test, #open-title ~ article.open-test")
    return {block.locator("h3").inner_text(): block.inner_text() for block in blocks.all()}


def _listed(block: str, people) -> list[bool]:
    return [person.name in block for person in people]


def test_a_county_supervisors_home_lists_who_has_not_sat_each_open_test(page, december_world, clock):
    w = december_world
    east, west, far = w["east"], w["west"], w["far"]
    sign_in(page, w["county_sup"])

    tests = _open_tests(page)
    assert list(tests) == [f"{w['november'].title} 月度考试 补考", f"{OPS_TITLE} 系统操作考试"]
    makeup, ops = tests.values()
    assert "2026-12-05 23:59 截止，还剩 3 天" in makeup
    assert "2026-12-10 23:59 截止，还剩 8 天" in ops
    assert _listed(makeup, [*east, *west, *far]) == [False, False, True, True, True, False]
    assert _listed(ops, [*east, *west, *far]) == [False, True, True, False, True, False]
    assert "未参加 3" in ops
    body = page.locator("main").inner_text()
    assert "2026-11 月考" in body  # the board's panel is about the latest month with a test,
    assert "本月还没有月考" not in body  # not about December's absence of one
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_grid_supervisor_sees_only_the_grids_people(page, december_world, clock):
    w = december_world
    sign_in(page, w["grid_sup"])
    makeup, ops = _open_tests(page).values()
    assert _listed(makeup, [*w["east"], *w["west"]]) == [False, False, True, False, False]
    assert _listed(ops, [*w["east"], *w["west"]]) == [False, True, True, False, False]


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_trainers_and_admins_see_the_open_tests_on_their_home(page, december_world, clock, role):
    w = december_world
    sign_in(page, w[role])
    tests = _open_tests(page)
    assert len(tests) == 2
    _makeup, ops = tests.values()
    assert _listed(ops, [w["far"][0], w["west"][1], w["west"][0]]) == [True, True, False]


def test_a_manager_sees_each_open_test_with_what_to_do(page, december_world, clock):
    w = december_world
    sign_in(page, w["east"][2])  # sat neither
    blocks = page.locator("section.open-tests article.open-test")
    assert blocks.count() == 2
    for index in range(2):
        assert blocks.nth(index).get_by_role("link", name="去考试").is_visible()
    assert "补考" in blocks.nth(0).inner_text()
    assert OPS_TITLE in blocks.nth(1).inner_text()


def test_a_manager_who_sat_the_system_ops_test_sees_the_score(page, december_world, clock):
    w = december_world
    sign_in(page, w["east"][0])
    ops = page.locator("section.open-tests article.open-test").filter(has_text=OPS_TITLE)
    assert "成绩：100" in ops.inner_text()
    assert ops.get_by_role("link", name="去考试").count() == 0


def test_the_board_opens_on_november_with_the_open_tests_and_a_visible_period_picker(page, december_world, clock):
    w = december_world
    sign_in(page, w["county_sup"])
    page.goto("/reports/")

    assert page.locator("h1").inner_text() == "考核看板 · 2026-11"
    assert "本期没有月考" not in page.locator("main").inner_text()
    picker = page.locator("select#board-period")
    assert picker.is_visible()
    assert page.locator("label[for=board-period]").is_visible()
    assert picker.input_value() == "2026-11"
    assert picker.locator("option").all_inner_texts() == ["2026-12", "2026-11", "2026-10", "2026-09"]
    # November's own test is the period's section (its not-yet-sat list); the other open test has its own block.
    assert list(_open_tests(page)) == [f"{OPS_TITLE} 系统操作考试"]
    ops = next(iter(_open_tests(page).values()))
    assert _listed(ops, [*w["east"], *w["west"], *w["far"]]) == [False, True, True, False, True, False]
    november = page.locator("#notsat-title ~ div").inner_text()
    assert _listed(november, [*w["east"], *w["west"]]) == [False, False, True, True, True]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_period_picker_works_without_javascript(page, live_server, december_world, clock):
    w = december_world
    context = page.context.browser.new_context(java_script_enabled=False, base_url=live_server,
                                               viewport={"width": 360, "height": 740}, locale="zh-CN")
    plain = context.new_page()
    sign_in(plain, w["county_sup"])
    plain.goto("/reports/")
    plain.select_option("select#board-period", "2026-10")
    plain.get_by_role("button", name="查看").click()
    plain.wait_for_url("**/reports/?period=2026-10")

    assert plain.locator("h1").inner_text() == "考核看板 · 2026-10"
    assert plain.locator("select#board-period").input_value() == "2026-10"
    # Looking back at October, November's make-up is one of the tests open now.
    assert list(_open_tests(plain)) == [f"{w['november'].title} 月度考试 补考", f"{OPS_TITLE} 系统操作考试"]
    context.close()
