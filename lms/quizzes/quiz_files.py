"""A file of ``quizzes/`` → a QuizDefinition or a BankDefinition, pure: no Flask, no SQLAlchemy; the window policy
(defaults and time zone) is passed in.

A file is either a quiz (``kind: monthly | practice | system-ops``) or a question bank (``kind: bank``). Every
problem names the file and the line. The YAML is read safely after a size limit, with limits on aliases (a "billion
laughs" document is refused before it is expanded) and on nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from lms.core.yaml_files import GuardedLoader, YamlLimitError, load_marked
from lms.quizzes.definitions import BankDefinition, DrawRule, QuizDefinition, Section
from lms.quizzes.quiz_file_questions import as_text_list, line_of, parse_question
from lms.quizzes.rules import (
    MAKEUP_AUDIENCES,
    MAKEUP_CHOSEN,
    MAKEUP_FAILED_OR_ABSENT,
    WindowPolicy,
    default_window,
)
from lms.quizzes.specs import QUESTION_TYPES, QuestionSpec

QUIZ_KINDS = ("monthly", "practice", "system-ops")
BANK_KIND = "bank"
REVIEW_POLICIES = ("immediately", "after_close", "never")
MAX_FILE_BYTES = 1024 * 1024
MAX_ALIASES = 20
MAX_NESTING = 32  # a quiz is a few levels deep; thousands of brackets would overflow the loader's recursion
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_TIME_LIMIT_SECONDS = 30 * 60


class QuizFileError(Exception):
    """Problems found in one file; each problem already names the file and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- YAML with line numbers and guards -------------------------------------------------------------------------------

class _QuizFileLoader(GuardedLoader):
    """Records the line of every mapping, so problems can name it."""

    max_aliases = MAX_ALIASES
    max_depth = MAX_NESTING
    mark_lines = True
    refuse_repeated_keys = True


