"""December, end to end, in Chromium: a trainer with no file and no command line builds the monthly test from a
bank with two random sections, previews it as a manager and publishes it; writes three lessons (one with a pasted
screenshot), builds December's training pack with them and the test, previews and publishes it once; two managers
take the test on a phone; after the window closes the trainer corrects a wrong key through the regrade page and
sets a make-up window for those who failed, which the failed manager then takes on the phone.

The fixtures only seed what a trainer cannot make in the browser: the question bank's file (one key deliberately
wrong: 900元 is the real December subsidy, the bank says 600元), the managers, and the server's clock. Every page is
checked for sideways scrolling and for serious axe-core findings; screenshots go to <tmp>/shots/story/."""

from __future__ import annotations

import base64
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lms.attempts.models import Attempt
from lms.extensions import db
from tests.browser.walk import AXE_SERIOUS, run_axe
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.clock import server_clock
from tests.support.images import screenshot_png
from tests.support.people import long_serving_managers
from tests.support.quiz_files import sync

pytestmark = BROWSER_MARKS
SHOTS = Path(tempfile.gettempdir()) / "shots" / "story"
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}
SLUG = "monthly-2026-12"
TITLE = "2026年12月渠道政策月考"

# The bank a trainer's colleague keeps in the quizzes folder. d01's key is wrong on purpose (600元; it is 900元).
BANK = """\
title: 12月政策题库
kind: bank
questions:
  - {id: d01, type: single, tags: [终端], difficulty: 1, stem: 12月199元档及以上合约机的直降补贴是？,
     options: [600元, 900元, 1200元], answer: A}
  - {id: d02, type: single, tags: [终端], difficulty: 1, stem: 12月合约机的直降补贴可以怎样使用？,
     options: [抵扣机价, 折现给客户, 转给他人], answer: A}
  - {id: d03, type: single, tags: [酬金], difficulty: 2, stem: 12月新装宽带的一次性酬金是？,
     options: [80元/户, 120元/户, 150元/户], answer: B}
  - {id: d04, type: single, tags: [酬金], difficulty: 2, stem: 12月酬金在次月几号前发放？,
     options: [次月5号, 次月15号, 次月25号], answer: B}
  - {id: d05, type: single, tags: [酬金], difficulty: 2, stem: 12月房补最多为实际月租金的多少？,
     options: [三成, 五成, 七成], answer: B}
"""
# Each question's stem → (the real answer, a wrong answer). For d01 the "wrong" one is what the bank's key says.
STEMS = {
    "12月199元档及以上合约机的直降补贴是？": ("900元", "600元"),
    "12月合约机的直降补贴可以怎样使用？": ("抵扣机价", "折现给客户"),
    "12月新装宽带的一次性酬金是？": ("120元/户", "80元/户"),
    "12月酬金在次月几号前发放？": ("次月15号", "次月5号"),
    "12月房补最多为实际月租金的多少？": ("五成", "七成"),
}
WRONG_KEY_STEM = "12月199元档及以上合约机的直降补贴是？"

LESSONS = (
    ("dec-handset", "12月终端政策（合约机直降）", "policy-handset",
     "## 合约机直降\n\n199元档及以上合约机直降 900 元，只能抵扣机价。\n"),
    ("dec-pay", "12月酬金发放规则", "remuneration", "## 发放时间\n\n12月酬金于次月15号前发放。\n"),
    ("dec-b2b", "B2B 终端订货：12月新版下单页", "system-b2b-ordering",
     "## 第一步 登录\n\n打开 B2B 门户并登录。\n\n## 第二步 下单\n\n按型号搜索，加入订货单。\n"),
)
SCREENSHOT_LESSON = "dec-b2b"

# Pastes a PNG into the lesson editor's body at its end, as a trainer's Ctrl+V of a screenshot does.
PASTE = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const body = document.querySelector("textarea[name=body]");
  body.focus();
  body.setSelectionRange(body.value.length, body.value.length);
  body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""

