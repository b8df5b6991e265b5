"""The neutral shape of a question, shared by the quiz-file loader, the question-bank importers (GIFT, Aiken,
xlsx) and the question-type registry. Pure: no Flask, no SQLAlchemy.

Answers are stored in one canonical form whatever the source format said:
- ``single`` / ``multiple``: ``correct`` holds 0-based option indexes; a ``single`` question has one, unless it has
  weights: Moodle's ``{=a =b ~c}`` (either is right) is ``correct=(0, 1)``, ``weights=(1, 1, 0)``;
- ``truefalse``: ``truth`` is True or False (``options`` is empty);
- ``fill``: ``accepted`` lists every accepted text (compared after full-width/half-width and case folding; ``*``
  matches any run of characters, as in Moodle's short answer);
- ``numeric``: ``numbers`` lists (value, tolerance) pairs: an answer within ``value ± tolerance`` matches (Moodle's
  ``{#3:0.5}``; a range ``{#1..5}`` is its midpoint and half-width).

``weights`` (optional) are Moodle's fractions, -1..1, one per option (single, multiple), per accepted text (fill) or
per number (numeric). A question with weights scores as they say, whatever the quiz's partial-credit policy:
single, fill, numeric — the fraction of the chosen or matching answer (the best one that matches), never below 0;
multiple — the chosen options' fractions summed and clamped to 0..1. Without weights the quiz's policy applies.

``feedback`` (optional) is one Markdown text per option / accepted text / number, or (if true, if false).
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("single", "multiple", "truefalse", "fill", "numeric")
LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class QuestionSpec:
    key: str  # stable id within its quiz or bank, e.g. "q1" or "gift-12"
    type: str  # one of QUESTION_TYPES
    stem: str  # Markdown
    options: tuple[str, ...] = ()  # Markdown, in authoring order
    correct: tuple[int, ...] = ()
    weights: tuple[float, ...] | None = None
    truth: bool | None = None
    accepted: tuple[str, ...] = ()
    numbers: tuple[tuple[float, float], ...] = ()  # numeric: (value, tolerance)
    points: float = 1.0
    explanation: str = ""  # Markdown
    tags: tuple[str, ...] = ()
    difficulty: int = 3  # 1 (easy) .. 5 (hard)
    lesson: str | None = None  # slug of the lesson that teaches it
    source: str = ""  # "file:line" for error messages and trainers
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # Feedback per answer (GIFT's "#..."), Markdown: one per option (choices), per accepted text (fill), per number
    # (numeric), or (if answered true, if answered false); empty when the source gave none.
    feedback: tuple[str, ...] = ()
