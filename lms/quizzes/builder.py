"""The test builder's rules, pure: what its form holds (``builder data``: the mapping a quiz file would hold, with
fixed questions named by bank) → a QuizDefinition through the file parser, so a quiz built in the browser obeys the
rules of a file; a definition back into builder data (a file quiz taken over); and the live summary (questions,
points, how many distinct papers the draws allow, draws a bank cannot satisfy). No Flask, no SQLAlchemy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lms.quizzes.definitions import DrawRule, QuizDefinition, Section
from lms.quizzes.quiz_files import QuizFileError, parse_quiz_data, parse_sections
from lms.quizzes.rules import WindowPolicy
from lms.quizzes.specs import LETTERS, QuestionSpec
from lms.quizzes.types.numbers import format_key

SOURCE = "browser"  # the "file" named in a built quiz's problems and question sources
_LOCATION = re.compile(r"^[^:\s]*:[^:\s]*: ")  # "browser:?: " in front of the file parser's problems


def question_ref(bank: str, key: str) -> str:
    """How the builder names a bank question it picked as a fixed question."""
    return f"{bank}/{key}"


def file_question(spec: QuestionSpec) -> dict[str, Any]:
    """A question as a quiz file writes it: the file parser reads this back into the same question."""
    data: dict[str, Any] = {"id": spec.key, "type": spec.type, "stem": spec.stem, "points": spec.points,
                            "difficulty": spec.difficulty, "tags": list(spec.tags)}
    if spec.type in ("single", "multiple"):
        data["options"] = list(spec.options)
        data["answer"] = "".join(LETTERS[i] for i in spec.correct)
        if spec.weights is not None:
            data["weights"] = list(spec.weights)
    elif spec.type == "truefalse":
        data["answer"] = bool(spec.truth)
    elif spec.type == "numeric":
        data["answer"] = [format_key(value, tolerance) for value, tolerance in spec.numbers]
    else:
        data["answer"] = list(spec.accepted)
    if spec.weights is not None and spec.type in ("fill", "numeric"):
        data["weights"] = list(spec.weights)
    if spec.explanation:
        data["explanation"] = spec.explanation
    if spec.lesson:
        data["lesson"] = spec.lesson
    return data


def _plain(problem: str) -> str:
    return _LOCATION.sub("", problem)


def file_mapping(data: Mapping[str, Any], picked: Mapping[str, QuestionSpec]) -> tuple[dict[str, Any], list[str]]:
    """Builder data → the mapping a quiz file holds: each section's picked bank questions written in as questions.
    ``picked`` maps a question_ref to the bank's live question; a ref it lacks (retired meanwhile) is a problem."""
    problems: list[str] = []
    mapping = {k: v for k, v in data.items() if k != "sections"}
    sections = []
    used = set(own_questions(data))  # question ids are unique across a quiz: a picked one that clashes is renamed
    for section in data.get("sections") or []:
        questions = list(section.get("questions") or [])
        for ref in section.get("picked") or []:
            spec = picked.get(ref)
            if spec is None:
                problems.append(f"题库中没有题目 {ref}（可能已停用）")
                continue
            question = file_question(spec)
            if spec.key in used:  # two banks' q1, or a bank's q3 beside a taken-over file's own q3
                question["id"] = ref.replace("/", ".")[-60:]
            used.add(question["id"])
            questions.append(question)
        sections.append({"title": section.get("title", ""), "questions": questions or None,
                         "draw": list(section.get("draw") or []) or None})
    mapping["sections"] = sections
    return mapping, problems


def build_definition(data: Mapping[str, Any], slug: str, picked: Mapping[str, QuestionSpec],
                     window: WindowPolicy) -> tuple[QuizDefinition | None, list[str]]:
    """Builder data → the definition the file parser makes of it, or every problem (without the file's location)."""
    mapping, problems = file_mapping(data, picked)
    try:
        parsed = parse_quiz_data(mapping, SOURCE, slug, window)
    except QuizFileError as exc:
        return None, problems + [_plain(p) for p in exc.problems]
    if problems or not isinstance(parsed, QuizDefinition):
        return None, problems or ["kind 必须是考试类型"]
    return parsed, []