def load_yaml(text: str, path: str) -> Any:
    """``safe_load`` with a size limit, an alias limit and a nesting limit; errors name the file and line."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise QuizFileError([f"{path}: file is larger than {MAX_FILE_BYTES // 1024} KB"])
    try:
        return load_marked(text, _QuizFileLoader)
    except YamlLimitError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise QuizFileError([f"{path}:{line}: {exc.problem}"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise QuizFileError([f"{path}:{line}: invalid YAML: {problem}"]) from exc


# --- the file, step by step ------------------------------------------------------------------------------------------

def slug_for(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".yaml") else name.rsplit(".", 1)[0]


def parse_quiz_file(text: str, path: str, window: WindowPolicy) -> QuizDefinition | BankDefinition:
    """Parse one file of ``quizzes/``; raise QuizFileError listing every problem with file and line."""
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise QuizFileError([f"{path}:1: a quiz file must be a YAML mapping (title, kind, questions …)"])
    return parse_quiz_data(data, path, slug_for(path), window)


def parse_quiz_data(data: dict[str, Any], path: str, slug: str,
                    window: WindowPolicy) -> QuizDefinition | BankDefinition:
    """The mapping a quiz file holds → its definition; the test builder sends its form through here too, so a quiz
    built in the browser obeys the same rules as a file."""
    problems: list[str] = []
    line = line_of(data)
    if not SLUG_RE.match(slug):
        problems.append(f"{path}:1: file name {slug!r} must be a slug: lower-case letters, digits, '-' or '_'")
    title = str(data.get("title", "")).strip()
    if not title:
        problems.append(f"{path}:{line}: 'title' is required")
    kind = str(data.get("kind", "")).strip()
    if kind == BANK_KIND:
        return _bank(data, path, slug, title, problems)
    if kind not in QUIZ_KINDS:
        raise QuizFileError([*problems, f"{path}:{line}: kind must be one of {', '.join((*QUIZ_KINDS, BANK_KIND))}"])

    period = _period(data, kind, path, problems)
    opens, closes = _window(data, kind, period, path, window, problems=problems)
    makeup = _makeup_window(data, closes, path, window.tz, problems)
    settings = _settings(data, kind, path, problems)
    sections = _sections(data, path, problems)
    if problems:
        raise QuizFileError(problems)
    return QuizDefinition(
        slug=slug, title=title, kind=kind, period=period, opens_at=opens, closes_at=closes,
        time_limit_seconds=settings.time_limit_seconds, pass_score=settings.pass_score,
        max_score=settings.max_score, attempts_allowed=settings.attempts_allowed,
        review_policy=settings.review_policy, sections=tuple(sections),
        shuffle_questions=bool(data.get("shuffle_questions", True)),
        shuffle_options=bool(data.get("shuffle_options", True)),
        partial_credit=bool(data.get("partial_credit", False)),
        tab_switch_limit=settings.tab_switch_limit,
        issues_certificate=bool(data.get("certificate", kind == "monthly")),
        makeup_opens_at=makeup.opens_at, makeup_closes_at=makeup.closes_at, makeup_audience=makeup.audience,
        makeup_people=makeup.people,
        description=str(data.get("description", "") or "").strip(),
        source_path=path,
    )


def _bank(data: dict[str, Any], path: str, slug: str, title: str, problems: list[str]) -> BankDefinition:
    line = line_of(data)
    questions, found = _parse_questions(data.get("questions"), path, line, set())
    problems.extend(found)
    if not questions and not found:
        problems.append(f"{path}:{line}: a bank needs at least one question")
    if problems:
        raise QuizFileError(problems)
    return BankDefinition(slug=slug, title=title, description=str(data.get("description", "") or ""),
                          questions=tuple(questions), source_path=path)


def _period(data: dict[str, Any], kind: str, path: str, problems: list[str]) -> str | None:
    """``YYYY-MM``: required of a monthly test, optional (but well formed) on the others."""
    line = line_of(data)
    period = data.get("period")
    period = str(period).strip() if period is not None else None
    if kind == "monthly":
        if not period or not PERIOD_RE.match(period):
            problems.append(f"{path}:{line}: a monthly test needs 'period: YYYY-MM'")
            period = None
    elif period is not None and not PERIOD_RE.match(period):
        problems.append(f"{path}:{line}: period must be YYYY-MM")
    return period


def _window(data: dict[str, Any], kind: str, period: str | None, path: str, window: WindowPolicy, *,
            problems: list[str]) -> tuple[datetime | None, datetime | None]:
    """``opens``/``closes`` in UTC; a monthly test takes the policy's window for whichever of the two is missing."""
    line = line_of(data)
    opens = _parse_time(data.get("opens"), path, "opens", line, tz=window.tz, problems=problems)
    closes = _parse_time(data.get("closes"), path, "closes", line, tz=window.tz, problems=problems)
    if kind == "monthly" and period and opens is None and closes is None:
        opens, closes = default_window(period, window)
    elif kind == "monthly" and period and (opens is None) != (closes is None):
        default_opens, default_closes = default_window(period, window)
        opens, closes = opens or default_opens, closes or default_closes
    if opens and closes and closes <= opens:
        problems.append(f"{path}:{line}: closes must be after opens")
    return opens, closes


@dataclass(frozen=True)
class _Makeup:
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    audience: str = MAKEUP_FAILED_OR_ABSENT
    people: tuple[str, ...] = ()


