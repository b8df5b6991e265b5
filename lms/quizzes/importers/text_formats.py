"""Moodle's four text formats as the platform's Markdown, so an imported text shows what its author wrote.

Moodle stores each text with a format and renders it by that format; the platform renders every text as Markdown
(``lms.core.markdown``). So an imported text is converted once, on import:

- ``markdown``: kept as it is;
- ``plain`` (FORMAT_PLAIN): shown literally, line breaks kept; nothing in it is markup, not even ``<b>``;
- ``moodle`` (FORMAT_MOODLE, GIFT's and Aiken's default): HTML tags are markup, everything else shows literally
  and line breaks are kept (Moodle's ``text_to_html``);
- ``html`` (FORMAT_HTML): HTML; line breaks in the source are spaces, as in any HTML.

Characters Markdown would read as markup (``2*3*4``, ``H~2~O``, ``# 1``) become numeric character references, which
python-markdown passes through untouched, whether they end up in a paragraph or inside a raw HTML block; the sanitizer
(nh3) still removes anything unsafe from the HTML that is kept. Pure: no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FORMATS = ("moodle", "html", "plain", "markdown")
DEFAULT_FORMAT = "moodle"

# Markup anywhere in a line (emphasis, code, links, attribute lists, tables, ~sub~, ==mark==, raw HTML); in plain
# text "&" too (an entity), in HTML only a bare "&" (the author's entities stay entities).
_MARKUP = r"\\`*_\[\]{}<>~=|^"
_INLINE = re.compile(f"[{_MARKUP}&]")
_HTML_MARKUP = re.compile(f"[{_MARKUP}]")
_BARE_AMPERSAND = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#\d+;|#[xX][0-9A-Fa-f]+;)")
# Markup only at the start of a line (headings, quotes, lists, definition lists, admonitions, details), and the "."
# or ")" after a number that would start a numbered list.
_LINE_START = re.compile(r"^[#>+\-:!?]", re.MULTILINE)
_LIST_MARK = re.compile(r"^(\d+)([.)])", re.MULTILINE)
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|!--.*?--)>", re.DOTALL)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_LINE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\n])")


def _reference(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(char)};" for char in match.group())


def _line_starts(text: str) -> str:
    """What would be markup at the start of a line, referenced; a list's number stays, its "." or ")" does not."""
    return _LIST_MARK.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", _LINE_START.sub(_reference, text))


def _outside_tags(text: str, convert: Callable[[str], str]) -> str:
    """Apply ``convert`` to the text between HTML tags; the tags stay as they are."""
    out: list[str] = []
    position = 0
    for tag in _TAG.finditer(text):
        out.append(convert(text[position : tag.start()]))
        out.append(tag.group())
        position = tag.end()
    out.append(convert(text[position:]))
    return "".join(out)


def _html_text(text: str) -> str:
    """Text between tags in HTML: entities the author wrote stay entities; Markdown markup is referenced."""
    return _BARE_AMPERSAND.sub("&#38;", _HTML_MARKUP.sub(_reference, text))


def to_markdown(text: str, text_format: str) -> str:
    """``text``, written in Moodle's ``text_format``, as Markdown that renders to what Moodle would show."""
    if text_format == "markdown":
        return text.strip()
    if text_format == "plain":
        # Leading spaces are dropped: four of them would make a code block, and HTML collapses them anyway.
        text = _TRAILING.sub("", _INDENT.sub("", text.replace("\r\n", "\n"))).strip("\n")
        return _LINE_BREAK.sub("  \n", _line_starts(_INLINE.sub(_reference, text)))
    lines_kept = text_format != "html"
    body = text.replace("\r\n", "\n").strip()
    if not lines_kept:
        body = re.sub(r"\s*\n\s*", " ", body)
    converted = _outside_tags(body, _html_text)
    converted = _line_starts(_INDENT.sub("", converted))
    return _LINE_BREAK.sub("  \n", converted) if lines_kept else converted