def builder_sections(data: Mapping[str, Any], picked: Mapping[str, QuestionSpec]) -> list[Section]:
    """The sections of builder data as far as they parse (the summary works on an unfinished form too)."""
    mapping, _problems = file_mapping(data, picked)
    sections, _found = parse_sections(mapping, SOURCE)
    return sections


# --- what a save keeps that the form does not hold --------------------------------------------------------------------

# Builder data the form does not hold, and which a save still must not carry over from the previous data: the
# make-up window is the form's own (its fieldset decides it, also when it is cleared).
NOT_CARRIED = ("sections", "makeup")


def own_questions(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A taken-over file's own questions (written into the sections of its builder data), by id."""
    return {str(q.get("id")): dict(q) for s in data.get("sections") or [] for q in s.get("questions") or []
            if isinstance(q, Mapping)}


def saved_data(data: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """The form's builder data → what a save stores, given the previous builder data:

    - each section's ``own`` (ids of the taken-over file's questions the trainer kept in that section) becomes its
      ``questions``, copied from the previous data; an id the previous data lacks is dropped (the form only names
      questions, it never brings their content). A section without ``own`` (a caller that does not send it) keeps
      the questions of the previous section at its position;
    - keys of the previous data the form does not hold (a taken-over file's description, max_score,
      partial_credit ...) are kept as they were, except NOT_CARRIED.
    """
    known = own_questions(previous)
    before = list(previous.get("sections") or [])
    sections = []
    for index, raw in enumerate(data.get("sections") or []):
        section = dict(raw)
        if "own" in section:
            ids = dict.fromkeys(str(i) for i in section.pop("own") or [])
            section["questions"] = [known[i] for i in ids if i in known]
        else:
            section["questions"] = list(before[index].get("questions") or []) if index < len(before) else []
        sections.append(section)
    saved = {k: v for k, v in previous.items() if k not in data and k not in NOT_CARRIED}
    saved.update({k: v for k, v in data.items() if k != "sections"})
    saved["sections"] = sections
    return saved


def moved_to_bank(data: Mapping[str, Any], question_id: str, ref: str) -> dict[str, Any]:
    """The form's builder data with an own question (``own`` id) replaced, in its section, by the bank question
    ``ref`` it was copied to (picked as a fixed question)."""
    sections = []
    for raw in data.get("sections") or []:
        section = dict(raw)
        own = [str(i) for i in section.get("own") or []]
        if question_id in own:
            section["own"] = [i for i in own if i != question_id]
            section["picked"] = [*(section.get("picked") or []), ref]
        sections.append(section)
    return {**data, "sections": sections}


def opens_later(opens_at: datetime | None, now: datetime) -> datetime | None:
    """When a test's window opens, if that is still to come (a published one is then "scheduled"); else None."""
    return opens_at if opens_at is not None and opens_at > now else None


def _local(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if value else None


def builder_data(definition: QuizDefinition, tz: ZoneInfo) -> dict[str, Any]:
    """A definition (a file's) as builder data: what a take-over starts from; the file's questions stay as written."""
    data: dict[str, Any] = {
        "kind": definition.kind, "title": definition.title, "period": definition.period,
        "opens": _local(definition.opens_at, tz), "closes": _local(definition.closes_at, tz),
        "time_limit_minutes": definition.time_limit_seconds / 60, "pass_score": definition.pass_score,
        "max_score": definition.max_score, "attempts_allowed": definition.attempts_allowed,
        "review": definition.review_policy, "shuffle_questions": definition.shuffle_questions,
        "shuffle_options": definition.shuffle_options, "partial_credit": definition.partial_credit,
        "tab_switch_limit": definition.tab_switch_limit, "certificate": definition.issues_certificate,
        "description": definition.description,
        "sections": [{"title": s.title, "picked": [], "questions": [file_question(q) for q in s.questions],
                      "draw": [draw_mapping(d) for d in s.draws]} for s in definition.sections],
    }
    if definition.makeup_opens_at and definition.makeup_closes_at:
        data["makeup"] = {"opens": _local(definition.makeup_opens_at, tz),
                          "closes": _local(definition.makeup_closes_at, tz),
                          "audience": definition.makeup_audience, "people": list(definition.makeup_people)}
    return data


def draw_mapping(rule: DrawRule) -> dict[str, Any]:
    """A draw rule as a quiz file writes it."""
    data: dict[str, Any] = {"bank": rule.bank, "count": rule.count, "tags": list(rule.tags),
                            "difficulty": [rule.difficulty_min, rule.difficulty_max]}
    if rule.types:
        data["types"] = list(rule.types)
    if rule.lesson:
        data["lesson"] = rule.lesson
    if rule.points is not None:
        data["points"] = rule.points
    return data


# --- the live summary ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shortage:
    """A draw (or a section's draws from one bank together) asks for more questions than the bank has that match."""

    section: str
    bank: str  # the bank's title, as people know it
    available: int
    needed: int
    missing_bank: bool = False


@dataclass(frozen=True)
class Summary:
    questions: int
    points_min: float
    points_max: float
    papers: int  # distinct sets of questions the draws allow (1 without draws, 0 when a draw cannot be satisfied)
    shortages: tuple[Shortage, ...]

    @property
    def ok(self) -> bool:
        return not self.shortages

    @property
    def papers_text(self) -> str:
        """The count of papers for people: exact up to a million, then as a power of ten."""
        if self.papers < 1_000_000:
            return str(self.papers)
        exponent = len(str(self.papers)) - 1
        return f"{self.papers / 10 ** exponent:.1f}×10^{exponent}"


def summarize(sections: Sequence[Section], banks: Mapping[str, Sequence[QuestionSpec]],
              bank_titles: Mapping[str, str] | None = None) -> Summary:
    """Questions per paper, total points (a range when drawn questions carry different points), distinct papers
    (the product of C(matching, count) over the draws: an upper bound when two draws of a section overlap) and every
    draw the banks cannot satisfy."""
    titles = bank_titles or {}
    questions, low, high, papers = 0, 0.0, 0.0, 1
    shortages: list[Shortage] = []
    for section in sections:
        questions += len(section.questions)
        fixed = sum(q.points for q in section.questions)
        low, high = low + fixed, high + fixed
        together: dict[str, tuple[set[str], int]] = {}
        for rule in section.draws:
            title = titles.get(rule.bank, rule.bank)
            if rule.bank not in banks:
                shortages.append(Shortage(section.title, title, 0, rule.count, missing_bank=True))
                continue
            pool = [q for q in banks[rule.bank] if rule.matches(q)]
            questions += rule.count
            if len(pool) < rule.count:
                shortages.append(Shortage(section.title, title, len(pool), rule.count))
                papers = 0
                continue
            papers *= math.comb(len(pool), rule.count)
            points = sorted(rule.points if rule.points is not None else q.points for q in pool)
            low, high = low + sum(points[:rule.count]), high + sum(points[-rule.count:])
            keys, needed = together.get(rule.bank, (set(), 0))
            together[rule.bank] = (keys | {q.key for q in pool}, needed + rule.count)
        for bank, (keys, needed) in together.items():
            if len(keys) < needed:  # each draw alone fits, but a paper never repeats a question
                shortages.append(Shortage(section.title, titles.get(bank, bank), len(keys), needed))
                papers = 0
    return Summary(questions=questions, points_min=round(low, 2), points_max=round(high, 2),
                   papers=papers if not shortages else 0, shortages=tuple(shortages))
