"""No script survives a lesson: 100+ injection vectors, through Markdown, rendered into the real lesson page.

The corpus is ``tests/fixtures/xss_vectors.txt``: one vector per line; the two characters ``\\n`` inside a line
stand for a line break (Markdown constructs that need several lines). Other domains reuse it.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

VECTORS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "xss_vectors.txt"
VECTORS = [line.replace("\\n", "\n") for line in VECTORS_FILE.read_text(encoding="utf-8").splitlines() if line]

FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
                  "base", "template", "noscript", "xmp", "plaintext", "isindex", "bgsound", "textarea", "select",
                  "keygen", "video", "audio", "source", "picture", "marquee"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "dynsrc", "lowsrc",
                  "srcset", "poster", "code"}
OUR_LINKS = {"stylesheet", "icon", "apple-touch-icon", "manifest"}  # base.html's, all same-origin paths
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|livescript)\s*:", re.IGNORECASE)


class ScriptFinder(HTMLParser):
    """Everything in a page that could run script. Our own chrome is allowed: same-origin script files,
    stylesheets, meta tags in the head, forms posting to our own paths."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if (tag == "script" and values.get("src", "").startswith("/static/") and set(values) <= {"src", "type"}
                and values.get("type", "module") == "module"):
            pass  # our own script file, classic or a module
        elif tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "link" and not (values.get("rel") in OUR_LINKS and values.get("href", "").startswith("/")):
            self.found.append("<link> that is not our stylesheet, icon or manifest")
        if tag == "meta" and "http-equiv" in values:
            self.found.append("<meta http-equiv>")
        if tag == "form" and not values.get("action", "/").startswith("/"):
            self.found.append(f"<form action={values['action']!r}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in URL_ATTRIBUTES and BAD_SCHEME.match(unescape(value).replace("\x00", "")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def dangers(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def test_the_corpus_has_more_than_100_vectors():
    assert len(VECTORS) >= 100
    assert len(set(VECTORS)) == len(VECTORS)


def test_the_checker_would_notice_a_vector_that_survived():
    assert dangers('<p><img src="x" onerror="alert(1)"></p>') == ["<img onerror=…>"]
    assert dangers('<a href=" JaVaScRiPt:alert(1)">x</a>') == ["<a href=' JaVaScRiPt:alert(1)'>"]
    assert dangers("<script>alert(1)</script>") == ["<script>"]


def test_no_vector_survives_in_a_lesson_page(client, auth, make_user, write_lesson, sync):
    for number, vector in enumerate(VECTORS):
        # In the body, and in the front matter fields the page shows (title and tags are escaped by the template).
        title = vector.splitlines()[0].replace('"', "'")[:150]
        write_lesson(f"x/xss-{number:03d}.md", text=(
            f'---\ntitle: "{title.replace(chr(92), chr(92) * 2)}"\ncategory: policy-data\nperiod: "2026-11"\n'
            f"---\n\n正文开始\n\n{vector}\n\n正文结束\n"))
    result = sync()
    assert result.exit_code == 0, result.output
    auth.login(make_user("manager"))
    failures = {}
    for number, vector in enumerate(VECTORS):
        response = client.get(f"/lessons/xss-{number:03d}")
        assert response.status_code == 200
        found = dangers(response.get_data(as_text=True))
        if found:
            failures[vector] = found
    assert failures == {}
    catalogue = client.get("/courses?q=alert")
    assert dangers(catalogue.get_data(as_text=True)) == []


def test_the_live_preview_is_sanitized_too(client, auth, make_user):
    from tests.support.web import csrf_token

    auth.login(make_user("trainer"))
    headers = {"X-CSRFToken": csrf_token(client, "/courses/new")}
    for vector in VECTORS:
        response = client.post("/courses/preview", data={"body": vector}, headers=headers)
        assert dangers(response.json["html"]) == [], vector
