"""Quiz files: parsing and validation, pure. No Flask, no SQLAlchemy; the window defaults and time zone are passed in.

A file under ``quizzes/`` is either a quiz (``kind: monthly | practice | system-ops``) or a question bank
(``kind: bank``). Every problem names the file and the line. YAML is read with ``safe_load`` after two guards:
a size limit and a limit on anchors/aliases (a "billion laughs" document is refused before it is expanded).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from lms.quizzes.specs import LETTERS, QUESTION_TYPES, QuestionSpec

QUIZ_KINDS = ("monthly", "practice", "system-ops")
BANK_KIND = "bank"
REVIEW_POLICIES = ("immediately", "after_close", "never")
MAX_FILE_BYTES = 1024 * 1024
MAX_ALIASES = 20
MAX_NESTING = 32  # a quiz is a few levels deep; thousands of brackets would overflow the loader's recursion
KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_TIME_LIMIT_SECONDS = 30 * 60


class QuizFileError(Exception):
    """Problems found in one file; each problem already names the file and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` questions from a bank, optionally only those with all of ``tags`` and a difficulty range."""

    bank: str
    count: int
    tags: tuple[str, ...] = ()
    difficulty_min: int = 1
    difficulty_max: int = 5
    points: float | None = None  # overrides each drawn question's points
    source: str = ""


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
             "draws": [asdict(d) for d in s.draws]}
            for s in self.sections
        ]
        return data

    def checksum(self) -> str:
        payload = {k: v for k, v in self.to_json().items() if k != "source_path"}
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
    values["sections"] = tuple(
        Section(
            title=s["title"],
            questions=tuple(spec_from_json(q) for q in s["questions"]),
            draws=tuple(DrawRule(**{**d, "tags": tuple(d.get("tags", ()))}) for d in s["draws"]),
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


@dataclass(frozen=True)
class WindowPolicy:
    """The monthly window setting: day ``first_day`` 00:00 to day ``last_day`` 23:59:59 local time."""

    first_day: int = 1
    last_day: int = 8
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def default_window(period: str, policy: WindowPolicy) -> tuple[datetime, datetime]:
    year, month = (int(p) for p in period.split("-"))
    opens = datetime.combine(date(year, month, policy.first_day), time(0, 0), tzinfo=policy.tz)
    closes = datetime.combine(date(year, month, policy.last_day), time(23, 59, 59), tzinfo=policy.tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


# --- question specs as JSON ----------------------------------------------------------------------------------------

def spec_to_json(spec: QuestionSpec) -> dict[str, Any]:
    data = asdict(spec)
    for key in ("options", "correct", "accepted", "tags"):
        data[key] = list(data[key])
    if data["weights"] is not None:
        data["weights"] = list(data["weights"])
    return data


def spec_from_json(data: dict[str, Any]) -> QuestionSpec:
    values = dict(data)
    for key in ("options", "correct", "accepted", "tags"):
        values[key] = tuple(values.get(key) or ())
    if values.get("weights") is not None:
        values["weights"] = tuple(values["weights"])
    values["extra"] = dict(values.get("extra") or {})
    return QuestionSpec(**values)


def spec_checksum(spec: QuestionSpec) -> str:
    payload = spec_to_json(spec)
    payload.pop("source", None)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def validate_spec(spec: QuestionSpec) -> list[str]:  # noqa: PLR0912 - one flat checklist per question type
    """What is wrong with a question, whatever its source (file, importer)."""
    where = f"{spec.source}: " if spec.source else ""
    problems = []
    if spec.type not in QUESTION_TYPES:
        problems.append(f"{where}unknown question type {spec.type!r} (use {', '.join(QUESTION_TYPES)})")
        return problems
    if not spec.stem.strip():
        problems.append(f"{where}question {spec.key} has no stem")
    if spec.points <= 0:
        problems.append(f"{where}question {spec.key}: points must be positive")
    if not 1 <= spec.difficulty <= 5:
        problems.append(f"{where}question {spec.key}: difficulty must be 1..5")
    if spec.type in ("single", "multiple"):
        if len(spec.options) < 2:
            problems.append(f"{where}question {spec.key} needs at least two options")
        if len(spec.options) > len(LETTERS):
            problems.append(f"{where}question {spec.key} has more than {len(LETTERS)} options")
        if not spec.correct or any(not 0 <= i < len(spec.options) for i in spec.correct):
            problems.append(f"{where}question {spec.key}: the answer must name existing options")
        elif spec.type == "single" and len(spec.correct) != 1:
            problems.append(f"{where}question {spec.key}: a single-choice question has exactly one answer")
        if spec.weights is not None and len(spec.weights) != len(spec.options):
            problems.append(f"{where}question {spec.key}: one weight per option")
    elif spec.type == "truefalse":
        if spec.truth is None:
            problems.append(f"{where}question {spec.key}: answer must be true or false")
    elif not [a for a in spec.accepted if a.strip()]:
        problems.append(f"{where}question {spec.key}: a fill-in question needs at least one accepted answer")
    return problems


# --- YAML loading with line numbers and guards ----------------------------------------------------------------------

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping, so problems can name it."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def load_yaml(text: str, path: str) -> Any:
    """``safe_load`` with a size limit, an alias limit and a nesting limit; errors name the file and line."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise QuizFileError([f"{path}: file is larger than {MAX_FILE_BYTES // 1024} KB"])
    try:
        aliases = depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise QuizFileError([f"{path}:{line}: too many YAML aliases (more than {MAX_ALIASES})"])
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise QuizFileError([f"{path}:{line}: YAML nested too deeply (more than {MAX_NESTING} levels)"])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise QuizFileError([f"{path}:{line}: invalid YAML: {problem}"]) from exc


def _line(mapping: Any) -> int | str:
    return mapping.get(LINE_KEY, "?") if isinstance(mapping, dict) else "?"


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


# --- questions -------------------------------------------------------------------------------------------------------

def _letters_to_indexes(answer: Any) -> list[int] | None:
    if isinstance(answer, list):
        letters = [str(a).strip().upper() for a in answer]
    else:
        letters = [c for c in str(answer).upper() if not c.isspace() and c not in ",，、"]
    if not letters or any(len(letter) != 1 or letter not in LETTERS for letter in letters):
        return None
    return sorted({LETTERS.index(letter) for letter in letters})


def _as_text_list(value: Any) -> list[str]:
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
    line = _line(raw)
    where = f"{path}:{line}"
    if not isinstance(raw, dict):
        return None, [f"{where}: a question must be a mapping (id, type, stem, options, answer …)"]
    data = _strip_lines(raw)
    problems: list[str] = []
    key = str(data.get("id", default_key))
    if not KEY_RE.match(key):
        problems.append(f"{where}: question id {key!r} may use only letters, digits, '-', '_' and '.'")
    qtype = str(data.get("type", "single")).strip()
    aliases = {"tf": "truefalse", "judge": "truefalse", "判断": "truefalse", "单选": "single", "多选": "multiple",
               "填空": "fill"}
    qtype = aliases.get(qtype, qtype)
    if qtype not in QUESTION_TYPES:
        return None, [f"{where}: question {key}: unknown type {qtype!r} (use {', '.join(QUESTION_TYPES)})"]
    options = tuple(_as_text_list(data.get("options")))
    correct: tuple[int, ...] = ()
    truth: bool | None = None
    accepted: tuple[str, ...] = ()
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
    else:
        accepted = tuple(a.strip() for a in _as_text_list(answer) if a.strip())
    try:
        points = float(data.get("points", 1))
        difficulty = int(data.get("difficulty", 3))
    except (TypeError, ValueError):
        problems.append(f"{where}: question {key}: points and difficulty must be numbers")
        points, difficulty = 1.0, 3
    tags = tuple(str(t) for t in _as_text_list(data.get("tags")))
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


def _parse_questions(items: Any, path: str, line: Any, seen: set[str]) -> tuple[list[QuestionSpec], list[str]]:
    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], [f"{path}:{line}: 'questions' must be a list"]
    specs, problems = [], []
    for number, raw in enumerate(items, start=1):
        spec, found = parse_question(raw, path, f"q{number}")
        problems.extend(found)
        if spec is None:
            continue
        if spec.key in seen:
            problems.append(f"{spec.source}: duplicate question id {spec.key!r}")
            continue
        seen.add(spec.key)
        specs.append(spec)
    return specs, problems


def _parse_draws(items: Any, path: str, line: Any) -> tuple[list[DrawRule], list[str]]:
    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], [f"{path}:{line}: 'draw' must be a list"]
    rules, problems = [], []
    for raw in items:
        where = f"{path}:{_line(raw)}"
        if not isinstance(raw, dict) or not raw.get("bank"):
            problems.append(f"{where}: a draw rule needs 'bank' and 'count'")
            continue
        try:
            count = int(raw.get("count", 0))
            difficulty = raw.get("difficulty")
            low, high = 1, 5
            if isinstance(difficulty, list) and len(difficulty) == 2:
                low, high = int(difficulty[0]), int(difficulty[1])
            elif difficulty is not None:
                low = high = int(difficulty)
            points = float(raw["points"]) if raw.get("points") is not None else None
        except (TypeError, ValueError):
            problems.append(f"{where}: count, difficulty and points of a draw rule must be numbers")
            continue
        if count < 1:
            problems.append(f"{where}: a draw rule must draw at least one question")
            continue
        if not 1 <= low <= high <= 5:
            problems.append(f"{where}: difficulty must lie within 1..5 (a number or [low, high])")
            continue
        rules.append(DrawRule(bank=str(raw["bank"]), count=count, tags=tuple(_as_text_list(raw.get("tags"))),
                              difficulty_min=low, difficulty_max=high, points=points, source=where))
    return rules, problems


def _parse_time(value: Any, path: str, key: str, line: Any, *, tz: ZoneInfo, problems: list[str]) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0, 0))
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            problems.append(f"{path}:{line}: {key} {value!r} is not an ISO 8601 time such as 2026-11-01T09:00")
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def slug_for(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".yaml") else name.rsplit(".", 1)[0]


def parse_quiz_file(  # noqa: PLR0912, PLR0915 - a flat list of keys, each checked in file order
    text: str, path: str, window: WindowPolicy
) -> QuizDefinition | BankDefinition:
    """Parse one file of ``quizzes/``; raise QuizFileError listing every problem with file and line."""
    data = load_yaml(text, path)
    slug = slug_for(path)
    if not isinstance(data, dict):
        raise QuizFileError([f"{path}:1: a quiz file must be a YAML mapping (title, kind, questions …)"])
    problems: list[str] = []
    line = _line(data)
    if not SLUG_RE.match(slug):
        problems.append(f"{path}:1: file name {slug!r} must be a slug: lower-case letters, digits, '-' or '_'")
    title = str(data.get("title", "")).strip()
    if not title:
        problems.append(f"{path}:{line}: 'title' is required")
    kind = str(data.get("kind", "")).strip()
    if kind == BANK_KIND:
        questions, found = _parse_questions(data.get("questions"), path, line, set())
        problems.extend(found)
        if not questions and not found:
            problems.append(f"{path}:{line}: a bank needs at least one question")
        if problems:
            raise QuizFileError(problems)
        return BankDefinition(slug=slug, title=title, description=str(data.get("description", "") or ""),
                              questions=tuple(questions), source_path=path)
    if kind not in QUIZ_KINDS:
        raise QuizFileError([*problems, f"{path}:{line}: kind must be one of {', '.join((*QUIZ_KINDS, BANK_KIND))}"])

    period = data.get("period")
    period = str(period).strip() if period is not None else None
    if kind == "monthly":
        if not period or not PERIOD_RE.match(period):
            problems.append(f"{path}:{line}: a monthly test needs 'period: YYYY-MM'")
            period = None
    elif period is not None and not PERIOD_RE.match(period):
        problems.append(f"{path}:{line}: period must be YYYY-MM")
    opens = _parse_time(data.get("opens"), path, "opens", line, tz=window.tz, problems=problems)
    closes = _parse_time(data.get("closes"), path, "closes", line, tz=window.tz, problems=problems)
    if kind == "monthly" and period and opens is None and closes is None:
        opens, closes = default_window(period, window)
    elif kind == "monthly" and period and (opens is None) != (closes is None):
        default_opens, default_closes = default_window(period, window)
        opens, closes = opens or default_opens, closes or default_closes
    if opens and closes and closes <= opens:
        problems.append(f"{path}:{line}: closes must be after opens")
    makeup = data.get("makeup")
    makeup_opens = makeup_closes = None
    if makeup is not None:
        if not isinstance(makeup, dict):
            problems.append(f"{path}:{line}: makeup must be a mapping with opens and closes")
        else:
            makeup_opens = _parse_time(makeup.get("opens"), path, "makeup.opens", _line(makeup),
                                       tz=window.tz, problems=problems)
            makeup_closes = _parse_time(makeup.get("closes"), path, "makeup.closes", _line(makeup),
                                        tz=window.tz, problems=problems)
            if makeup_opens is None or makeup_closes is None or makeup_closes <= makeup_opens:
                problems.append(f"{path}:{_line(makeup)}: makeup needs opens and a later closes")
            elif closes is not None and makeup_opens < closes:
                problems.append(f"{path}:{_line(makeup)}: the make-up window starts after the test closes")

    def number(key: str, default: Any, cast: Any) -> Any:
        value = data.get(key, default)
        if value is None:
            return None
        try:
            return cast(value)
        except (TypeError, ValueError):
            problems.append(f"{path}:{line}: {key} must be a number")
            return default

    if data.get("time_limit_seconds") is not None:
        time_limit = number("time_limit_seconds", DEFAULT_TIME_LIMIT_SECONDS, int)
    else:
        minutes = number("time_limit_minutes", DEFAULT_TIME_LIMIT_SECONDS / 60, float)
        time_limit = round(minutes * 60)
    if not 10 <= time_limit <= 24 * 3600:
        problems.append(f"{path}:{line}: the time limit must lie between 10 seconds and 24 hours")
    max_score = number("max_score", 100.0, float)
    pass_score = number("pass_score", 80.0, float)
    if not 0 < pass_score <= max_score:
        problems.append(f"{path}:{line}: pass_score must lie within 0..max_score")
    default_attempts = None if kind == "practice" else 1
    attempts_allowed = number("attempts_allowed", default_attempts, int)
    if kind != "practice" and attempts_allowed != 1:
        problems.append(f"{path}:{line}: an official test allows exactly one attempt (attempts_allowed: 1)")
    if attempts_allowed is not None and attempts_allowed < 1:
        problems.append(f"{path}:{line}: attempts_allowed must be at least 1")
    review = str(data.get("review", "immediately" if kind == "practice" else "after_close"))
    if review not in REVIEW_POLICIES:
        problems.append(f"{path}:{line}: review must be one of {', '.join(REVIEW_POLICIES)}")
    tab_limit = number("tab_switch_limit", None, int)

    seen: set[str] = set()
    sections: list[Section] = []
    raw_sections = data.get("sections")
    if raw_sections is not None and not isinstance(raw_sections, list):
        problems.append(f"{path}:{line}: 'sections' must be a list")
        raw_sections = []
    if data.get("questions") is not None or data.get("draw") is not None:
        specs, found = _parse_questions(data.get("questions"), path, line, seen)
        draws, found_draws = _parse_draws(data.get("draw"), path, line)
        problems.extend(found + found_draws)
        sections.append(Section(title="", questions=tuple(specs), draws=tuple(draws)))
    for raw in raw_sections or []:
        if not isinstance(raw, dict):
            problems.append(f"{path}:{line}: each section must be a mapping with title and questions/draw")
            continue
        specs, found = _parse_questions(raw.get("questions"), path, _line(raw), seen)
        draws, found_draws = _parse_draws(raw.get("draw"), path, _line(raw))
        problems.extend(found + found_draws)
        sections.append(Section(title=str(raw.get("title", "") or ""), questions=tuple(specs), draws=tuple(draws)))
    if not any(s.questions or s.draws for s in sections) and not problems:
        problems.append(f"{path}:{line}: a quiz needs questions (or draw rules from a bank)")
    if problems:
        raise QuizFileError(problems)
    return QuizDefinition(
        slug=slug, title=title, kind=kind, period=period, opens_at=opens, closes_at=closes,
        time_limit_seconds=time_limit, pass_score=pass_score, max_score=max_score,
        attempts_allowed=attempts_allowed, review_policy=review, sections=tuple(sections),
        shuffle_questions=bool(data.get("shuffle_questions", True)),
        shuffle_options=bool(data.get("shuffle_options", True)),
        partial_credit=bool(data.get("partial_credit", False)),
        tab_switch_limit=tab_limit,
        issues_certificate=bool(data.get("certificate", kind == "monthly")),
        makeup_opens_at=makeup_opens, makeup_closes_at=makeup_closes,
        description=str(data.get("description", "") or "").strip(),
        source_path=path,
    )


def window_state(now: datetime, opens_at: datetime | None, closes_at: datetime | None) -> str:
    """'upcoming', 'open' or 'closed' (a quiz without a window is always open)."""
    if opens_at is not None and now < opens_at:
        return "upcoming"
    if closes_at is not None and now > closes_at:
        return "closed"
    return "open"
