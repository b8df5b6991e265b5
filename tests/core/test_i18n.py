"""The English UI: every source string has English with the same placeholders, and pages shown with ``?lang=en``
carry no Chinese outside what people typed (names, units, lesson and test titles, lesson text).

The page tests run on the demo organisation and its history (``flask sync`` of the shipped content, then
``flask demo``), built once for this module in its own database: the home pages then show every panel a real
person sees (this month's test, the training pack, assessment records, notices, the supervisor's board).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms import create_app
from lms.extensions import db
from tests.support.databases import TemplateDatabase
from tests.support.web import post_form

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
DEMO_PASSWORD = "Demo@2026"

# CJK ideographs plus CJK and full-width punctuation: an English page should not show "（", "：" or "。" either.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# %(name)s / %(n)d / %(p)02d / %s and {0} / {name}; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])|\{(?P<brace>\w*)\}")


def catalog() -> list[tuple[str, str]]:
    with PO.open("rb") as handle:
        return [(m.id, m.string) for m in read_po(handle) if m.id and isinstance(m.id, str)]


def placeholders(text: str) -> list[tuple[str, str]]:
    found = [(m["name"] or m["brace"] or "", m["conv"] or "{}") for m in PLACEHOLDER.finditer(text)]
    return sorted((name, "d" if conv in "diu" else conv) for name, conv in found if conv != "%")


# --- the catalog ----------------------------------------------------------------------------------------------------

def extracted_messages() -> set[str]:
    """Every string the source marks for translation now (what ``scripts/i18n.py update`` would extract)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_every_marked_string_has_english() -> None:
    english = {source: text for source, text in catalog() if text}
    missing = sorted(extracted_messages() - english.keys())
    assert not missing, (f"{len(missing)} strings have no English. Add them to translations/en.tsv, then run "
                         f"`python scripts/i18n.py update`:\n" + "\n".join(missing[:40]))


def test_catalog_lists_nothing_without_english() -> None:
    assert [source for source, english in catalog() if not english] == []


def test_english_keeps_the_placeholders_of_the_source() -> None:
    wrong = [(source, english) for source, english in catalog() if placeholders(source) != placeholders(english)]
    assert wrong == []


def test_english_formats_with_the_arguments_the_source_takes() -> None:
    """A translation that drops "%%" or adds a stray "%" would raise at render time, on an English page only.

    Templates always format (Jinja's gettext applies ``%`` even without arguments); Python code formats only when
    it passes arguments, so "合格率%" from a view is plain text.
    """
    with PO.open("rb") as handle:
        messages = [m for m in read_po(handle) if m.id and isinstance(m.id, str) and m.string]
    failures = []
    for message in messages:
        arguments = {name: 1 for name, _conv in placeholders(message.id) if name}
        in_template = any(path.startswith("templates/") for path, _line in message.locations)
        if not arguments and not in_template:
            continue
        try:
            message.id % arguments
            message.string % arguments
        except (KeyError, TypeError, ValueError) as exc:
            failures.append((message.id, message.string, repr(exc)))
    assert failures == []


def test_english_has_no_chinese_left_in_it() -> None:
    assert [(source, english) for source, english in catalog() if CJK.search(english)] == []


@pytest.mark.parametrize("table", [
    "lms.accounts.rules:ROLE_LABELS",
    "lms.courses.rules:TRAINING_MODES",
    "lms.courses.rules:ATTENDANCE",
    "lms.assessment.rules:OUTCOME_LABELS",
    "lms.assessment.rules:KIND_LABELS",
    "lms.quizzes.models:KIND_LABELS",
    "lms.assessment.rules:SYSTEMS",
    "lms.assessment.queries:PERIOD_STATUS_LABELS",
    "lms.announcements.rules:ANNOUNCEMENT_KINDS",
    "lms.announcements.rules:AUDIENCE_KINDS",
    "lms.announcements.rules:RECEIPT_LABELS",
    "lms.announcements.rules:MESSAGE_KINDS",
    "lms.announcements.rules:OUTBOX_STATUSES",
    "lms.announcements.payloads:CHANNEL_LABELS",
    "lms.audit.rules:ACTION_LABELS",
])
def test_labels_that_rules_keep_in_chinese_have_english(table: str) -> None:
    """Templates show these through ``_(x.kind_label)``; a label missing from the catalog would stay Chinese."""
    import importlib

    module, name = table.split(":")
    labels = set(getattr(importlib.import_module(module), name).values())
    english = {source for source, text in catalog() if text}
    assert sorted(labels - english) == []


