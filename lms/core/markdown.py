"""Markdown → safe HTML, for lessons, question stems, options, explanations and announcements.

python-markdown renders; nh3 (an allow-list sanitizer) removes anything that could run script: only the tags and
attributes below survive, and links may only be http, https, mailto or relative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from xml.etree.ElementTree import Element

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

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

EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists", "attr_list", "def_list",
              "pymdownx.tilde", "pymdownx.mark", "pymdownx.details"]
# Chinese headings: the default slugify drops every non-ASCII letter and leaves ids like "_1".
EXTENSION_CONFIGS = {"toc": {"permalink": False, "toc_depth": "2-3", "slugify": slugify_unicode}}


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


def is_relative_url(url: str) -> bool:
    """A path relative to the document (``img/a.png``), not ``/x``, ``#x``, ``?x`` or anything with a scheme."""
    stripped = url.strip()
    return bool(stripped) and not stripped.startswith(("/", "#", "?", "\\")) and ":" not in stripped.split("/", 1)[0]


class _RelativeUrls(Treeprocessor):
    def __init__(self, md_instance: md.Markdown, resolve: Callable[[str], str]) -> None:
        super().__init__(md_instance)
        self.resolve = resolve

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"img": "src", "a": "href"}.get(element.tag)
            value = element.get(attribute) if attribute else None
            if attribute and value and is_relative_url(value):
                element.set(attribute, self.resolve(value.strip()))


class _RelativeUrlExtension(Extension):
    def __init__(self, resolve: Callable[[str], str]) -> None:
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # python-markdown's API name
        md_instance.treeprocessors.register(_RelativeUrls(md_instance, self.resolve), "relative_urls", 1)


class _LinkedImages(Treeprocessor):
    """Wrap each chosen image not already in a link in a link to itself: tapped on a phone, it opens full size."""

    def __init__(self, md_instance: md.Markdown, chosen: Callable[[str], bool]) -> None:
        super().__init__(md_instance)
        self.chosen = chosen

    def run(self, root: Element) -> None:
        for parent in list(root.iter()):
            if parent.tag == "a":
                continue
            for index, child in enumerate(list(parent)):
                source = child.get("src") or ""
                if child.tag == "img" and self.chosen(source):
                    link = Element("a", {"href": source, "class": "media-link"})
                    link.tail, child.tail = child.tail, None
                    parent.remove(child)
                    link.append(child)
                    parent.insert(index, link)


class _LinkedImageExtension(Extension):
    def __init__(self, chosen: Callable[[str], bool]) -> None:
        super().__init__()
        self.chosen = chosen

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # python-markdown's API name
        md_instance.treeprocessors.register(_LinkedImages(md_instance, self.chosen), "linked_images", 0)


def render_document(text: str, *, resolve_url: Callable[[str], str] | None = None,
                    link_image: Callable[[str], bool] | None = None) -> Rendered:
    """A whole document (a lesson): its HTML and its table of contents, both sanitized.

    ``resolve_url`` rewrites relative links and images (files placed beside a lesson) to where they are served;
    images whose (resolved) address ``link_image`` accepts become links to themselves (uploaded screenshots).
    """
    extensions: list[str | Extension] = list(EXTENSIONS)
    if resolve_url is not None:
        extensions.append(_RelativeUrlExtension(resolve_url))
    if link_image is not None:
        extensions.append(_LinkedImageExtension(link_image))
    converter = md.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS, output_format="html")
    html = converter.convert(text)
    toc = getattr(converter, "toc", "")
    return Rendered(html=sanitize(html), toc_html=sanitize(toc) if "<li>" in toc else "")


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """A fragment (a question stem, an option, an explanation): sanitized HTML.

    Cached per process: the same 30 stems and 120 options are served to thousands of people during a test window,
    and building a python-markdown converter costs ~5 ms each time. The function is pure, so caching is safe.
    """
    return render_document(text).html


@lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    """A one-line fragment (an option text) without the wrapping paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
