"""Numbers as people type them on a phone, and numeric keys as trainers write them. Pure.

An answer ``１２，５`` (full-width), ``12,5`` (decimal comma), ``−3`` (the minus sign) or ``1,000`` (thousands) reads
as a number: NFKC folds full-width digits and punctuation, spaces go, the minus sign is a hyphen. A comma is a
thousands separator when every group after it has exactly three digits and there is no other decimal mark
(``1,000`` = 1000, ``1,234,567.5``); otherwise a single comma is the decimal mark (``3,5`` = 3.5, ``0,25``).

A key is ``3`` (exactly 3), ``3±0.5`` / ``3:0.5`` / ``3+-0.5`` (3 with a tolerance, as in GIFT) or ``1..5`` / ``1~5``
(a range: its midpoint and half-width), each with an optional weight in the form trainers see it: ``50%``.
"""

from __future__ import annotations

import math
import re
import unicodedata

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
MAX_NUMBER_TEXT = 50


def parse_number(text: str) -> float | None:
    """The number a person typed, or None when it is not one (``abc``, ``1..2``, ``nan``, ``inf``)."""
    folded = unicodedata.normalize("NFKC", text).replace("−", "-").replace("－", "-")
    folded = re.sub(r"\s+", "", folded)
    if not folded or len(folded) > MAX_NUMBER_TEXT:
        return None
    if _THOUSANDS.fullmatch(folded):
        folded = folded.replace(",", "")
    elif folded.count(",") == 1 and "." not in folded:
        folded = folded.replace(",", ".")
    if not _NUMBER.fullmatch(folded):
        return None
    value = float(folded)
    return value if math.isfinite(value) else None


def parse_key(text: str) -> tuple[float, float] | None:
    """``3`` / ``3±0.5`` / ``3:0.5`` / ``1..5`` → (value, tolerance); None when it is not a key."""
    folded = unicodedata.normalize("NFKC", text).strip()
    for separator in ("..", "~", "～", "至"):
        low_text, found, high_text = folded.partition(separator)
        if found and low_text.strip() and high_text.strip():
            low, high = parse_number(low_text), parse_number(high_text)
            if low is None or high is None or high < low:
                return None
            return ((low + high) / 2, (high - low) / 2)
    for separator in ("±", "+-", ":"):
        value_text, found, margin_text = folded.partition(separator)
        if found:
            value, margin = parse_number(value_text), parse_number(margin_text)
            if value is None or margin is None or margin < 0:
                return None
            return (value, margin)
    value = parse_number(folded)
    return None if value is None else (value, 0.0)


def format_number(value: float) -> str:
    """``3.0`` → ``3``, ``0.1`` → ``0.1``: the shortest text that reads back as the same number."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def format_key(value: float, tolerance: float) -> str:
    """A key as trainers write it (and :func:`parse_key` reads it back)."""
    return format_number(value) if tolerance == 0 else f"{format_number(value)}±{format_number(tolerance)}"


def matches(answer: float, value: float, tolerance: float) -> bool:
    """Within the tolerance; a hair of slack so 0.1 + 0.2 matches 0.3 (floating point, not the person, is off)."""
    return abs(answer - value) <= tolerance + 1e-9 * max(1.0, abs(value))
