"""A trainer imports a Word paper in Chromium, as the issue asks: a 100-question .docx written the way trainers write
one (five sections, 解析 / 难度 / 知识点 after each question, screenshots in stems and options) is uploaded on
题库管理, previewed (100 new, the pictures showing), confirmed, and lands as 100 questions whose pictures are served
from the platform — on a desktop and on a phone, every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes.models import BankQuestion, QuestionMedia
from tests.browser.checks import checked as page_checked
from tests.support.browser import BROWSER_MARKS, sign_in
from tests.support.word import trainer_paper

pytestmark = BROWSER_MARKS
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 360, "height": 740}


def checked(page, width: int, name: str) -> None:
    page_checked(page, width, name, folder="word-import")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_a_trainer_imports_a_hundred_question_word_paper_with_its_pictures(chromium, live_server, make_user,
                                                                              viewport):
    from playwright.sync_api import expect

    width = viewport["width"]
    paper = trainer_paper(100)
    context = chromium.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    sign_in(page, make_user("trainer"))
    page.goto("/quizzes/banks")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word 模板").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.fill("#import-bank", "word-paper")
    page.fill("#import-title", "十二月题库")
    page.set_input_files("#import-file", files=[{
        "name": "十二月考试.docx", "buffer": paper,
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    page.get_by_role("button", name="预览").click()

    expect(page.locator("h1")).to_contain_text("核对导入")
    counts = page.locator(".import-counts")
    expect(counts).to_contain_text("新增 100 道")
    expect(counts).to_contain_text("未通过 0 道")
    pictures = page.locator(".import-questions img")
    assert pictures.count() >= 25
    with_picture = page.locator(".import-questions details:has(img)").first
    with_picture.locator("summary").click()  # only the first three questions start open
    first = with_picture.locator("img").first
    first.scroll_into_view_if_needed()
    expect(first).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", first.element_handle())
    checked(page, width, "1-preview")

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".flash-success")).to_contain_text("新增 100 道")
    expect(page.locator("h1")).to_contain_text("十二月题库")
    assert db.session.scalar(select(func.count(BankQuestion.id))) == 100
    assert db.session.scalar(select(func.count(QuestionMedia.id))) >= 25
    checked(page, width, "2-bank")

    page.locator("table.bank-questions tbody tr a").nth(3).click()  # question 4 has a screenshot in its stem
    stored = page.locator(".quiz-stem img")
    expect(stored).to_be_visible()
    assert "/quizzes/media/" in (stored.get_attribute("src") or "")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", stored.element_handle())
    checked(page, width, "3-question")
    context.close()
