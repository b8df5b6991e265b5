"""Markdown → safe HTML, for lessons, question stems, options, explanations and announcements.

python-markdown renders; nh3 (an allow-list sanitizer) removes anything that could run script: only the tags and
attributes below survive, and links may only be http, https, mailto or relative.
"""

from __future__ import annotations

from dataclasses import dataclass

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists", "attr_list", "def_list"]
EXTENSION_CONFIGS = {"toc": {"permalink": False, "toc_depth": "2-3"}}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_document(text: str) -> Rendered:
    """A whole document (a lesson): its HTML and its table of contents, both sanitized."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    html = converter.convert(text)
    toc = getattr(converter, "toc", "")
    return Rendered(html=sanitize(html), toc_html=sanitize(toc) if "<li>" in toc else "")


def render_markdown(text: str) -> str:
    """A fragment (a question stem, an option, an explanation): sanitized HTML."""
    return render_document(text).html


def render_inline(text: str) -> str:
    """A one-line fragment (an option text) without the wrapping paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