# Modules that read the clock through their own name (``from lms.core.clock import utcnow``) on the way of the
# story: the lesson editor, the pack pages, the regrade, the announcements a pack sends.
MORE_CLOCKS = ("lms.courses.views.utcnow", "lms.courses.pack_views.utcnow", "lms.courses.pack_services.utcnow",
               "lms.courses.services.utcnow", "lms.reports.views.utcnow", "lms.announcements.services.utcnow",
               "lms.announcements.inbox.utcnow", "lms.quizzes.services.utcnow")


@pytest.fixture
def app_config(app_config, tmp_path):  # type: ignore[no-untyped-def]
    app_config["LMS_MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


@pytest.fixture
def december(app, monkeypatch, make_user):
    """The bank file synced, a trainer, two channel managers and a third who will not sit the test; the clock on
    2 December, 10:00 in Shanghai."""
    folder = Path(app.config["LMS_QUIZZES_DIR"]) / "banks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "december-policy.yaml").write_text(BANK, encoding="utf-8")
    sync(app)
    clock = server_clock(monkeypatch, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    for target in MORE_CLOCKS:
        monkeypatch.setattr(target, clock)
    trainer = make_user("trainer", name="周培训")
    honest, struggling, absent = long_serving_managers(make_user, 3)
    honest.name, struggling.name, absent.name = "李明", "王芳", "赵强"
    db.session.commit()
    return {"clock": clock, "trainer": trainer, "honest": honest, "struggling": struggling, "absent": absent}


class Story:
    """The browser contexts of the story and the checks made on every page it opens."""

    def __init__(self, chromium: Any, base_url: str) -> None:
        self.chromium, self.base_url = chromium, base_url
        self.contexts: list[Any] = []
        self.findings: list[str] = []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def open(self, person: Any, viewport: dict[str, int]) -> Any:
        context = self.chromium.new_context(viewport=viewport, locale="zh-CN", base_url=self.base_url,
                                            timezone_id="Asia/Shanghai", is_mobile=viewport is PHONE,
                                            has_touch=viewport is PHONE)
        self.contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        sign_in(page, person)
        return page

    def check(self, page: Any, name: str) -> None:
        """No sideways scrolling, nothing serious for axe-core, no uncaught script error; a screenshot."""
        page.wait_for_load_state("load")
        width = page.viewport_size["width"]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name}: {page.url} scrolls sideways at {width} px (scrollWidth {scroll})"
        serious = [v for v in run_axe(page, contrast=width <= 360) if v["impact"] in AXE_SERIOUS]
        assert serious == [], f"{name}: {page.url}: {serious}"
        assert page.errors == [], f"{name}: {page.url}: {page.errors}"
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def story(chromium, live_server):
    story = Story(chromium, live_server)
    yield story
    story.close()


def draw(page: Any, section: int, *, bank: str, count: str, tags: str) -> None:
    prefix = f"#sections-{section}-draws-0-"
    page.select_option(prefix + "bank", bank)
    page.fill(prefix + "count", count)
    page.fill(prefix + "tags", tags)


def answer_paper(page: Any, wrong: set[str]) -> None:
    """Answer every question on the paper: the real answer, or the wrong one for the stems in ``wrong``."""
    from playwright.sync_api import expect

    page.locator("#quiz-form input[type=radio]").first.wait_for()
    for stem, (right, bad) in STEMS.items():
        if page.get_by_text(stem, exact=True).count():
            option = bad if stem in wrong else right
            page.locator("label.quiz-opt", has=page.get_by_text(option, exact=True)).locator("input").check()
            expect(page.locator("#quiz-save-status")).to_have_text("已保存")


def submit(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#quiz-submit").click()
    page.locator("#quiz-confirm-yes").click()
    expect(page.locator("#quiz-done")).to_be_visible()


def attempts_of(person: Any) -> list[Attempt]:
    db.session.rollback()  # a fresh transaction: what the server committed
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == person.id, Attempt.is_preview.is_(False))
                                   .order_by(Attempt.id)))


