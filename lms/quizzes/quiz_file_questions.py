"""One question as written in a quiz or bank file (a YAML mapping) → a QuestionSpec, or every problem with it named
by file and line. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from typing import Any

from lms.core.yaml_files import LINE_KEY
from lms.quizzes.rules import validate_spec
from lms.quizzes.specs import LETTERS, QUESTION_TYPES, QuestionSpec
from lms.quizzes.types.numbers import parse_key

KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")


def line_of(mapping: Any) -> int | str:
    """The line a mapping starts on, or "?" for anything else."""
    return mapping.get(LINE_KEY, "?") if isinstance(mapping, dict) else "?"


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def _letters_to_indexes(answer: Any) -> list[int] | None:
    if isinstance(answer, list):
        letters = [str(a).strip().upper() for a in answer]
    else:
        letters = [c for c in str(answer).upper() if not c.isspace() and c not in ",，、"]
    if not letters or any(len(letter) != 1 or letter not in LETTERS for letter in letters):
        return None
    return sorted({LETTERS.index(letter) for letter in letters})


def as_text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


TRUE_WORDS = {"true", "yes", "t", "对", "正确", "是", "√"}
FALSE_WORDS = {"false", "no", "f", "错", "错误", "否", "×"}


def parse_question(  # noqa: PLR0912, PLR0915 - one pass that collects every problem of a question
    raw: Any, path: str, default_key: str
) -> tuple[QuestionSpec | None, list[str]]:
    """One question mapping of a quiz or bank file → a QuestionSpec, or the problems with it."""
    line = line_of(raw)
    where = f"{path}:{line}"
    if not isinstance(raw, dict):
        return None, [f"{where}: a question must be a mapping (id, type, stem, options, answer …)"]
    data = strip_lines(raw)
    problems: list[str] = []
    key = str(data.get("id", default_key))
    if not KEY_RE.match(key):
        problems.append(f"{where}: question id {key!r} may use only letters, digits, '-', '_' and '.'")
    qtype = str(data.get("type", "single")).strip()
    aliases = {"tf": "truefalse", "judge": "truefalse", "判断": "truefalse", "单选": "single", "多选": "multiple",
               "填空": "fill", "number": "numeric", "numerical": "numeric", "数值": "numeric"}
    qtype = aliases.get(qtype, qtype)
    if qtype not in QUESTION_TYPES:
        return None, [f"{where}: question {key}: unknown type {qtype!r} (use {', '.join(QUESTION_TYPES)})"]
    options = tuple(as_text_list(data.get("options")))
    correct: tuple[int, ...] = ()
    truth: bool | None = None
    accepted: tuple[str, ...] = ()
    numbers: tuple[tuple[float, float], ...] = ()
    answer = data.get("answer")
    if answer is None:
        problems.append(f"{where}: question {key} has no answer")
    elif qtype in ("single", "multiple"):
        indexes = _letters_to_indexes(answer)
        if indexes is None:
            problems.append(f"{where}: question {key}: answer {answer!r} must be option letters such as A or ABD")
        else:
            correct = tuple(indexes)
    elif qtype == "truefalse":
        if isinstance(answer, bool):
            truth = answer
        elif str(answer).strip().lower() in TRUE_WORDS:
            truth = True
        elif str(answer).strip().lower() in FALSE_WORDS:
            truth = False
        else:
            problems.append(f"{where}: question {key}: answer must be true or false")
    elif qtype == "numeric":
        keys = [(text, parse_key(text)) for text in as_text_list(answer) if text.strip()]
        bad = [text for text, parsed in keys if parsed is None]
        if bad:
            problems.append(f"{where}: question {key}: answer {bad[0]!r} must be a number such as 3, 3±0.5 or 1..5")
        numbers = tuple(parsed for _text, parsed in keys if parsed is not None)
    else:
        accepted = tuple(a.strip() for a in as_text_list(answer) if a.strip())
    try:
        points = float(data.get("points", 1))
        difficulty = int(data.get("difficulty", 3))
    except (TypeError, ValueError):
        problems.append(f"{where}: question {key}: points and difficulty must be numbers")
        points, difficulty = 1.0, 3
    tags = tuple(str(t) for t in as_text_list(data.get("tags")))
    category = data.get("category")
    if category:
        tags = (f"category:{category}", *tags)
    lesson = data.get("lesson")
    weights = data.get("weights")
    spec = QuestionSpec(
        key=key,
        type=qtype,
        stem=str(data.get("stem", "")).strip(),
        options=options,
        correct=correct,
        weights=tuple(float(w) for w in weights) if isinstance(weights, list) else None,
        truth=truth,
        accepted=accepted,
        numbers=numbers,
        points=points,
        explanation=str(data.get("explanation", "") or "").strip(),
        tags=tags,
        difficulty=difficulty,
        lesson=str(lesson) if lesson else None,
        source=where,
    )
    if not problems:
        problems.extend(validate_spec(spec))
    return (None if problems else spec), problems