def test_course_categories_have_english() -> None:
    from lms.courses.rules import CATEGORIES

    english = {source for source, text in catalog() if text}
    shown = {c.label for c in CATEGORIES} | {c.group for c in CATEGORIES}
    assert sorted(shown - english) == []


def test_placeholder_parsing_sees_names_types_and_literal_percent() -> None:
    assert placeholders("已学 %(s)d / %(t)d（%(p)s%%）") == [("p", "s"), ("s", "d"), ("t", "d")]
    assert placeholders("%(year)s-%(month)02d") == [("month", "d"), ("year", "s")]
    assert placeholders("{0} of {name}") == [("0", "{}"), ("name", "{}")]
    assert placeholders("%(n)s people") != placeholders("%(m)s people")


# --- pages ----------------------------------------------------------------------------------------------------------

class VisibleText(HTMLParser):
    """Text a person reads on the page (and hears: aria-label, alt, placeholder, title), minus chosen parts.

    ``skip_classes`` leaves out elements holding what people wrote (the lesson body); the language switcher is left
    out because each language is named in itself (中文 / English), which is what a switcher should show.
    """

    VOID: ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                                "track", "wbr"}

    def __init__(self, skip_classes: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_classes = skip_classes | {"langs"}
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        inside_skipped = bool(self.stack and self.stack[-1])
        skipping = inside_skipped or tag in ("script", "style") or bool(classes & self.skip_classes)
        if not skipping:
            self.parts += [values[a] or "" for a in ("aria-label", "alt", "placeholder", "title") if values.get(a)]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(skipping)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, skip_classes: frozenset[str] = frozenset()) -> str:
    parser = VisibleText(skip_classes)
    parser.feed(html)
    return "\n".join(parser.parts)


def chinese_outside(text: str, data: list[str]) -> list[str]:
    """CJK runs left once every piece of user data is taken out (longest first, so "城区分公司" goes before "城区")."""
    for value in data:
        text = text.replace(value, " ")
    return sorted(set(CJK.findall(text)))