def build_and_publish_the_test(story: Story, trainer: Any) -> None:
    """Step 1: the builder at 1366 px, two random sections, the summary, a draft, the preview at 360, publish."""
    from playwright.sync_api import expect

    page = story.open(trainer, WIDE)
    page.get_by_role("navigation").get_by_role("link", name="考试", exact=True).click()
    page.get_by_role("link", name="组卷与发布").click()
    story.check(page, "01-trainer-1366-builder-list")
    page.get_by_role("link", name="新建考试").click()
    expect(page.locator("#period")).to_have_value("2026-12")
    page.fill("#title", TITLE)
    page.fill("#sections-0-title", "终端政策")
    draw(page, 0, bank="december-policy", count="2", tags="终端")
    page.get_by_role("button", name="添加一节").click()
    page.fill("#sections-1-title", "酬金政策")
    draw(page, 1, bank="december-policy", count="2", tags="酬金")
    expect(page.locator("#summary-questions")).to_have_text("4")
    expect(page.locator("#summary-papers")).to_have_text("3")  # C(2,2) × C(3,2)
    story.check(page, "02-trainer-1366-builder-summary")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.get_by_text("考试已保存为草稿。")).to_be_visible()
    assert page.url.endswith(f"/quizzes/builder/{SLUG}")
    story.check(page, "03-trainer-1366-builder-draft")

    page.set_viewport_size(PHONE)  # the preview is the player a manager sees on a phone
    page.get_by_role("button", name="以渠道经理身份预览").click()
    expect(page.locator("#quiz-preview")).to_be_visible()
    answer_paper(page, wrong=set())
    story.check(page, "04-trainer-360-preview-player")
    submit(page)
    story.check(page, "05-trainer-360-preview-done")

    page.set_viewport_size(WIDE)
    page.goto(f"/quizzes/builder/{SLUG}")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("考试已发布")).to_be_visible()
    story.check(page, "06-trainer-1366-test-published")
    page.context.close()


def write_the_lessons(story: Story, trainer: Any) -> None:
    """Step 2a: three lessons written in the lesson editor; the B2B one gets a pasted screenshot."""
    from playwright.sync_api import expect

    page = story.open(trainer, WIDE)
    for slug, title, category, body in LESSONS:
        page.goto("/courses/manage")
        page.get_by_role("link", name="新建课程").click()
        page.fill("input[name=slug]", slug)
        page.fill("input[name=title]", title)
        page.select_option("select[name=category]", category)
        page.fill("input[name=period]", "2026-12")
        page.fill("textarea[name=body]", body)
        if slug != SCREENSHOT_LESSON:
            page.get_by_role("button", name="保存并发布").click()
            expect(page.locator(".flash")).to_contain_text("课程已发布。")
            continue
        page.get_by_role("button", name="保存草稿").click()  # a saved draft takes screenshots
        expect(page.locator(".flash")).to_contain_text("草稿已保存。")
        page.wait_for_load_state("load")  # the editor's script listens for the paste only once it has run
        page.evaluate(PASTE, ["image.png", base64.b64encode(screenshot_png()).decode()])
        page.wait_for_function("() => document.querySelector('textarea[name=body]').value.includes('/media/')",
                               timeout=15_000)
        page.locator("#lesson-preview img").wait_for(timeout=15_000)
        story.check(page, "07-trainer-1366-lesson-editor-screenshot")
        page.fill("input[name=note]", "加上新版下单页截图")
        page.get_by_role("button", name="保存并发布").click()
        expect(page.locator(".flash")).to_contain_text("已保存并发布")
    page.goto("/courses/manage")
    story.check(page, "08-trainer-1366-lessons")
    page.context.close()


