"""What importing a parsed file into a bank would do, decided before anything is written: each question new,
updated or unchanged (compared with the bank by key and checksum, as ``services.store_bank_questions`` stores them),
and the questions refused — written wrongly, a duplicate id, or a picture that is missing or not accepted — each
with its line (row, paragraph) and reason. Pure: no Flask, no SQLAlchemy.

Pictures embedded in the file are referred to as ``import-media/<name>`` (``importers.results.MEDIA_PREFIX``); the
plan's questions already refer to the address each picture will be served at once stored, so that the checksum
compared with the bank is the checksum of what will be stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from lms.quizzes.definitions import spec_checksum
from lms.quizzes.importers.results import MEDIA_PREFIX, ImportResult, Skipped
from lms.quizzes.rules import validate_spec
from lms.quizzes.specs import LETTERS, QuestionSpec

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
# A reference to an embedded picture, up to what ends a Markdown link target or an HTML attribute.
MEDIA_REFERENCE = re.compile(re.escape(MEDIA_PREFIX) + r"""([^\s)"'<>]+)""")


@dataclass(frozen=True)
class Picture:
    """An embedded picture as checked: the address it will be served at, or why it is refused."""

    url: str | None
    reason: str = ""


@dataclass(frozen=True)
class PlannedQuestion:
    spec: QuestionSpec  # picture references already rewritten to their addresses
    status: str  # NEW, UPDATED or UNCHANGED
    line: int | None
    pictures: tuple[str, ...] = ()  # the embedded pictures (by name in the file) it shows


@dataclass(frozen=True)
class ImportPlan:
    filename: str
    format: str
    questions: tuple[PlannedQuestion, ...]
    skipped: tuple[Skipped, ...]  # the platform has no such type
    refused: tuple[Skipped, ...]  # written wrongly: never stops the others

    def count(self, status: str) -> int:
        return sum(1 for q in self.questions if q.status == status)

    @property
    def new(self) -> int:
        return self.count(NEW)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def pictures(self) -> tuple[str, ...]:
        """The embedded pictures the importable questions show, each once, in order of first use."""
        return tuple(dict.fromkeys(name for q in self.questions for name in q.pictures))

    def digest(self) -> str:
        """What confirming would write, in short: a confirmation whose digest differs from its preview's is refused
        (the bank changed in between in a way that changes what the preview said)."""
        payload: list[list[object]] = [[q.spec.key, q.status, spec_checksum(q.spec)] for q in self.questions]
        payload.append([len(self.skipped), len(self.refused)])
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def line_of(spec: QuestionSpec) -> int | None:
    """The line (row, paragraph) a question starts at, from its ``source`` ("file:line")."""
    _name, _colon, number = spec.source.rpartition(":")
    return int(number) if number.isdigit() else None


def picture_names(spec: QuestionSpec) -> tuple[str, ...]:
    """The embedded pictures a question's texts refer to, each once."""
    texts = (spec.stem, *spec.options, spec.explanation, *spec.feedback)
    return tuple(dict.fromkeys(m.group(1) for text in texts for m in MEDIA_REFERENCE.finditer(text)))


def rewrite_pictures(spec: QuestionSpec, address: Callable[[str], str | None]) -> QuestionSpec:
    """The question with each ``import-media/<name>`` in stem, options, explanation and feedback replaced by
    ``address(name)`` (kept as it is where that is None)."""
    def text(value: str) -> str:
        return MEDIA_REFERENCE.sub(lambda m: address(m.group(1)) or m.group(0), value)

    return replace(spec, stem=text(spec.stem), options=tuple(text(o) for o in spec.options),
                   explanation=text(spec.explanation), feedback=tuple(text(f) for f in spec.feedback))


