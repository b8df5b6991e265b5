"""Attempt rules, pure: drawing a paper, grading it, the clock. No Flask, no SQLAlchemy; ``now`` is passed in.

Scoring and rounding (documented in docs/quizzes.md as well):
- each question earns points by its type (``lms.quizzes.question_types``);
- the score is ``earned / total × max_score`` (max_score 100), rounded **half up to one decimal** using exact
  decimal arithmetic (79.95 → 80.0, 79.94 → 79.9);
- a person passes when the **rounded** score is ≥ the pass score (80): exactly 80 passes, 79.9 fails.

Time:
- the deadline is fixed when the attempt starts: start + time limit + any extra time granted, but never later than
  the window's close (plus that extra time), so a late starter gets less time, not a later window;
- answers and submits are accepted until ``deadline + grace`` inclusive (grace covers the phone's last request on
  a slow network); one moment later they are refused and the server finishes the attempt from its saved answers.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from lms.quizzes.definitions import QuizDefinition
from lms.quizzes.question_types import Answer, QuestionGrade, question_type
from lms.quizzes.rules import MAKEUP_ATTEMPTS
from lms.quizzes.specs import QuestionSpec


class PaperShortage(ValueError):
    """A draw rule asks for more questions than its bank has that match."""


# --- drawing ---------------------------------------------------------------------------------------------------------

def _paper_question(spec: QuestionSpec, *, qid: str, bank: str | None, section: str, points: float,
                    rng: random.Random, shuffle_options: bool) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": qid, "key": spec.key, "bank": bank, "section": section, "type": spec.type, "stem": spec.stem,
        "points": points, "explanation": spec.explanation, "lesson": spec.lesson, "tags": list(spec.tags),
        "options": [], "correct": [], "weights": None, "accepted": list(spec.accepted),
    }
    question.update(question_type(spec.type).to_paper(spec, rng, shuffle_options=shuffle_options))
    return question


def draw_paper(definition: QuizDefinition, banks: dict[str, list[QuestionSpec]], seed: int) -> dict[str, Any]:
    """The questions one person gets, in their order, with the key. Deterministic for a given seed."""
    rng = random.Random(seed)  # noqa: S311 - shuffling a paper, not a secret
    questions: list[dict[str, Any]] = []
    for section in definition.sections:
        chosen: list[dict[str, Any]] = [
            _paper_question(spec, qid=spec.key, bank=None, section=section.title, points=spec.points, rng=rng,
                            shuffle_options=definition.shuffle_options)
            for spec in section.questions
        ]
        taken: set[tuple[str, str]] = set()
        for rule in section.draws:
            pool = [s for s in banks.get(rule.bank, []) if rule.matches(s) and (rule.bank, s.key) not in taken]
            if len(pool) < rule.count:
                raise PaperShortage(
                    f"{rule.source}: bank {rule.bank!r} has {len(pool)} matching questions, {rule.count} needed")
            for spec in rng.sample(sorted(pool, key=lambda s: s.key), rule.count):
                taken.add((rule.bank, spec.key))
                chosen.append(_paper_question(
                    spec, qid=f"{rule.bank}.{spec.key}", bank=rule.bank, section=section.title,
                    points=rule.points if rule.points is not None else spec.points, rng=rng,
                    shuffle_options=definition.shuffle_options))
        if definition.shuffle_questions:
            rng.shuffle(chosen)
        questions.extend(chosen)
    return {"seed": seed, "partial_credit": definition.partial_credit, "questions": questions}


def public_question(question: dict[str, Any]) -> dict[str, Any]:
    """What the browser may see before review: no key, no weights, no explanation."""
    return {
        "id": question["id"], "type": question["type"], "stem": question["stem"], "points": question["points"],
        "section": question["section"], "answer": question_type(question["type"]).answer_kind,
        "options": [{"id": o["id"], "text": o["text"]} for o in question["options"]],
    }


def answer_sheet(paper: dict[str, Any]) -> dict[str, Mapping[str, Any]]:
    """What checking an answer needs of each question on a paper — its type and option ids; no stem, text or key.

    Entries are shared between papers (read-only): thousands of attempts of one test hold a handful of shapes.
    """
    return {q["id"]: _sheet_entry(q["type"], tuple(o["id"] for o in q["options"])) for q in paper["questions"]}


@functools.cache
def _sheet_entry(type_name: str, option_ids: tuple[str, ...]) -> Mapping[str, Any]:
    return MappingProxyType({"type": type_name, "options": tuple(MappingProxyType({"id": i}) for i in option_ids)})


# --- grading ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeResult:
    score: float
    raw_points: float
    total_points: float
    max_score: float
    passed: bool
    per_question: dict[str, QuestionGrade]


def scale_score(earned: float, total: float, max_score: float = 100.0) -> float:
    """``earned / total × max_score`` rounded half up to one decimal, computed in exact decimals."""
    if total <= 0:
        return 0.0
    exact = Decimal(str(earned)) * Decimal(str(max_score)) / Decimal(str(total))
    rounded = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(min(max(rounded, Decimal(0)), Decimal(str(max_score))))


def scaled_points(points: float, total: float, max_score: float = 100.0) -> float:
    """A question's points as a share of the test's max score (what people are shown: a 20-question test out of
    100 shows 5 分 per question whatever its raw points), exact to two decimals, rounded half up."""
    if total <= 0:
        return 0.0
    exact = Decimal(str(points)) * Decimal(str(max_score)) / Decimal(str(total))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def paper_total(paper: dict[str, Any]) -> float:
    """The raw points of a whole paper (the denominator of the score)."""
    return float(sum(float(q["points"]) for q in paper["questions"]))


def is_pass(score: float, pass_score: float) -> bool:
    return score >= pass_score


def grade_paper(paper: dict[str, Any], answers: dict[str, Answer], *, pass_score: float = 80.0,
                max_score: float = 100.0) -> GradeResult:
    partial = bool(paper.get("partial_credit"))
    per_question = {
        q["id"]: question_type(q["type"]).grade(q, answers.get(q["id"]), partial_credit=partial)
        for q in paper["questions"]
    }
    earned = sum(g.points for g in per_question.values())
    total = sum(g.max_points for g in per_question.values())
    score = scale_score(earned, total, max_score)
    return GradeResult(score=score, raw_points=round(earned, 4), total_points=total, max_score=max_score,
                       passed=is_pass(score, pass_score), per_question=per_question)


# --- the clock -------------------------------------------------------------------------------------------------------

def compute_deadline(started_at: datetime, time_limit_seconds: int, *, extra_seconds: int = 0,
                     hard_close: datetime | None = None) -> datetime:
    deadline = started_at + timedelta(seconds=time_limit_seconds + extra_seconds)
    if hard_close is not None:
        deadline = min(deadline, hard_close + timedelta(seconds=extra_seconds))
    return deadline


def accepts_answers(now: datetime, deadline: datetime, grace_seconds: int) -> bool:
    """Answers and submits count until deadline + grace, inclusive."""
    return now <= deadline + timedelta(seconds=grace_seconds)


def remaining_seconds(now: datetime, deadline: datetime) -> int:
    """Whole seconds left on the timer the person sees (rounded up, never negative)."""
    return max(0, math.ceil((deadline - now).total_seconds()))


def review_open(policy: str, *, now: datetime, finished: bool, closes_at: datetime | None) -> bool:
    """May the person see correct answers and explanations? ``closes_at`` is the last close (make-up included)."""
    if not finished or policy == "never":
        return False
    if policy == "immediately":
        return True
    return closes_at is None or now > closes_at


# --- evidence: what took the person away from the page ------------------------------------------------------------

# What the page reports (POST /attempts/<id>/events, and the start request when it comes back to a running attempt).
# Only a real switch, the page hidden and then visible again while the attempt is open, counts toward a test's
# tab_switch_limit and the warning on the result page; a reload, leaving the page, a lost connection and a screen
# that went dark by itself are recorded as what they were.
TAB_SWITCH = "tab_switch"  # hidden, then visible again in the same page: {seconds, idle_seconds}
PAGE_HIDDEN = "page_hidden"  # went out of view: the start of a spell that ends as one of the others
SCREEN_OFF = "screen_off"  # a hidden spell that began after SCREEN_TIMEOUT_SECONDS without a touch or key, with no
#                            screen wake lock held: the screen timed out (or was locked) rather than switched away
PAGE_LEAVE = "page_leave"  # the page was unloaded (reload, a link, back, closing the tab): pagehide
PAGE_RELOAD = "page_reload"  # the page was loaded again by a reload: {away_seconds, hidden_seconds}
PAGE_RETURN = "page_return"  # the page was opened again (a link, back, a new tab): {away_seconds, hidden_seconds}
OFFLINE, ONLINE = "offline", "online"  # the page lost / got back its connection: online has {seconds}
# Kinds from before the split, still accepted from API clients; tab_hidden and fullscreen_exit still count as
# switches (an API client that sends them means one).
LEGACY_CLIENT_KINDS = ("tab_hidden", "tab_visible", "fullscreen_exit", "resumed")
ARRIVAL_KINDS = (PAGE_RELOAD, PAGE_RETURN)
CLIENT_EVENT_KINDS = (TAB_SWITCH, PAGE_HIDDEN, SCREEN_OFF, PAGE_LEAVE, *ARRIVAL_KINDS, OFFLINE, ONLINE,
                      *LEGACY_CLIENT_KINDS)
SWITCH_KINDS = (TAB_SWITCH, "tab_hidden", "fullscreen_exit")
# Every kind that says the person was away from the page in some way (switches included), as opposed to saves,
# the start and the end.
AWAY_EVENT_KINDS = (*SWITCH_KINDS, SCREEN_OFF, PAGE_LEAVE, *ARRIVAL_KINDS, "resumed", OFFLINE)
# Phones turn the screen off after 30 s without a touch at the shortest; the page holds a screen wake lock while a
# test is open, so a spell that begins without one after this long is taken for the screen timing out.
SCREEN_TIMEOUT_SECONDS = 30
MAX_DETAIL_KEYS = 12


def is_switch(kind: str) -> bool:
    return kind in SWITCH_KINDS


def clean_detail(detail: Any) -> dict[str, Any] | None:
    """What the page said about an event, kept as plain values: numbers and booleans as they are, text cut to 200
    characters, at most MAX_DETAIL_KEYS keys; anything else is dropped."""
    if not isinstance(detail, dict):
        return None
    kept: dict[str, Any] = {}
    for key, value in detail.items():
        if len(kept) >= MAX_DETAIL_KEYS or not isinstance(key, str) or len(key) > 40:
            continue
        if isinstance(value, bool | int | float) and (not isinstance(value, float) or math.isfinite(value)):
            kept[key] = value
        elif isinstance(value, str):
            kept[key] = value[:200]
    return kept or None


def event_time(now: datetime, started_at: datetime, delay: Any) -> datetime:
    """When a reported event happened: the page queues what it could not send (offline) and says how many seconds
    ago it happened; never before the attempt started or after now."""
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not math.isfinite(delay) or delay <= 0:
        return now
    return max(started_at, now - timedelta(seconds=delay))


# --- who may start ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StartDecision:
    allowed: bool
    code: str = ""  # not_open | closed | exempt | used_up | retired | not_invited
    makeup: bool = False
    status: int = 403


@dataclass(frozen=True)
class MakeupWindow:
    """A quiz's make-up window as it concerns one person: invited or not (``quizzes.rules.makeup_invited``) and how
    many make-up attempts they have started."""

    opens_at: datetime
    closes_at: datetime
    invited: bool
    used: int = 0


def decide_start(  # noqa: PLR0911 - one early return per reason, in the order people read them
    *, now: datetime, opens_at: datetime | None, closes_at: datetime | None, makeup: MakeupWindow | None,
                 attempts_used: int, attempts_allowed: int | None, exempt: bool, retired: bool) -> StartDecision:
    """May a person start now? In the regular window while attempts are left (``attempts_used`` counts the regular
    window's); in the make-up window only if invited, once."""
    if retired:
        return StartDecision(False, "retired")
    if exempt:
        return StartDecision(False, "exempt")
    if opens_at is not None and now < opens_at:
        return StartDecision(False, "not_open")
    if closes_at is None or now <= closes_at:
        if attempts_allowed is not None and attempts_used >= attempts_allowed:
            return StartDecision(False, "used_up", status=409)
        return StartDecision(True)
    if makeup is not None and makeup.opens_at <= now <= makeup.closes_at:
        if not makeup.invited:
            return StartDecision(False, "not_invited")
        if makeup.used >= MAKEUP_ATTEMPTS:
            return StartDecision(False, "used_up", status=409)
        return StartDecision(True, makeup=True)
    if attempts_allowed is not None and attempts_used >= attempts_allowed:
        return StartDecision(False, "used_up", status=409)
    return StartDecision(False, "closed")


def last_close(closes_at: datetime | None, makeup_closes_at: datetime | None) -> datetime | None:
    if closes_at is None:
        return None
    return max(closes_at, makeup_closes_at) if makeup_closes_at else closes_at


# --- the wrong-answer book -------------------------------------------------------------------------------------------

# An item leaves the book when the person answers it right in practice on this many different days in a row (a right
# answer right after the key was shown proves little; one the next day does), or marks it mastered themselves.
MASTERY_DAYS = 2


@dataclass(frozen=True)
class Practice:
    """Where a person stands with one item of their wrong-answer book."""

    correct_days: int = 0
    last_correct_on: date | None = None
    mastered: bool = False


def after_practice(before: Practice, *, correct: bool, today: date) -> Practice:
    """One practice answer: a right one counts once a day, a wrong one starts the count over; MASTERY_DAYS days
    with a right answer master the item (and it stays mastered until a newer wrong answer in a test)."""
    if not correct:
        return Practice(0, None, before.mastered)
    if before.last_correct_on == today:
        return before
    days = before.correct_days + 1
    return Practice(days, today, before.mastered or days >= MASTERY_DAYS)


def correct_answer_texts(question: Mapping[str, Any]) -> list[str]:
    """The right answer in words, as the person saw the options: the texts of the right options (正确 / 错误 for a
    true-or-false question), or the accepted answers of a fill-in; never the option letters."""
    return question_type(question["type"]).correct_texts(question)
