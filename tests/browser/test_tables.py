"""Tables are phone-first everywhere (static/js/tables.js + app.css): on the demo world, every page of the product
that shows a table is read in Chromium at 360 px as cards — each body cell labelled with its column's heading, the
table's ARIA roles in place — and no page scrolls sideways, at 360 px or at 1366 px.

A template's table is labelled from its own ``<thead>``: the first test keeps every template that way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lms.config import REPO_ROOT
from tests.support.browser import BROWSER_MARKS
from tests.trust.demo_world import ADMIN, DEMO_PASSWORD, demo_app, demo_template, user

TEMPLATES = REPO_ROOT / "templates"
# Not pages: the certificate is a PDF (its facts table is laid out by certificate-pdf.css).
NOT_PAGES = {"certificates/certificate.html"}
PHONE, DESKTOP = 360, 1366


def templates_with_tables() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if "<table" in p.read_text(encoding="utf-8"))


def test_every_page_table_has_a_heading_row_to_label_its_cells() -> None:
    problems = []
    found = templates_with_tables()
    assert len(found) >= 30
    for path in found:
        name = path.relative_to(TEMPLATES).as_posix()
        if name in NOT_PAGES:
            continue
        text = path.read_text(encoding="utf-8")
        for table in re.findall(r"<table\b.*?</table>", text, flags=re.DOTALL):
            head = re.search(r"<thead>.*?</thead>", table, flags=re.DOTALL)
            if head is None or "<th" not in head.group(0):
                problems.append(f"{name}: a table without a <thead> of <th>s")
    assert not problems, "\n".join(problems)


@pytest.fixture
def app(template_db: Any, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        tmp_path: Any) -> Iterator[Flask]:
    """This module runs on a clone of the demo world: three closed months, every kind of record."""
    yield from demo_app(demo_template(template_db, request, tmp_path_factory), tmp_path)


def table_pages() -> dict[str, list[str]]:
    """Who opens which page: each template with a table, its ids taken from the demo data."""
    from lms.announcements.models import Announcement, OutboxMessage
    from lms.assessment.models import ClosedPeriod
    from lms.attempts.models import Attempt
    from lms.courses.models import Lesson, TrainingSession
    from lms.extensions import db
    from lms.quizzes.models import QuestionBank, Quiz

    def first(query: Any) -> Any:
        return db.session.scalars(query).first()

    period = first(select(ClosedPeriod.period).order_by(ClosedPeriod.period.desc()))
    quiz = first(select(Quiz.slug).where(Quiz.period == period))
    penalised = user("M1015")
    attempt = first(select(Attempt.id).where(Attempt.user_id == penalised.id, Attempt.finished_at.is_not(None)))
    lesson = first(select(Lesson.slug).order_by(Lesson.slug))
    bank = first(select(QuestionBank.slug).order_by(QuestionBank.slug))
    announcement = first(select(Announcement.id).order_by(Announcement.id))
    outbox = first(select(OutboxMessage.id).order_by(OutboxMessage.id))
    training = first(select(TrainingSession.id).order_by(TrainingSession.id))
    admin = [
        "/admin/users", "/admin/robots", "/admin/outbox", "/announcements", "/certificates/manage",
        "/courses/manage", "/courses/progress", f"/lessons/{lesson}/revisions", "/training", "/quizzes",
        "/quizzes/banks", f"/quizzes/banks/{bank}", f"/quizzes/{quiz}/people", "/reports/", "/reports/trainer",
        f"/reports/quizzes/{quiz}", "/reports/suggestions", f"/reports/periods/{period}",
        f"/reports/people/{penalised.id}", "/assessment/", f"/assessment/{period}", f"/assessment/{period}/ranking",
        f"/assessment/{period}/ledger", "/assessment/deductions/new", f"/attempts/{attempt}",
    ]
    admin += [f"/announcements/{announcement}/receipts"] if announcement else []
    admin += [f"/admin/outbox/{outbox}"] if outbox else []
    admin += [f"/training/{training}"] if training else []
    return {ADMIN: admin, "M1015": ["/assessment/mine", "/certificates/", "/quizzes", f"/attempts/{attempt}"]}


CHECK = """() => {
    const problems = [];
    const columnHeadingIsEmpty = (cell) => {
        const table = cell.closest('table');
        let column = 0;
        for (const other of cell.parentElement.cells) { if (other === cell) break; column += other.colSpan; }
        let index = 0;
        for (const heading of table.tHead.rows[table.tHead.rows.length - 1].cells) {
            if (index === column) return !heading.textContent.trim();
            index += heading.colSpan;
        }
        return true;
    };
    for (const table of document.querySelectorAll('main table')) {
        if (table.closest('.lesson-body')) continue;
        if (!table.classList.contains('cards')) { problems.push('a table not laid out as cards'); continue; }
        if (table.getAttribute('role') !== 'table') problems.push('a card table without role=table');
        for (const cell of table.querySelectorAll('tbody td')) {
            if (cell.getAttribute('role') !== 'cell') problems.push('a cell without role=cell');
            const shown = getComputedStyle(cell).position !== 'absolute';
            // A cell may go without a label only in a column without a heading, as an action (a link or form).
            const action = cell.querySelector('a, button, form');
            if (shown && cell.colSpan === 1 && cell.textContent.trim() && !cell.dataset.label
                && cell.parentElement.cells.length > 1 && !(action && columnHeadingIsEmpty(cell))) {
                problems.push('an unlabelled value: ' + cell.textContent.trim().slice(0, 30));
            }
            const box = cell.getBoundingClientRect();
            if (shown && box.width > 0 && box.right > window.innerWidth + 0.5) {
                problems.push('a cell beyond the screen: ' + cell.textContent.trim().slice(0, 30));
            }
        }
    }
    return problems;
}"""


def browser_test(test: Any) -> Any:
    for mark in reversed(BROWSER_MARKS):
        test = mark(test)
    return test


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
@browser_test
def test_every_table_page_reads_without_sideways_scrolling(page, live_server, viewport):
    pages = table_pages()
    browser = page.context.browser  # one context per person, in the Chromium of the ``page`` fixture
    problems: list[str] = []
    for who, urls in pages.items():
        context = browser.new_context(viewport={"width": viewport, "height": 800}, locale="zh-CN",
                                      base_url=live_server)
        tab = context.new_page()
        tab.goto("/login")
        tab.fill("input[name=employee_no]", who)
        tab.fill("input[name=password]", DEMO_PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(lambda url: "/login" not in url)
        for url in urls:
            response = tab.goto(url)
            if response is None or response.status != 200:
                problems.append(f"{who} {url}: status {response.status if response else None}")
                continue
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > viewport:
                problems.append(f"{who} {url}: the page is {width} px wide at {viewport}")
            if viewport == PHONE:
                problems += [f"{who} {url}: {p}" for p in tab.evaluate(CHECK)]
        context.close()
    assert not problems, "\n".join(problems)
