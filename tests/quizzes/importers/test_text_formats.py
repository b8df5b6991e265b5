"""Moodle's text formats read as Moodle shows them: what the author wrote, rendered through the platform's Markdown."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from lms.core.markdown import render_markdown
from lms.quizzes.importers.text_formats import to_markdown

MARKUP = "\\`*_[]{}()<>&~=|^#+-.!:?%'\"/0123456789 "


def shown(fragment: str) -> str:
    """The text a reader sees: tags dropped, references resolved, each line break one newline."""
    text = re.sub(r"<br\s*/?>\s*", "\n", fragment)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


@given(st.text(alphabet=MARKUP + "abc中文", min_size=1, max_size=40))
def test_plain_text_shows_every_character_literally(text: str) -> None:
    line = " ".join(text.split())
    assert shown(render_markdown(to_markdown(line, "plain"))) == line.strip()


def test_plain_keeps_line_breaks_and_shows_tags_as_text() -> None:
    rendered = render_markdown(to_markdown("2*3*4 <b>x</b>\n# one\n1. two\n    three", "plain"))
    assert shown(rendered) == "2*3*4 <b>x</b>\n# one\n1. two\nthree"
    assert "<b>" not in rendered
    assert "<h1" not in rendered
    assert "<ol" not in rendered
    assert "<code" not in rendered


def test_moodle_format_keeps_html_and_line_breaks_and_nothing_else_is_markup() -> None:
    rendered = render_markdown(to_markdown("H~2~O is 2*3*4 <b>bold</b>\n[x](y) ==m==", "moodle"))
    assert "<b>bold</b>" in rendered
    assert "<sub>" not in rendered
    assert "<em>" not in rendered
    assert shown(rendered) == "H~2~O is 2*3*4 bold\n[x](y) ==m=="


def test_html_format_joins_source_lines_and_keeps_entities() -> None:
    rendered = render_markdown(to_markdown("<p>a_b_c\nd &amp; &lt;e&gt;</p>", "html"))
    assert shown(rendered) == "a_b_c d & <e>"
    assert "<em>" not in rendered


def test_markdown_is_markdown() -> None:
    assert "<strong>b</strong>" in render_markdown(to_markdown("**b**", "markdown"))


def test_script_in_html_is_still_removed() -> None:
    assert "<script" not in render_markdown(to_markdown("<script>alert(1)</script>x", "html"))
