"""The parsed shapes of a quiz and of a question bank, and their JSON form (what a QuizVersion and a BankQuestion
store). Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from lms.quizzes.specs import QuestionSpec


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` questions from a bank, optionally only those with all of ``tags``, a difficulty range, one of
    ``types`` and one ``lesson``."""

    bank: str
    count: int
    tags: tuple[str, ...] = ()
    difficulty_min: int = 1
    difficulty_max: int = 5
    points: float | None = None  # overrides each drawn question's points
    source: str = ""
    types: tuple[str, ...] = ()  # empty: every type
    lesson: str | None = None  # None: every lesson

    def matches(self, spec: QuestionSpec) -> bool:
        """Whether a question of the bank may be drawn by this rule."""
        return (set(self.tags) <= set(spec.tags) and self.difficulty_min <= spec.difficulty <= self.difficulty_max
                and (not self.types or spec.type in self.types) and (self.lesson is None or spec.lesson == self.lesson))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        # Left out when unused, so a definition written before these filters keeps its checksum (no new version).
        if not self.types:
            del data["types"]
        if self.lesson is None:
            del data["lesson"]
        return data


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[QuestionSpec, ...] = ()
    draws: tuple[DrawRule, ...] = ()


@dataclass(frozen=True)
class QuizDefinition:
    slug: str
    title: str
    kind: str
    period: str | None
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_seconds: int
    pass_score: float
    max_score: float
    attempts_allowed: int | None
    review_policy: str
    sections: tuple[Section, ...]
    shuffle_questions: bool = True
    shuffle_options: bool = True
    partial_credit: bool = False
    tab_switch_limit: int | None = None
    issues_certificate: bool = False
    makeup_opens_at: datetime | None = None
    makeup_closes_at: datetime | None = None
    # Who the make-up window invites (lms.quizzes.rules.MAKEUP_AUDIENCES) and, for a chosen audience, whom.
    makeup_audience: str = "failed_or_absent"
    makeup_people: tuple[str, ...] = ()
    description: str = ""
    source_path: str = ""

    @property
    def official(self) -> bool:
        """Monthly and system-operation tests count for assessment; practice never does."""
        return self.kind != "practice"

    def to_json(self) -> dict[str, Any]:
        """The frozen definition stored on a QuizVersion (times as ISO 8601 UTC)."""
        data = asdict(self)
        for key in ("opens_at", "closes_at", "makeup_opens_at", "makeup_closes_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        data["sections"] = [
            {"title": s.title, "questions": [spec_to_json(q) for q in s.questions],
             "draws": [d.to_json() for d in s.draws]}
            for s in self.sections
        ]
        return data

    def checksum(self) -> str:
        payload = {k: v for k, v in self.to_json().items() if k != "source_path"}
        if payload["makeup_audience"] == "failed_or_absent" and not payload["makeup_people"]:
            # Defaults leave the checksum as it was before make-up audiences existed: no file gets a new version.
            del payload["makeup_audience"], payload["makeup_people"]
        for section in payload["sections"]:
            for question in section["questions"]:
                question.pop("source", None)
            for draw in section["draws"]:
                draw.pop("source", None)
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def definition_from_json(data: dict[str, Any]) -> QuizDefinition:
    values = dict(data)
    for key in ("opens_at", "closes_at", "makeup_opens_at", "makeup_closes_at"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    values["makeup_people"] = tuple(values.get("makeup_people") or ())
    values["sections"] = tuple(
        Section(
            title=s["title"],
            questions=tuple(spec_from_json(q) for q in s["questions"]),
            draws=tuple(DrawRule(**{**d, "tags": tuple(d.get("tags", ())), "types": tuple(d.get("types", ()))})
                        for d in s["draws"]),
        )
        for s in data["sections"]
    )
    return QuizDefinition(**values)


@dataclass(frozen=True)
class BankDefinition:
    slug: str
    title: str
    description: str
    questions: tuple[QuestionSpec, ...]
    source_path: str = ""


# --- question specs as JSON ----------------------------------------------------------------------------------------

def spec_to_json(spec: QuestionSpec) -> dict[str, Any]:
    data = asdict(spec)
    for key in ("options", "correct", "accepted", "tags"):
        data[key] = list(data[key])
    if data["weights"] is not None:
        data["weights"] = list(data["weights"])
    numbers = data.pop("numbers")
    if numbers:  # absent when empty, so adding the field changed no stored question's checksum
        data["numbers"] = [list(pair) for pair in numbers]
    return data


def spec_from_json(data: dict[str, Any]) -> QuestionSpec:
    values = dict(data)
    for key in ("options", "correct", "accepted", "tags"):
        values[key] = tuple(values.get(key) or ())
    if values.get("weights") is not None:
        values["weights"] = tuple(values["weights"])
    values["numbers"] = tuple((float(value), float(tolerance)) for value, tolerance in values.get("numbers") or ())
    values["feedback"] = tuple(values.get("feedback") or ())
    values["extra"] = dict(values.get("extra") or {})
    return QuestionSpec(**values)


def spec_checksum(spec: QuestionSpec) -> str:
    payload = spec_to_json(spec)
    payload.pop("source", None)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