@pytest.fixture(scope="module")
def world(template_db: TemplateDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo organisation with three closed months, this month's test and the shipped lessons."""
    workdir = tmp_path_factory.mktemp("i18n_world")
    uri = template_db.clone(workdir)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": uri, "SERVER_NAME": None,
        "LMS_BASE_URL": "http://localhost", "LMS_CONTENT_DIR": str(ROOT / "content"),
        "LMS_QUIZZES_DIR": str(ROOT / "quizzes"),
        "RATELIMIT_ENABLED": False,
    })
    runner = app.test_cli_runner()
    for command in (["sync"], ["demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    template_db.drop(uri)


@pytest.fixture(scope="module")
def user_data(world: Flask) -> list[str]:
    """Everything on these pages that people or files wrote rather than the UI: names, titles, reasons, places.

    Inbox message titles count as data: a reminder is written once, in Chinese, when it is sent (the same text goes
    out by email and to group bots), like a ledger entry's reason.
    """
    from lms.accounts.models import User
    from lms.announcements.models import Announcement, InboxMessage
    from lms.assessment.models import LedgerEntry
    from lms.courses.models import LessonRevision, TrainingPack, TrainingSession
    from lms.org.models import Unit
    from lms.quizzes.models import Quiz

    with world.app_context():
        columns = [User.name, Unit.name, Quiz.title, LessonRevision.title, LessonRevision.summary,
                   Announcement.title, InboxMessage.title, LedgerEntry.reason, TrainingSession.title,
                   TrainingSession.place, TrainingPack.title]
        values = {value for column in columns for value in db.session.scalars(select(column)) if value}
        tags = {tag for tags in db.session.scalars(select(LessonRevision.tags)) for tag in (tags or [])}
        values |= tags | {world.config["LMS_COMPANY_NAME"]}
    return sorted(values, key=len, reverse=True)


def signed_in(world: Flask, employee_no: str) -> FlaskClient:
    client = world.test_client()
    response = post_form(client, "/login", {"employee_no": employee_no, "password": DEMO_PASSWORD})
    assert response.status_code == 302, employee_no
    return client


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_sign_in_page_in_english_has_no_chinese(world: Flask, user_data: list[str]) -> None:
    html = page(world.test_client(), "/login?lang=en")
    text = visible_text(html)
    assert chinese_outside(text, user_data) == []
    for words in ("Employee no.", "Password", "Sign in"):
        assert words in text
    assert '<html lang="en">' in html


def test_sign_in_page_is_chinese_by_default(world: Flask) -> None:
    html = page(world.test_client(), "/login")
    text = visible_text(html)
    assert "工号" in text
    assert "密码" in text
    assert "Password" not in text
    assert '<html lang="zh-CN">' in html


# The demo accounts: each role, and a supervisor at each level (city, county, grid).
HOMES = {
    "manager": "M1001",
    "grid supervisor": "S1100",
    "county supervisor": "S1000",
    "city supervisor": "S0001",
    "trainer": "T0001",
    "admin": "A0001",
}


@pytest.mark.parametrize("who", list(HOMES))
def test_home_page_in_english_has_no_chinese_outside_user_data(world: Flask, user_data: list[str], who: str) -> None:
    client = signed_in(world, HOMES[who])
    html = page(client, "/?lang=en")
    text = visible_text(html)
    assert chinese_outside(text, user_data) == [], who
    assert "Sign out" in text
    assert "Change password" in text


@pytest.mark.parametrize("who", list(HOMES))
def test_home_page_is_chinese_by_default(world: Flask, who: str) -> None:
    text = visible_text(page(signed_in(world, HOMES[who]), "/"))
    assert "退出" in text
    assert "修改密码" in text
    assert "Sign out" not in text


def test_manager_home_shows_the_panels_in_english(world: Flask) -> None:
    """The demo manager has this month's test, the training pack and assessment records: all panels are there. The
    demo's packs are of its past months, so the panel shows the latest one (this month's, when the demo month is)."""
    text = visible_text(page(signed_in(world, "M1001"), "/?lang=en"))
    for heading in ("This month's test", "My assessment record"):
        assert heading in text
    assert "This month's training pack" in text or "Latest training pack" in text


def monthly_lesson(world: Flask) -> str:
    from lms.courses.models import Lesson

    with world.app_context():
        slug = db.session.scalars(select(Lesson.slug).where(Lesson.period.is_not(None)).order_by(Lesson.slug)).first()
    assert slug, "the shipped content has monthly training pack lessons"
    return slug


@pytest.mark.parametrize("who", ["manager", "trainer"])
def test_lesson_page_in_english_has_no_chinese_outside_the_lesson(world: Flask, user_data: list[str],
                                                                   who: str) -> None:
    slug = monthly_lesson(world)
    html = page(signed_in(world, HOMES[who]), f"/lessons/{slug}?lang=en")
    assert CJK.search(visible_text(html)), "the lesson itself is Chinese: the page must show it unchanged"
    text = visible_text(html, skip_classes=frozenset({"lesson-body", "lesson-toc"}))
    assert chinese_outside(text, user_data) == []
    assert "Lessons" in text
    assert "Updated" in text
    assert ("I have finished this lesson" if who == "manager" else "History") in text


def test_lesson_page_is_chinese_by_default(world: Flask) -> None:
    slug = monthly_lesson(world)
    text = visible_text(page(signed_in(world, "M1001"), f"/lessons/{slug}"))
    assert "我已学完本课" in text
    assert "更新于" in text


def test_language_link_keeps_english_for_later_pages(world: Flask) -> None:
    client = signed_in(world, "M1001")
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302
    assert "Sign out" in visible_text(page(client, "/"))


def test_error_page_in_english(world: Flask, user_data: list[str]) -> None:
    response = signed_in(world, "M1001").get("/no-such-page?lang=en")
    assert response.status_code == 404
    text = visible_text(response.get_data(as_text=True))
    assert "Page not found" in text
    assert chinese_outside(text, user_data) == []
