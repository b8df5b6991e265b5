"""The pieces of one GIFT answer block as Moodle's importer cuts them (question/format/gift/format.php): answers split
at their markers, ``%weight%`` prefixes, ``#feedback`` and ``[format]`` markers. Pure: no Flask, no SQLAlchemy.

Texts here are "held" (see gift_lexer.hold_escapes): an escaped ``\\~`` or ``\\#`` can never be read as structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.quizzes.importers.text_formats import FORMATS

MAX_ANSWERS = 100  # answers in one block; far more than any real question, few enough to bound the work
# Moodle's $giftanswerweightregex: one or two digits, an optional decimal part; a "%" that does not fit is answer text.
_WEIGHT = re.compile(r"%-*\d{1,2}\.?\d*%", re.ASCII)


class Unreadable(Exception):
    """A question that cannot be read; refused, naming the line of ``offset`` in its block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class Piece:
    offset: int  # where the piece starts in the question's block
    text: str  # held text, not stripped


def pieces(answer: str, base: int, *, split_at: str, kept: str = "") -> list[Piece]:
    """``answer`` cut before every character of ``split_at``; a character of ``kept`` stays at the start of its
    piece (Moodle's multichoice replaces "=" by "~=" and explodes at "~"). A blank text before the first marker is
    dropped, as Moodle drops it; a non-blank one is an answer of its own, as in Moodle."""
    found: list[Piece] = []
    start = 0
    for position, char in enumerate(answer):
        if char in split_at:
            found.append(Piece(base + start, answer[start:position]))
            if len(found) > MAX_ANSWERS:
                raise Unreadable(base, f"答案块中的答案超过 {MAX_ANSWERS} 个")
            start = position if char in kept else position + 1
    found.append(Piece(base + start, answer[start:]))
    if not found[0].text.strip():
        found.pop(0)
    return found


def split_weight(text: str, offset: int) -> tuple[float | None, str]:
    """``%50%rest`` → (0.5, "rest"); (None, text) when the text does not start with a weight Moodle reads."""
    if not _WEIGHT.match(text):
        return None, text
    end = text.index("%", 1)
    written = text[1:end]
    try:
        weight = round(float(written) / 100, 7)  # 33.333% → 0.33333
    except ValueError:  # "--50": Moodle's own arithmetic fails on it
        raise Unreadable(offset, f"权重“%{written}%”不是数字") from None
    return weight, text[end + 1 :]


def split_format(held: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a text starting ``[html]`` (or moodle/plain/markdown) is in that format,
    the marker removed; any other text is in ``default``."""
    held = held.strip()
    if held.startswith("["):
        end = held.find("]")
        if end > 0 and held[1:end] in FORMATS:  # Moodle's format names, matched case-sensitively as Moodle does
            return held[1:end], held[end + 1 :]
    return default, held