# What validate_spec finds (English, for files' authors), in the words the import preview shows a trainer.
PROBLEM_REASONS = (
    ("has no stem", "题干为空"),
    ("points must be positive", "分值必须大于 0"),
    ("difficulty must be 1..5", "难度应为 1 到 5"),
    ("needs at least two options", "选择题至少需要两个选项"),
    ("has more than", f"选项太多：最多 {len(LETTERS)} 个"),
    ("the answer must name existing options", "没有正确答案，或答案指向不存在的选项"),
    ("has exactly one answer", "单选题只能有一个正确答案"),
    ("one weight per", "得分比例与答案个数不一致"),
    ("weights are fractions", "得分比例应在 -100% 到 100% 之间"),
    ("must earn points", "没有得分的答案"),
    ("tolerance cannot be negative", "误差不能为负数"),
    ("answer must be true or false", "判断题答案应为对或错"),
    ("needs at least one accepted answer", "填空题至少需要一个可接受的答案"),
    ("needs at least one number", "数值题至少需要一个答案"),
    ("unknown question type", "题型无效"),
)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def _refusal(spec: QuestionSpec, reason: str) -> Skipped:
    return Skipped(spec.extra.get("title") or shortened(spec.stem), line_of(spec) or 0, reason)


def shortened(text: str, limit: int = 40) -> str:
    """A stem in one line for lists: pictures as their alt text in brackets (never their Markdown)."""
    flat = " ".join(_IMAGE.sub(lambda m: f"[{m.group(1) or '图'}]", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _problem_text(problem: str, spec: QuestionSpec) -> str:
    found = next((words for marker, words in PROBLEM_REASONS if marker in problem), None)
    if found is not None:
        return found
    where = f"{spec.source}: "
    return problem[len(where):] if spec.source and problem.startswith(where) else problem


def plan_import(result: ImportResult, filename: str, *, existing: dict[str, tuple[str, bool]],
                pictures: dict[str, Picture]) -> ImportPlan:
    """Sort a parsed file's questions into new / updated / unchanged against ``existing`` (key → (checksum,
    retired)), refusing those written wrongly (``validate_spec``), a repeated id, or a picture not in ``pictures``
    or refused there. The parser's own skipped and refused questions are kept, in line order."""
    planned: list[PlannedQuestion] = []
    refused = list(result.refused)
    seen: dict[str, int | None] = {}
    for spec in result.questions:
        problems = validate_spec(spec)
        if problems:
            refused.append(_refusal(spec, "；".join(_problem_text(p, spec) for p in problems)))
            continue
        if spec.key in seen:
            also = seen[spec.key]
            refused.append(_refusal(spec, f"题目编号 {spec.key} 重复" + (f"（第{also}处已有）" if also else "")))
            continue
        names = picture_names(spec)
        bad = [f"图片 {name}：{pictures[name].reason}" if name in pictures else f"图片 {name} 不在文件中"
               for name in names if name not in pictures or pictures[name].url is None]
        if bad:
            refused.append(_refusal(spec, "；".join(bad)))
            continue
        seen[spec.key] = line_of(spec)
        stored = rewrite_pictures(spec, lambda name: pictures[name].url)
        before = existing.get(spec.key)
        if before is None:
            status = NEW
        elif before[0] == spec_checksum(stored) and not before[1]:
            status = UNCHANGED
        else:
            status = UPDATED
        planned.append(PlannedQuestion(stored, status, line_of(spec), names))
    refused.sort(key=lambda item: item.line)
    return ImportPlan(filename=filename, format=result.format, questions=tuple(planned),
                      skipped=tuple(sorted(result.skipped, key=lambda item: item.line)), refused=tuple(refused))


def _number(value: float) -> str:
    return f"{value:g}"


def answer_summary(spec: QuestionSpec, *, truth_words: tuple[str, str] = ("对", "错")) -> str:
    """The key in a few words, for the preview: letters (with their fractions when weighted), true/false (in the
    reader's words), the accepted texts, or the numbers with their tolerance."""
    if spec.type in ("single", "multiple"):
        if spec.weights is not None:
            return "、".join(f"{LETTERS[i]} {_number(w * 100)}%" for i, w in enumerate(spec.weights) if w)
        return "、".join(LETTERS[i] for i in spec.correct if i < len(LETTERS))
    if spec.type == "truefalse":
        return truth_words[0] if spec.truth else truth_words[1]
    if spec.type == "numeric":
        return " / ".join(f"{_number(v)} ± {_number(t)}" if t else _number(v) for v, t in spec.numbers)
    return " / ".join(spec.accepted)
