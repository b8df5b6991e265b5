"""The test builder in a real Chromium: a trainer at 1366 px builds December's monthly test from the practice bank
with two random sections, sees the summary (and an over-draw refused with the numbers), previews it as a manager
at 360 px (answers a question, submits), publishes it; a manager at 360 px then finds it under 我的考试. At 360 px and
1366 px a trainer removes a draw row and a section (in place with JavaScript, by a page load without), the summary
following, axe-core finding nothing serious; a taken-over file's own questions show in their sections."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.attempts.models import Attempt
from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.browser.walk import AXE_SERIOUS, run_axe, screenshot_dir
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import server_clock
from tests.support.quiz_files import MONTHLY, sync, write_quiz

pytestmark = BROWSER_MARKS
BANK = Path(__file__).resolve().parents[2] / "quizzes" / "banks" / "policy-practice.yaml"
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}


def shot(page, name: str) -> None:
    """A picture of the step, when LMS_WALK_SCREENSHOTS names a folder (as for ``make screenshots``)."""
    folder = screenshot_dir()
    if folder is not None:
        (folder / "quiz-builder").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "quiz-builder" / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    page.wait_for_load_state("load")  # measured with the stylesheets applied, not before they arrive
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def axe_clean(page) -> None:
    serious = [v for v in run_axe(page) if v["impact"] in AXE_SERIOUS]
    assert serious == [], serious


def draw(page, section: int, row: int, *, bank: str, count: str, tags: str) -> None:
    prefix = f"#sections-{section}-draws-{row}-"
    page.select_option(prefix + "bank", bank)
    page.fill(prefix + "count", count)
    page.fill(prefix + "tags", tags)


@pytest.fixture
def december(app, monkeypatch):
    """The practice bank synced, and the server's clock inside December's window."""
    folder = Path(app.config["LMS_QUIZZES_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BANK, folder / BANK.name)
    sync(app)
    return server_clock(monkeypatch, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))


@pytest.mark.usefixtures("december")
def test_a_trainer_builds_previews_and_publishes_december_and_a_manager_finds_it(chromium, live_server, make_user):
    from playwright.sync_api import expect

    trainer, manager = make_user("trainer"), make_user("manager")
    context = chromium.new_context(viewport=WIDE, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, trainer)
    page.goto("/quizzes")
    page.get_by_role("link", name="组卷与发布").click()
    page.get_by_role("link", name="新建考试").click()
    expect(page.locator("#period")).to_have_value("2026-12")
    expect(page.locator("#opens")).to_have_value("2026-12-01T00:00")  # the policy's default window
    page.fill("#title", "2026年12月渠道政策月考")
    page.fill("#sections-0-title", "终端政策")
    draw(page, 0, 0, bank="policy-practice", count="2", tags="终端")
    page.get_by_role("button", name="添加一节").click()  # a plain submit: works without JavaScript
    page.fill("#sections-1-title", "入网政策")
    draw(page, 1, 0, bank="policy-practice", count="2", tags="入网")
    expect(page.locator("#summary-questions")).to_have_text("4")  # the live summary (static/js/quiz-builder.js)
    expect(page.locator("#summary-papers")).to_have_text("9")  # C(3,2) × C(3,2)
    no_sideways_scroll(page, 1366)
    shot(page, "1-builder-summary-1366")

    page.fill("#sections-0-draws-0-count", "10")
    shortage = page.locator("#summary-shortages")
    expect(shortage).to_contain_text("题库「渠道政策练习题库」中符合条件的题只有 3 道，本节要抽 10 道")
    shot(page, "2-builder-overdraw-1366")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("#builder-problems")).to_contain_text("只有 3 道，本节要抽 10 道")
    page.fill("#sections-0-draws-0-count", "2")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.get_by_text("考试已保存为草稿。")).to_be_visible()
    slug = "monthly-2026-12"
    assert page.url.endswith(f"/quizzes/builder/{slug}")

    page.set_viewport_size(PHONE)  # the preview: the player as a manager sees it on a phone
    page.get_by_role("button", name="以渠道经理身份预览").click()
    expect(page.locator("#quiz-preview")).to_be_visible()
    first = page.locator("#quiz-form input[type=radio]").first
    expect(first).to_be_visible()
    first.check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    no_sideways_scroll(page, 360)
    shot(page, "3-preview-player-360")
    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    expect(page.locator("#quiz-done")).to_be_visible()
    shot(page, "4-preview-done-360")
    db.session.rollback()
    preview = db.session.scalar(select(Attempt).where(Attempt.user_id == trainer.id))
    assert preview.is_preview
    assert preview.status == "submitted"
    assert not preview.official

    page.set_viewport_size(WIDE)
    page.goto(f"/quizzes/builder/{slug}")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("考试已发布")).to_be_visible()
    shot(page, "5-published-1366")
    db.session.rollback()
    assert db.session.scalar(select(Quiz.status).where(Quiz.slug == slug)) == "published"
    context.close()

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = phone.new_page()
    sign_in(page, manager)
    page.goto("/quizzes")
    expect(page.get_by_role("link", name="2026年12月渠道政策月考")).to_be_visible()
    no_sideways_scroll(page, 360)
    shot(page, "6-manager-my-tests-360")
    phone.close()


@pytest.mark.usefixtures("december")
@pytest.mark.parametrize(("viewport", "script"), [(WIDE, True), (PHONE, True), (PHONE, False)],
                         ids=["1366", "360", "360-no-js"])
def test_a_trainer_removes_a_draw_row_and_a_section(chromium, live_server, make_user, viewport, script):
    from playwright.sync_api import expect

    width = viewport["width"]
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server,
                                   java_script_enabled=script)
    page = context.new_page()
    sign_in(page, make_user("trainer"))
    page.goto("/quizzes/builder/new")
    expect(page.get_by_role("button", name="删除第 1 节")).to_have_count(0)  # the last section stays
    page.fill("#title", "删除演练")
    draw(page, 0, 0, bank="policy-practice", count="2", tags="终端")
    page.get_by_role("button", name="添加一节").click()
    draw(page, 1, 0, bank="policy-practice", count="2", tags="入网")
    draw(page, 1, 1, bank="policy-practice", count="1", tags="终端")
    if not script:
        page.get_by_role("button", name="更新汇总").click()
    expect(page.locator("#summary-questions")).to_have_text("5")
    if script:
        axe_clean(page)
    no_sideways_scroll(page, width)
    shot(page, f"7-remove-before-{width}{'' if script else '-no-js'}")

    second = page.locator(".builder-section").nth(1)
    second.get_by_role("button", name="删除随机抽题 1").click()
    expect(page.locator("#summary-questions")).to_have_text("3")
    expect(page.locator("#sections-1-draws-0-bank")).to_have_count(0)
    expect(page.locator("#sections-1-draws-1-count")).to_have_value("1")  # the row after it stays as it was
    if script:
        expect(page.locator("#sections-1-draws-1-bank")).to_be_focused()  # where the removed row was
    page.get_by_role("button", name="删除第 2 节").click()
    expect(page.locator(".builder-section")).to_have_count(1)
    expect(page.locator("#summary-questions")).to_have_text("2")
    expect(page.get_by_role("button", name="删除第 1 节")).to_have_count(0)
    expect(page.locator("#sections-0-draws-0-tags")).to_have_value("终端")
    if script:
        expect(page.locator(".builder-section h3")).to_be_focused()
        axe_clean(page)
    no_sideways_scroll(page, width)
    shot(page, f"8-removed-{width}{'' if script else '-no-js'}")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.get_by_text("考试已保存为草稿。")).to_be_visible()
    db.session.rollback()
    quiz = db.session.scalar(select(Quiz).where(Quiz.title == "删除演练"))
    assert [len(s.get("draw") or []) for s in quiz.builder_data["sections"]] == [1]
    context.close()


@pytest.mark.usefixtures("december")
@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_a_taken_over_files_own_questions_show_in_their_section(app, chromium, live_server, make_user, viewport):
    from playwright.sync_api import expect

    write_quiz(app, "monthly-2026-11", MONTHLY)
    sync(app)
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, make_user("trainer"))
    page.goto("/quizzes/builder/monthly-2026-11")
    page.get_by_role("button", name="在浏览器中接管").click()
    own = page.locator(".builder-own")
    expect(own).to_contain_text("终端补贴政策的有效期是？")
    expect(own).to_contain_text("答案：A")
    own.get_by_role("button", name="删除此题").first.click()
    expect(own.locator("li", has_text="终端补贴政策的有效期是？")).to_have_count(0)
    expect(page.locator("#summary-questions")).to_have_text("1")
    axe_clean(page)
    no_sideways_scroll(page, viewport["width"])
    shot(page, f"9-own-questions-{viewport['width']}")
    context.close()