def publish_the_pack(story: Story, trainer: Any) -> None:
    """Step 2b: December's pack with the three lessons and the test, previewed and published once."""
    from playwright.sync_api import expect

    page = story.open(trainer, WIDE)
    page.get_by_role("navigation").get_by_role("link", name="课程", exact=True).click()
    page.get_by_role("link", name="月度培训包").click()
    expect(page.locator("input[name=period]")).to_have_value("2026-12")
    story.check(page, "09-trainer-1366-packs")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("heading", name="编辑培训包 · 2026年12月")).to_be_visible()
    for _slug, title, _category, _body in LESSONS:
        page.get_by_label(title).check()
    page.get_by_label("本月考试").select_option(label=f"{TITLE}（2026-12）")
    page.get_by_label("标题").fill("12月培训包：终端、酬金、B2B 下单")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("培训包已保存")
    expect(page.locator(".pack-order li")).to_have_count(3)
    story.check(page, "10-trainer-1366-pack-edit")
    page.get_by_role("link", name="预览").first.click()
    expect(page.get_by_role("heading", name="发布时发送的通知")).to_be_visible()
    story.check(page, "11-trainer-1366-pack-preview")
    page.get_by_role("button", name="发布培训包并通知").click()
    expect(page.locator(".flash")).to_contain_text("培训包已发布")
    expect(page.get_by_role("button", name="发布培训包并通知")).to_have_count(0)  # once
    story.check(page, "12-trainer-1366-pack-published")
    page.context.close()


def take_the_test(story: Story, manager: Any, name: str, *, wrong: set[str], read_lesson: bool) -> None:
    """Step 3: a manager at 360 px: the pack on the home page, (the screenshot lesson), the test."""
    from playwright.sync_api import expect

    page = story.open(manager, PHONE)
    panel = page.locator("section.card", has_text="本月培训包 · 2026年12月")
    expect(panel).to_be_visible()
    expect(panel.locator(".pack-lessons li")).to_have_count(3)
    story.check(page, f"{name}-home")
    if read_lesson:
        panel.get_by_role("link", name="B2B 终端订货：12月新版下单页").click()
        image = page.locator(".lesson-body img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('.lesson-body img').complete")
        box = image.bounding_box()
        assert box is not None
        assert box["width"] <= 360
        assert box["height"] == pytest.approx(box["width"] * 1100 / 2000, abs=2)  # not squashed
        story.check(page, f"{name}-lesson-screenshot")
    page.goto(f"/quizzes/{SLUG}")
    story.check(page, f"{name}-test")
    page.get_by_role("link", name="开始考试").click()
    answer_paper(page, wrong)
    story.check(page, f"{name}-player")
    submit(page)
    story.check(page, f"{name}-done")
    page.context.close()


def correct_the_key(story: Story, trainer: Any) -> None:
    """Step 4: after the close, the item analysis and the regrade page: the key of d01 becomes B (900元)."""
    from playwright.sync_api import expect

    page = story.open(trainer, WIDE)
    page.get_by_role("navigation").get_by_role("link", name="培训分析").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    story.check(page, "20-trainer-1366-analysis")
    page.locator("tr", has_text=WRONG_KEY_STEM).get_by_role("link", name="更正答案").click()
    expect(page.get_by_role("heading", name="更正答案并重新评分")).to_be_visible()
    page.get_by_label("900元").check()
    page.get_by_role("button", name="预览成绩变化").click()
    expect(page.get_by_role("heading", name="预览")).to_be_visible()
    changes = page.locator("section.card", has=page.get_by_role("heading", name="预览")).locator("tbody")
    expect(changes).to_contain_text("李明")
    expect(changes).to_contain_text("王芳")
    story.check(page, "21-trainer-1366-regrade-preview")
    page.get_by_role("button", name="确认重新评分").click()
    expect(page.locator(".flash")).to_contain_text("已按更正后的答案重新评分")
    story.check(page, "22-trainer-1366-regraded")
    page.context.close()


