"""Lesson pictures on the shop's page, as pure rules. A lesson's uploads (``/lessons/<slug>/media/<name>``) and the
files beside a lesson from content/ (``/lessons/<slug>/files/<path>``) are served only to signed-in readers; on the
shop's page the lesson's own such addresses are moved under the shop's token (``/s/<token>/lessons/…``), and that
route serves an address only when the live text of a lesson in the shop's pack names it. Addresses of another
lesson's files are left as they are (they do not load for a shop)."""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from urllib.parse import unquote

MEDIA, FILES = "media", "files"
_ADDRESS = re.compile(r'(?P<attr>\b(?:src|href))="(?P<path>/lessons/(?P<slug>[a-z0-9][a-z0-9-]{0,79})/'
                      r'(?P<kind>media|files)/(?P<rest>[^"?#]+))"')
# Files beside a lesson that a shop's page may show or open, with the first bytes each must start with (the
# extension alone is not trusted); office documents stay for signed-in readers.
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}


def named_files(body_html: str, slug: str, kind: str) -> set[str]:
    """The names (``media``: stored names; ``files``: paths relative to the lesson's folder, unquoted) of the
    lesson's own ``kind`` addresses in its rendered text."""
    return {unquote(html.unescape(match.group("rest"))) for match in _ADDRESS.finditer(body_html)
            if match.group("slug") == slug and match.group("kind") == kind}


def under_token(body_html: str, slug: str, prefix: str) -> str:
    """The lesson's text with its own upload and file addresses moved under ``prefix`` (``/s/<token>``)."""
    def moved(match: re.Match[str]) -> str:
        if match.group("slug") != slug:
            return match.group(0)
        return f'{match.group("attr")}="{prefix}{match.group("path")}"'
    return _ADDRESS.sub(moved, body_html)


def file_type(relative: str) -> tuple[str, tuple[bytes, ...]] | None:
    """The type a shop may be sent for a file beside a lesson (None: not one of those, or a path that climbs out
    or is hidden)."""
    if "\\" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if not parts or any(part in ("..", "", "/") or part.startswith(".") for part in parts):
        return None
    return FILE_TYPES.get(PurePosixPath(relative).suffix.lower())
