"""The templates' house rules: lines a reviewer can read, and the CSRF field written only by the macros."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MACROS = TEMPLATES / "macros.html"
MAX_LINE = 160
# A hidden field carrying the token, however its attributes are ordered; the <meta> the page scripts read is not one.
HAND_WRITTEN_CSRF = re.compile(r'<input\b[^>]*\bname="csrf_token"|<input\b[^>]*\{\{\s*csrf_token\(\)')


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_there_are_templates_to_check() -> None:
    assert MACROS in template_files()


def test_no_template_line_is_longer_than_a_screen() -> None:
    long_lines = [f"{path.relative_to(TEMPLATES)}:{number} ({len(line)} characters)"
                  for path in template_files()
                  for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                  if len(line) > MAX_LINE]
    assert long_lines == [], "break these lines (Jinja's {%- -%} keeps the HTML as it was):\n" + "\n".join(long_lines)


def test_the_csrf_field_is_written_only_by_the_macros() -> None:
    by_hand = [f"{path.relative_to(TEMPLATES)}:{number}"
               for path in template_files() if path != MACROS
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
               if HAND_WRITTEN_CSRF.search(line)]
    assert by_hand == [], ("use post_button() or csrf_input() from macros.html instead of a hand-written CSRF field:\n"
                           + "\n".join(by_hand))


def test_the_rule_catches_a_hand_written_field() -> None:
    assert HAND_WRITTEN_CSRF.search('<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">')
    assert HAND_WRITTEN_CSRF.search('<input value="{{ csrf_token() }}" type="hidden" name="token">')
    assert not HAND_WRITTEN_CSRF.search('<meta name="csrf-token" content="{{ csrf_token() }}">')


@pytest.mark.parametrize(("call", "expected"), [
    ("post_button('/out', 'Sign out', button_class='link', form_class='inline')",
     '<form method="post" action="/out" class="inline"><input type="hidden" name="csrf_token" value="T">'
     '<button type="submit" class="link">Sign out</button></form>'),
    ("post_button('/read', 'Read all')",
     '<form method="post" action="/read"><input type="hidden" name="csrf_token" value="T">'
     '<button type="submit">Read all</button></form>'),
    ("post_button('/back', '<Back>', hidden={'number': 3, 'next': 'a&b'})",
     '<form method="post" action="/back"><input type="hidden" name="csrf_token" value="T">'
     '<input type="hidden" name="number" value="3"><input type="hidden" name="next" value="a&amp;b">'
     '<button type="submit">&lt;Back&gt;</button></form>'),
])
def test_post_button_renders_the_form_it_replaced(app: Flask, monkeypatch: pytest.MonkeyPatch, call: str,
                                                  expected: str) -> None:
    monkeypatch.setitem(app.jinja_env.globals, "csrf_token", lambda: "T")
    with app.test_request_context():
        html = render_template_string('{% from "macros.html" import post_button %}{{ ' + call + ' }}')
    assert re.sub(r">\s+<", "><", html.strip()) == expected