def set_the_makeup(story: Story, trainer: Any) -> None:
    """Step 5a: the builder's 补考 section shows who failed and who was absent; a window for those who failed."""
    from playwright.sync_api import expect

    page = story.open(trainer, WIDE)
    page.goto("/quizzes/builder")
    page.get_by_role("link", name=TITLE).click()
    makeup = page.locator("#makeup")
    expect(makeup.locator("#makeup-standing")).to_contain_text("正式考试中未及格 1 人、缺考 1 人")
    page.fill("#makeup_opens", "2026-12-10T09:00")
    page.fill("#makeup_closes", "2026-12-12T23:59")
    page.select_option("#makeup_audience", "failed")
    makeup.scroll_into_view_if_needed()
    story.check(page, "23-trainer-1366-builder-makeup")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".flash").first).to_be_visible()
    expect(page.locator("#makeup_audience")).to_have_value("failed")
    expect(page.locator("#makeup_opens")).to_have_value("2026-12-10T09:00")
    story.check(page, "24-trainer-1366-builder-makeup-saved")
    page.context.close()


def test_a_trainers_december_in_the_browser(december, story):
    from playwright.sync_api import expect

    w, clock = december, december["clock"]
    trainer, honest, struggling = w["trainer"], w["honest"], w["struggling"]

    build_and_publish_the_test(story, trainer)
    write_the_lessons(story, trainer)
    publish_the_pack(story, trainer)

    clock.advance(days=1)  # 3 December
    # 李明 answers every question as December's policy says, so the wrong key costs him the pass (75 < 80);
    # 王芳 follows the bank's wrong key on d01 and misses one of the two remuneration questions she is given.
    take_the_test(story, honest, "13-honest-360", wrong=set(), read_lesson=True)
    remuneration = {stem for stem in STEMS if stem.startswith(("12月新装宽带", "12月酬金在", "12月房补"))}
    take_the_test(story, struggling, "16-struggling-360", wrong={WRONG_KEY_STEM, *remuneration}, read_lesson=False)
    before = {who: attempts_of(w[who])[0] for who in ("honest", "struggling")}
    assert (before["honest"].score, before["honest"].passed) == (75.0, False)
    assert (before["struggling"].score, before["struggling"].passed) == (50.0, False)

    clock.advance(days=6)  # 9 December: the window (1st 00:00 to 8th 23:59) has closed
    correct_the_key(story, trainer)
    after = {who: attempts_of(w[who])[0] for who in ("honest", "struggling")}
    assert (after["honest"].score, after["honest"].passed) == (100.0, True)
    assert (after["struggling"].score, after["struggling"].passed) == (25.0, False)

    set_the_makeup(story, trainer)
    clock.advance(days=2)  # 11 December: inside the make-up window

    page = story.open(struggling, PHONE)
    page.goto(f"/quizzes/{SLUG}")
    expect(page.get_by_role("link", name="开始补考")).to_be_visible()
    expect(page.get_by_text("补考只有一次机会。")).to_be_visible()
    story.check(page, "25-struggling-360-makeup-offered")
    page.get_by_role("link", name="开始补考").click()
    answer_paper(page, wrong=set())
    story.check(page, "26-struggling-360-makeup-player")
    submit(page)
    story.check(page, "27-struggling-360-makeup-done")
    page.goto(f"/quizzes/{SLUG}")
    expect(page.get_by_role("link", name="开始补考")).to_have_count(0)  # one make-up only
    page.context.close()
    makeup = attempts_of(struggling)[-1]
    assert len(attempts_of(struggling)) == 2
    assert makeup.status == "submitted"

    page = story.open(honest, PHONE)
    page.goto(f"/quizzes/{SLUG}")
    expect(page.locator("main")).not_to_contain_text("开始补考")
    expect(page.get_by_role("link", name="查看成绩")).to_be_visible()
    story.check(page, "28-honest-360-no-makeup")
    page.context.close()

    # 王芳 answered every make-up question as December's policy says, d01 included (900元, the key the trainer
    # corrected on the 9th). The make-up paper is drawn after the regrade from the bank, whose file still says
    # 600元: the kept correction is applied to the new paper, so she passes.
    assert makeup.score == 100.0, makeup.results
    assert makeup.passed