def _makeup_window(data: dict[str, Any], closes: datetime | None, path: str, tz: ZoneInfo,
                   problems: list[str]) -> _Makeup:
    """The optional ``makeup: {opens, closes, audience, people}`` window, which starts after the test closes;
    ``audience`` (default failed_or_absent) is one of MAKEUP_AUDIENCES, ``people`` the employee numbers of a chosen
    audience."""
    makeup = data.get("makeup")
    if makeup is None:
        return _Makeup()
    if not isinstance(makeup, dict):
        problems.append(f"{path}:{line_of(data)}: makeup must be a mapping with opens and closes")
        return _Makeup()
    line = line_of(makeup)
    makeup_opens = _parse_time(makeup.get("opens"), path, "makeup.opens", line, tz=tz, problems=problems)
    makeup_closes = _parse_time(makeup.get("closes"), path, "makeup.closes", line, tz=tz, problems=problems)
    if makeup_opens is None or makeup_closes is None or makeup_closes <= makeup_opens:
        problems.append(f"{path}:{line}: makeup needs opens and a later closes")
    elif closes is not None and makeup_opens < closes:
        problems.append(f"{path}:{line}: the make-up window starts after the test closes")
    audience = str(makeup.get("audience") or MAKEUP_FAILED_OR_ABSENT).strip()
    if audience not in MAKEUP_AUDIENCES:
        problems.append(f"{path}:{line}: makeup.audience must be one of {', '.join(MAKEUP_AUDIENCES)}")
    raw_people = makeup.get("people") or []
    if not isinstance(raw_people, list):
        problems.append(f"{path}:{line}: makeup.people must be a list of employee numbers")
        raw_people = []
    people = tuple(dict.fromkeys(str(p).strip() for p in raw_people if str(p).strip()))
    if audience == MAKEUP_CHOSEN and not people:
        problems.append(f"{path}:{line}: a make-up window for chosen people needs makeup.people")
    if audience != MAKEUP_CHOSEN and people:
        problems.append(f"{path}:{line}: makeup.people is only for audience: chosen")
    return _Makeup(makeup_opens, makeup_closes, audience, people)


@dataclass(frozen=True)
class _Settings:
    time_limit_seconds: int
    max_score: float
    pass_score: float
    attempts_allowed: int | None
    review_policy: str
    tab_switch_limit: int | None


def _settings(data: dict[str, Any], kind: str, path: str, problems: list[str]) -> _Settings:
    """The time limit, scores, attempts, review policy and tab-switch limit, each checked against its range."""
    line = line_of(data)

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
    return _Settings(time_limit_seconds=time_limit, max_score=max_score, pass_score=pass_score,
                     attempts_allowed=attempts_allowed, review_policy=review, tab_switch_limit=tab_limit)


def parse_sections(data: dict[str, Any], path: str) -> tuple[list[Section], list[str]]:
    """Only the sections of a quiz mapping, and their problems (the builder's summary reads them on their own)."""
    problems: list[str] = []
    return _sections(data, path, problems), problems


def _sections(data: dict[str, Any], path: str, problems: list[str]) -> list[Section]:
    """Top-level ``questions``/``draw`` make an untitled first section, then each of ``sections``; question ids are
    unique across the whole quiz."""
    line = line_of(data)
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
        specs, found = _parse_questions(raw.get("questions"), path, line_of(raw), seen)
        draws, found_draws = _parse_draws(raw.get("draw"), path, line_of(raw))
        problems.extend(found + found_draws)
        sections.append(Section(title=str(raw.get("title", "") or ""), questions=tuple(specs), draws=tuple(draws)))
    if not any(s.questions or s.draws for s in sections) and not problems:
        problems.append(f"{path}:{line}: a quiz needs questions (or draw rules from a bank)")
    return sections


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
        where = f"{path}:{line_of(raw)}"
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
        types = tuple(as_text_list(raw.get("types")))
        if any(t not in QUESTION_TYPES for t in types):
            problems.append(f"{where}: types of a draw rule must be among {', '.join(QUESTION_TYPES)}")
            continue
        lesson = str(raw["lesson"]).strip() if raw.get("lesson") else None
        rules.append(DrawRule(bank=str(raw["bank"]), count=count, tags=tuple(as_text_list(raw.get("tags"))),
                              difficulty_min=low, difficulty_max=high, points=points, source=where, types=types,
                              lesson=lesson))
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
