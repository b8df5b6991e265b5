"""GIFT text before it is read as questions: backslash escapes held while the structure is read, comment lines and
their ``[id:…]``/``[tag:…]`` marks, ``$CATEGORY:`` paths, and the blank-line paragraphs that hold one question each.
Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# While the structure is read, escaped control characters are held as Unicode noncharacters (never valid in a file
# people exchange, and refused on input), then written back either as Markdown or as plain text.
_ESCAPABLE = ":#={}~n"
_HELD_BACKSLASH = "\ufdd0"
_HELD = {char: chr(0xFDD1 + index) for index, char in enumerate(_ESCAPABLE)}
NONCHARACTER = re.compile("[\ufdd0-\ufdef]")
_RELEASED = {char: "\n" if char == "n" else char for char in _ESCAPABLE}
_AS_PLAIN = str.maketrans({_HELD_BACKSLASH: "\\", **{_HELD[c]: _RELEASED[c] for c in _ESCAPABLE}})
_LEADING_SPACE = re.compile(r"^[^\S\n]+", re.MULTILINE)
_COMMENT_LINE = re.compile(r"^//[^\n]*", re.MULTILINE)
_MARKED_COMMENT_LINE = re.compile(r"^//[^\n\[]*\[[^\n]*", re.MULTILINE)  # only these can hold [id:…] or [tag:…]
_BLANK_LINES = re.compile(r"\n\n+")  # a single repeated character: the regex engine keeps no stack for it


def hold_escapes(line: str) -> str:
    """``\\~`` and the other escapes as held characters, so they cannot be read as structure."""
    line = line.replace("\\\\", _HELD_BACKSLASH)
    for char in _ESCAPABLE:
        line = line.replace("\\" + char, _HELD[char])
    return line


def plain(held: str) -> str:
    """Held text as plain text (``\\n`` a line break)."""
    return held.translate(_AS_PLAIN)


def excerpt(held: str, limit: int = 40) -> str:
    """The start of a text, to name a question in a problem."""
    words = " ".join(plain(held[: limit * 4]).split())
    return words if len(words) <= limit else words[:limit] + "…"


def split_comments(chunk: str) -> tuple[list[str], str]:
    """The comment lines that carry Moodle's marks, and the paragraph with every comment line emptied."""
    comments: list[str] = []
    if chunk.startswith("//") or "\n//" in chunk:
        # Emptied rather than removed, so every line keeps its number.
        comments = _MARKED_COMMENT_LINE.findall(chunk)
        chunk = _COMMENT_LINE.sub("", chunk)
    return comments, chunk


@dataclass(frozen=True)
class Block:
    """One question's text (lines trimmed, comment lines emptied, escapes held) and the line it starts on."""

    text: str
    first_line: int

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)



def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Each question's text, every line trimmed as Moodle trims it, with the number of its first line.

    A blank line ends a question. Only regular expressions that cannot backtrack touch the text (trailing space is
    removed as the leading space of the reversed text), and no object is made per line, so any layout of a file
    costs time, and little memory, in proportion to its size.
    """
    text = _LEADING_SPACE.sub("", text)
    text = _LEADING_SPACE.sub("", text[::-1])[::-1]
    line, position = 1, 0
    for blank in _BLANK_LINES.finditer(text):
        if blank.start() > position:
            yield line, text[position : blank.start()]
        line += text.count("\n", position, blank.end())
        position = blank.end()
    if position < len(text):
        yield line, text[position:]


def drop_leading_lines(text: str, first: int) -> tuple[str, int]:
    """Lines emptied at the top of a question (comments, a category) no longer count as its first line."""
    body = text.lstrip("\n")
    return body, first + len(text) - len(body)


def category_tag(path: str) -> str | None:
    """``$course$/top/渠道政策/终端`` → ``渠道政策/终端``: the context and Moodle's "top" say nothing to a trainer."""
    parts = [part.strip() for part in path.strip().split("/") if part.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join(parts)[:100] or None


# Moodle's extract_idnumber_and_tags_from_comment: a value is any run of non-control characters (so never across a
# line) with "]" escaped as "\]"; tags also exclude "<", ">" and "`". Only lines holding "[" are searched.
_ID_MARK = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_MARK = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")


def comment_marks(comments: list[str]) -> tuple[str, list[str]]:
    """The ``[id:…]`` (the first one, or "") and the ``[tag:…]`` values of a question's comment lines, as Moodle
    reads them: trimmed, ``\\]`` read as ``]``, empty tags dropped."""
    text = "\n".join(comments)
    found = _ID_MARK.search(text)
    idnumber = found.group(1).strip().replace("\\]", "]") if found else ""
    tags = [tag for match in _TAG_MARK.finditer(text) if (tag := match.group(1).strip().replace("\\]", "]"))]
    return idnumber, tags
