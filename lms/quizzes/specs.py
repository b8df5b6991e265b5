"""The neutral shape of a question, shared by the quiz-file loader, the question-bank importers (GIFT, Aiken,
xlsx) and the question-type registry. Pure: no Flask, no SQLAlchemy.

Answers are stored in one canonical form whatever the source format said:
- ``single`` / ``multiple``: ``correct`` holds 0-based option indexes; ``weights`` (optional, one per option,
  fractions of the question's points, e.g. GIFT's ``~%50%``) enables partial credit for ``multiple``;
- ``truefalse``: ``truth`` is True or False (``options`` is empty);
- ``fill``: ``accepted`` lists every accepted text (compared after full-width/half-width and case folding).
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("single", "multiple", "truefalse", "fill")
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
    points: float = 1.0
    explanation: str = ""  # Markdown
    tags: tuple[str, ...] = ()
    difficulty: int = 3  # 1 (easy) .. 5 (hard)
    lesson: str | None = None  # slug of the lesson that teaches it
    source: str = ""  # "file:line" for error messages and trainers
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # Feedback per answer (GIFT's "#..."), Markdown: one per option (choices), per accepted text (fill), or
    # (if answered true, if answered false); empty when the source gave none.
    feedback: tuple[str, ...] = ()
