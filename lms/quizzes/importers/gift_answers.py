"""One GIFT question block read into its parts: the title, the format marker, the one answer block, and the answers
in it with their ``%weight%`` and ``#feedback``. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.quizzes.importers.gift_lexer import excerpt, plain

MAX_ANSWERS = 100  # answers in one block; far more than any real question, few enough to bound the work
FORMATS = ("markdown", "html", "plain", "moodle")
MARKERS = {"choice": re.compile("[~=]"), "fill": re.compile("=")}
_PERCENT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


@dataclass(frozen=True)
class Parts:
    """Where a question's pieces sit in its block: the answer block is ``text[opening + 1 : closing]``."""

    title: str
    text_format: str
    start: int  # where the question text begins, after the title and the format marker
    opening: int
    closing: int


class Unreadable(Exception):
    """A question that cannot be read; becomes one problem naming the line of ``offset`` in its block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def locate(text: str) -> Parts:
    """Title, format marker and the one answer block, as Moodle finds them (``opening`` is -1 when there is
    no answer block: a description, not a question)."""
    start, title = 0, ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise Unreadable(0, "标题以“::”开头却没有结尾的“::”（字面的冒号请写成 \\:）")
        title, start = plain(text[2:end]).strip(), end + 2
    text_format = ""
    head = len(text) - len(text[start:].lstrip())
    for name in FORMATS:
        if text[head : head + len(name) + 2].lower() == f"[{name}]":
            text_format, start = name, head + len(name) + 2
            break
    opening = text.find("{", start)
    stray = text.find("}", start, opening if opening >= 0 else len(text))
    if stray >= 0:
        raise Unreadable(stray, "未转义的“}”（字面的 } 请写成 \\}）")
    if opening < 0:
        return Parts(title, text_format, start, -1, -1)
    closing = text.find("}", opening + 1)
    if closing < 0:
        raise Unreadable(opening, "“{”没有对应的“}”：答案块必须在空行之前结束（字面的 { 请写成 \\{）")
    nested = text.find("{", opening + 1, closing)
    if nested >= 0:
        raise Unreadable(nested, "答案块里出现未转义的“{”（字面的 { 请写成 \\{）")
    return Parts(title, text_format, start, opening, closing)


@dataclass(frozen=True)
class Answer:
    marker: str  # "~", "=" or "" for a numerical answer without "="
    text: str  # held text, weight and feedback removed
    weight: float
    feedback: str  # held text
    offset: int


def split_answers(answer: str, base: int, *, pattern: re.Pattern[str], hint: str) -> list[Answer]:
    """Split an answer block at its markers; read each answer's ``%weight%`` and ``#feedback``."""
    found: list[Answer] = []
    previous: re.Match[str] | None = None
    for match in pattern.finditer(answer):
        if previous is None:
            lead = answer[: match.start()]
            if lead.strip():
                raise Unreadable(base, f"答案块中“{excerpt(lead)}”前面缺少 {hint}")
        else:
            found.append(one_answer(previous, answer[previous.end() : match.start()], base))
            if len(found) >= MAX_ANSWERS:
                raise Unreadable(base, f"答案块中的答案超过 {MAX_ANSWERS} 个")
        previous = match
    if previous is not None:
        found.append(one_answer(previous, answer[previous.end() :], base))
    for item in found:
        if not -1 <= item.weight <= 1:
            raise Unreadable(item.offset, "权重必须在 -100% 到 100% 之间")
    return found


def one_answer(marker: re.Match[str], body: str, base: int) -> Answer:
    offset = base + marker.end()
    weight = 1.0 if marker.group() == "=" else 0.0
    stripped = body.lstrip()
    if stripped.startswith("%"):
        end = stripped.find("%", 1)
        middle = stripped[1:end] if 0 < end <= 12 else ""
        if _PERCENT.fullmatch(middle):
            weight, stripped = round(float(middle) / 100, 6), stripped[end + 1 :]  # 33.333% → 0.33333
    text, _, feedback = stripped.partition("#")
    return Answer(marker.group(), text, weight, feedback, offset)
