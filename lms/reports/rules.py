"""The statistics behind the reports, pure: pass rates, score distributions, trends, risk, item analysis and the
point-to-point suggestion test. No Flask, no SQLAlchemy; settings and ``now`` are passed in.

Definitions (shown to trainers on the analysis page as well):
- **pass rate** = passed ÷ assessed, where *assessed* is PASS + FAIL + ABSENT (exempt and voided results are not
  assessed). Absent people count as not passing, as the assessment rules count them.
- **average** = the mean score of the people who sat the test (absentees have no score and are left out).
- **facility index** (难度系数 P) of a question = the mean share of its points the attempts earned (for a
  right-or-wrong question: the share who got it right). 1.0 = everybody right, 0.0 = nobody.
- **discrimination index** (区分度 D), Kelley's upper/lower 27 % method: rank attempts by total score (ties keep
  the caller's order, which callers make deterministic), take the top and bottom ⌈27 % × N⌉ (at least 1, never
  overlapping), D = facility in the upper group − facility in the lower group. It needs at least 4 attempts.
  Rough reading: ≥ 0.4 good, 0.2–0.4 acceptable, < 0.2 poor, negative = the question misleads strong people
  (often a wrong key).
- **trend** = the least-squares slope of a series (pass rate in percentage points per period).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PASS, FAIL, ABSENT, EXEMPT, VOID = "PASS", "FAIL", "ABSENT", "EXEMPT", "VOID"
ASSESSED = (PASS, FAIL, ABSENT)

UPPER_LOWER_FRACTION = 0.27
MIN_ATTEMPTS_FOR_DISCRIMINATION = 4

# Risk classes on the supervisor's board.
PENALTY_DUE, AT_RISK, NOT_AT_RISK = "penalty_due", "at_risk", "ok"
RISK_LABELS = {PENALTY_DUE: "连续不及格（罚款）", AT_RISK: "上期不及格（本期高风险）", NOT_AT_RISK: "正常"}

# Where a person stands in the current period's test.
NOT_STARTED, IN_PROGRESS, PASSED, FAILED, EXEMPTED = "not_started", "in_progress", "passed", "failed", "exempt"
ABSENT_STATE = "absent"
STATE_LABELS = {NOT_STARTED: "未参加", IN_PROGRESS: "作答中", PASSED: "及格", FAILED: "不及格",
                ABSENT_STATE: "缺考", EXEMPTED: "免考/作废"}

IMPROVING, DECLINING, STEADY = "improving", "declining", "steady"
TREND_LABELS = {IMPROVING: "上升", DECLINING: "下降", STEADY: "平稳"}


# --- pass rate and average --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts for a group of outcomes (a unit, a period) and the sum of the scores of those who sat."""

    passed: int = 0
    failed: int = 0
    absent: int = 0
    excused: int = 0  # exempt or void
    score_sum: float = 0.0
    scored: int = 0

    @property
    def assessed(self) -> int:
        return self.passed + self.failed + self.absent

    @property
    def total(self) -> int:
        return self.assessed + self.excused

    @property
    def pass_rate(self) -> float | None:
        return pass_rate(self.passed, self.assessed)

    @property
    def average(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.passed + other.passed, self.failed + other.failed, self.absent + other.absent,
                     self.excused + other.excused, self.score_sum + other.score_sum, self.scored + other.scored)


def pass_rate(passed: int, assessed: int) -> float | None:
    """Share passing (0..1); None when nobody was assessed (a rate of nothing is not 0 %)."""
    if assessed <= 0:
        return None
    return passed / assessed


def tally_of(status: str, count: int, score_sum: float | None = None, scored: int = 0) -> Tally:
    """A Tally from one grouped row (status, how many, sum and count of their scores)."""
    total = float(score_sum or 0.0)
    if status == PASS:
        return Tally(passed=count, score_sum=total, scored=scored)
    if status == FAIL:
        return Tally(failed=count, score_sum=total, scored=scored)
    if status == ABSENT:
        return Tally(absent=count)
    return Tally(excused=count)


def total_tally(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result = result + tally
    return result


# --- score distribution -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    label: str
    lower: float
    upper: float  # exclusive, except the last bin, which includes 100
    count: int


BIN_EDGES = (0, 60, 70, 80, 90, 100)


def bin_index(score: float) -> int:
    """The distribution bin of a score: 0–59.9, 60–69.9, 70–79.9, 80–89.9, 90–100. 80 falls in the pass bins."""
    for index in range(len(BIN_EDGES) - 2, -1, -1):
        if score >= BIN_EDGES[index]:
            return index
    return 0


def histogram(counts: Mapping[int, int]) -> list[Bin]:
    """Bins from {bin index: count}; every bin is present, empty ones with 0."""
    bins = []
    for index in range(len(BIN_EDGES) - 1):
        lower, upper = BIN_EDGES[index], BIN_EDGES[index + 1]
        label = f"{lower}–{upper}" if index == len(BIN_EDGES) - 2 else f"{lower}–{upper - 0.1:g}"
        bins.append(Bin(label, lower, upper, int(counts.get(index, 0))))
    return bins


def histogram_of(scores: Iterable[float]) -> list[Bin]:
    counts: dict[int, int] = {}
    for score in scores:
        index = bin_index(score)
        counts[index] = counts.get(index, 0) + 1
    return histogram(counts)


# --- trends -------------------------------------------------------------------------------------------------------


def slope(values: Sequence[float | None]) -> float | None:
    """Least-squares slope per step of the known values (gaps skipped, positions kept); None with fewer than 2."""
    points = [(float(i), float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    if denominator == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator


def classify_trend(values: Sequence[float | None], *, threshold: float) -> str:
    """Improving / declining when the slope is at least ``threshold`` (per period, same unit as the values)."""
    found = slope(values)
    if found is None or abs(found) < threshold:
        return STEADY
    return IMPROVING if found > 0 else DECLINING


def months_back(period: str, count: int) -> list[str]:
    """The ``count`` periods ending with ``period``, oldest first (``2026-02``, 3 → 2025-12, 2026-01, 2026-02)."""
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


# --- risk (the assessment's R2 run, read back) --------------------------------------------------------------------


def counts_as_fail(status: str, *, absent_counts_as_fail: bool) -> bool:
    return status == FAIL or (status == ABSENT and absent_counts_as_fail)


def fail_run(statuses: Iterable[str], *, absent_counts_as_fail: bool = True) -> int:
    """The length of the fail run at the end of a person's outcomes (oldest first), as R2 counts it: a fail
    extends the run, a pass ends it, exempt and void (and absence, when it does not count) are skipped."""
    run = 0
    for status in statuses:
        if counts_as_fail(status, absent_counts_as_fail=absent_counts_as_fail):
            run += 1
        elif status == PASS:
            run = 0
    return run


def classify_risk(latest: str | None, previous_deciding: str | None, *, absent_counts_as_fail: bool = True) -> str:
    """From the latest closed outcome and the deciding outcome before it: two fails in a row → the penalty was due
    (another fail costs another 200 yuan); one fail → at risk (the next fail costs 200 yuan)."""
    if latest is None or not counts_as_fail(latest, absent_counts_as_fail=absent_counts_as_fail):
        return NOT_AT_RISK
    if previous_deciding is not None and counts_as_fail(previous_deciding,
                                                        absent_counts_as_fail=absent_counts_as_fail):
        return PENALTY_DUE
    return AT_RISK


def current_state(*, exempt: bool, passed: bool, finished: bool, running: bool) -> str:
    """Where a person stands in an open period: exempt, passed (any passing attempt), failed so far, taking the test
    now, or not started."""
    if exempt:
        return EXEMPTED
    if passed:
        return PASSED
    if finished:
        return FAILED
    if running:
        return IN_PROGRESS
    return NOT_STARTED


def state_of_outcome(status: str) -> str:
    """The same states for a closed period, from its outcome."""
    return {PASS: PASSED, FAIL: FAILED, ABSENT: ABSENT_STATE}.get(status, EXEMPTED)


def days_left(seconds_left: float) -> int:
    """Whole days left in a window, rounded up (a window closing in 3 hours has 1 day left); never negative."""
    return max(0, math.ceil(seconds_left / 86400))


@dataclass(frozen=True)
class OpenWindow:
    """A test's window that is open now: until when, and whether it is the make-up window (only people without an
    attempt may start then)."""

    closes_at: datetime | None  # None: no closing time
    makeup: bool


def open_window(now: datetime, *, opens_at: datetime | None, closes_at: datetime | None,
                makeup_opens_at: datetime | None, makeup_closes_at: datetime | None) -> OpenWindow | None:
    """The window a manager could start the test in now, or None; the same bounds as the attempts domain's
    ``decide_start`` (inclusive, make-up after the regular window)."""
    if opens_at is not None and now < opens_at:
        return None
    if closes_at is None or now <= closes_at:
        return OpenWindow(closes_at, makeup=False)
    if makeup_opens_at is not None and makeup_closes_at is not None and makeup_opens_at <= now <= makeup_closes_at:
        return OpenWindow(makeup_closes_at, makeup=True)
    return None


def default_board_period(current: str, with_tests: Iterable[str]) -> str:
    """The period the board and the home panel open on: this month when it has a monthly test, else the latest
    earlier period that had one (early in a month before its test is published, or a month without a test), else
    this month."""
    earlier = [p for p in with_tests if p <= current]
    if current in earlier or not earlier:
        return current
    return max(earlier)


# --- item analysis ------------------------------------------------------------------------------------------------


def points_share(outcome: Mapping[str, Any]) -> float:
    """The share of a question's points one graded attempt earned (0..1), from its outcome in the attempt's results
    (``{"earned", "points"}``); 0 for a question worth no points. What the facility index is the mean of."""
    possible = float(outcome.get("points") or 0)
    return float(outcome.get("earned") or 0) / possible if possible else 0.0


def facility_index(shares: Sequence[float]) -> float | None:
    """Mean share of a question's points earned (each item 0..1); None without attempts."""
    if not shares:
        return None
    return sum(shares) / len(shares)


def group_size(count: int, fraction: float = UPPER_LOWER_FRACTION) -> int:
    """Size of the upper and of the lower group: ⌈fraction × N⌉, at least 1, at most ⌊N ÷ 2⌋."""
    return min(max(1, math.ceil(fraction * count - 1e-9)), count // 2)


def discrimination_index(rows: Sequence[tuple[float, float]], fraction: float = UPPER_LOWER_FRACTION
                         ) -> float | None:
    """Kelley's D from (total score, share of this question's points) per attempt; None below 4 attempts."""
    if len(rows) < MIN_ATTEMPTS_FOR_DISCRIMINATION:
        return None
    ordered = sorted(enumerate(rows), key=lambda item: (-item[1][0], item[0]))
    size = group_size(len(rows), fraction)
    upper = [share for _, (_, share) in ordered[:size]]
    lower = [share for _, (_, share) in ordered[-size:]]
    return sum(upper) / size - sum(lower) / size


def discrimination_label(value: float | None) -> str:
    if value is None:
        return "样本不足"
    if value < 0:
        return "反向（请检查答案）"
    if value < 0.2:
        return "差"
    if value < 0.4:
        return "尚可"
    return "好"


def facility_label(value: float | None) -> str:
    if value is None:
        return ""
    if value < 0.3:
        return "很难"
    if value < 0.7:
        return "适中"
    if value < 0.9:
        return "较易"
    return "很易"


@dataclass(frozen=True)
class ItemResponse:
    """One attempt's answer to one question: what it chose (source option indexes) and what it earned."""

    attempt_total: float
    share: float  # points earned ÷ points possible, 0..1
    chosen: tuple[int, ...] = ()  # source option indexes (authoring order), empty when blank
    text: str | None = None


@dataclass(frozen=True)
class ItemStats:
    key: str
    responses: int
    facility: float | None
    discrimination: float | None
    option_counts: tuple[int, ...]  # per source option
    blank: int

    @property
    def facility_label(self) -> str:
        return facility_label(self.facility)

    @property
    def discrimination_label(self) -> str:
        return discrimination_label(self.discrimination)


def analyse_item(key: str, responses: Sequence[ItemResponse], option_count: int) -> ItemStats:
    counts = [0] * option_count
    blank = 0
    for response in responses:
        if not response.chosen and not (response.text or "").strip():
            blank += 1
        for index in response.chosen:
            if 0 <= index < option_count:
                counts[index] += 1
    return ItemStats(
        key=key, responses=len(responses), facility=facility_index([r.share for r in responses]),
        discrimination=discrimination_index([(r.attempt_total, r.share) for r in responses]),
        option_counts=tuple(counts), blank=blank)


# --- point-to-point suggestions (R6) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionSettings:
    unit_pass_rate: float = 0.8  # a grid below this pass rate in the latest period is suggested
    person_pass_rate: float = 0.5  # a person below this pass rate over the window is suggested
    trend_drop: float = 5.0  # percentage points per period; a steeper decline is suggested
    window: int = 6  # closed periods looked at
    min_assessed: int = 3  # a grid with fewer assessed people is too small to judge by its rate


@dataclass(frozen=True)
class Suggestion:
    reasons: tuple[str, ...]
    latest_rate: float | None
    trend: float | None


def suggest(rates: Sequence[float | None], latest_assessed: int, settings: SuggestionSettings, *,
            rate_line: float) -> Suggestion | None:
    """Should this grid (or person) get point-to-point training? ``rates`` are pass rates (0..1), oldest first."""
    reasons = []
    latest = next((r for r in reversed(rates) if r is not None), None)
    if latest is not None and latest < rate_line and latest_assessed >= settings.min_assessed:
        reasons.append(f"合格率 {latest * 100:.0f}% 低于 {rate_line * 100:.0f}%")
    trend = slope([r * 100 if r is not None else None for r in rates])
    if trend is not None and trend <= -settings.trend_drop:
        drop = f"{-trend:.1f}".removesuffix(".0")  # 10, not 10.0; 7.5 as it is
        reasons.append(f"合格率每期下降 {drop} 个百分点")
    if not reasons:
        return None
    return Suggestion(tuple(reasons), latest, trend)


def suggestion_settings(settings: Mapping[str, Any]) -> SuggestionSettings:
    """From the app's settings (``LMS_REPORTS_*``, environment values arrive as text); missing keys keep defaults."""
    defaults = SuggestionSettings()
    return SuggestionSettings(
        unit_pass_rate=float(settings.get("LMS_REPORTS_GRID_PASS_RATE", defaults.unit_pass_rate)),
        person_pass_rate=float(settings.get("LMS_REPORTS_PERSON_PASS_RATE", defaults.person_pass_rate)),
        trend_drop=float(settings.get("LMS_REPORTS_TREND_DROP", defaults.trend_drop)),
        window=max(2, int(settings.get("LMS_REPORTS_WINDOW", defaults.window))),
        min_assessed=int(settings.get("LMS_REPORTS_MIN_ASSESSED", defaults.min_assessed)),
    )


