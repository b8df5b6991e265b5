"""The assessment rules (docs/domain.md, "Assessment": R2, R3, R7, R8) as pure functions. No Flask, no SQLAlchemy;
the policy and ``now`` are passed in, so every consequence can be recomputed from the stored outcomes alone.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lms.core.settings import setting

# --- outcomes of one person in one period -----------------------------------------------------------------------

PASS, FAIL, ABSENT, EXEMPT, VOID = "PASS", "FAIL", "ABSENT", "EXEMPT", "VOID"
OUTCOMES = (PASS, FAIL, ABSENT, EXEMPT, VOID)
OUTCOME_LABELS = {PASS: "及格", FAIL: "不及格", ABSENT: "缺考", EXEMPT: "免考", VOID: "成绩作废"}

# --- ledger kinds (docs/domain.md, "The ledger") -----------------------------------------------------------------

CRITICISM, CASH_PENALTY, DEDUCTION = "criticism", "cash_penalty", "deduction"
YELLOW_CARD, REWARD = "yellow_card", "reward"
IMPROVEMENT_PLAN, POST_ADJUSTMENT, REVERSAL = "improvement_plan", "post_adjustment", "reversal"
LEDGER_KINDS = (CRITICISM, CASH_PENALTY, DEDUCTION, YELLOW_CARD, REWARD, IMPROVEMENT_PLAN, POST_ADJUSTMENT, REVERSAL)
KIND_LABELS = {
    CRITICISM: "通报批评", CASH_PENALTY: "现金处罚", DEDUCTION: "执行力扣分", YELLOW_CARD: "黄牌警告",
    REWARD: "奖励", IMPROVEMENT_PLAN: "重点提升", POST_ADJUSTMENT: "岗位调整建议", REVERSAL: "冲销（申诉成立）",
}
# Kinds the monthly close writes; the others are written by people (deduction, reversal).
CLOSE_KINDS = (CRITICISM, CASH_PENALTY, YELLOW_CARD, REWARD, IMPROVEMENT_PLAN, POST_ADJUSTMENT)

FIRST_FAIL_CRITICISM, FIRST_FAIL_NONE = "criticism", "none"
RANK_BY_COUNTY, RANK_BY_CITY = "county", "city"

# The three systems of R3 (系统操作).
SYSTEMS = {
    "channel": "社会渠道管理系统",
    "b2b": "终端订货系统（B2B）",
    "daily": "日常业务查询",
}

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Rule:
    """Which rule wrote an entry, and which version of its wording/logic; stored on every ledger entry."""

    code: str
    version: int
    label: str


RULE_FIRST_FAIL = Rule("R2-first-fail", 1, "首次不及格：通报批评")
RULE_CONSECUTIVE_FAIL = Rule("R2-consecutive-fail", 1, "连续两个月及以上不及格：现金处罚")
RULE_SYSTEM_OPS = Rule("R3-system-ops", 1, "培训后仍不会系统操作：执行力基础管理扣分")
RULE_BOTTOM_N = Rule("R7-bottom-n", 1, "月度排名倒数：黄牌警告")
RULE_TOP_N = Rule("R7-top-n", 1, "月度排名前列：奖励")
RULE_QUARTER_CARDS = Rule("R8-quarter-cards", 1, "一个季度内黄牌达到次数：下季度重点提升")
RULE_CONSECUTIVE_QUARTERS = Rule("R8-consecutive-quarters", 1, "连续两个季度黄牌：岗位调整建议")
RULE_APPEAL = Rule("appeal", 1, "申诉成立：冲销原记录")
RULE_REGRADE = Rule("regrade", 1, "更正答案后重新评定：冲销不再成立的记录，补记新成立的记录")
RULES = {rule.code: rule for rule in (
    RULE_FIRST_FAIL, RULE_CONSECUTIVE_FAIL, RULE_SYSTEM_OPS, RULE_BOTTOM_N, RULE_TOP_N, RULE_QUARTER_CARDS,
    RULE_CONSECUTIVE_QUARTERS, RULE_APPEAL, RULE_REGRADE)}


def rule_label(code: str) -> str:
    """What people read for a stored rule code (the code itself is for payroll and the API)."""
    rule = RULES.get(code)
    return rule.label if rule is not None else code


# The reason every reversal written by a regrade's reconciliation carries (the regrade itself is in its evidence).
REGRADE_REASON = "更正答案后重新评定"


@dataclass(frozen=True)
class Policy:
    """The settings the rules read; what each changes and its default: docs/domain.md, "Assessment"."""

    pass_score: float = 80.0
    max_score: float = 100.0
    first_fail_action: str = FIRST_FAIL_CRITICISM
    consecutive_fail_penalty_yuan: int = 200
    system_ops_deduction_points: float = 2.0
    absent_counts_as_fail: bool = True
    # A make-up pass (补考) decides the month like any official attempt; off: the regular window's result stands.
    makeup_clears_fail: bool = True
    yellow_card_bottom_n: int = 3
    reward_top_n: int = 3
    window_first_day: int = 1
    window_last_day: int = 8
    grace_seconds: int = 60
    # People who join after the test window opened are not assigned that month's test unless this is on.
    assign_late_joiners: bool = False
    ranking_scope: str = RANK_BY_COUNTY
    # Yellow cards within one calendar quarter that make the next quarter a focused-improvement quarter.
    quarter_yellow_cards: int = 2
    # 县区自主考核: when allowed (and people rank within their county), a county's imported process indicators
    # count with its own weight in the unified score; {county id (text): weight}, 1 where none is set.
    county_weights_allowed: bool = False
    county_indicator_weights: Mapping[str, float] = field(default_factory=dict)
    # Which version of the policy this is (lms.assessment.policy_versions); 0: the settings' defaults.
    version: int = 0

    def indicator_weight(self, county_id: int | None) -> float:
        """How much a county's imported indicators count (1 unless the policy lets counties weigh their own)."""
        if not self.county_weights_allowed or self.ranking_scope != RANK_BY_COUNTY or county_id is None:
            return 1.0
        return float(self.county_indicator_weights.get(str(county_id), 1.0))

    @classmethod
    def from_stored(cls, values: Mapping[str, Any]) -> Policy:
        """A policy as a closed period or a policy version stored it (keys it does not know are left out)."""
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Policy:
        def get(key: str, default: Any) -> Any:
            return setting(settings, key, default)

        defaults = cls()
        return cls(
            pass_score=get("LMS_PASS_SCORE", defaults.pass_score),
            max_score=get("LMS_MAX_SCORE", defaults.max_score),
            first_fail_action=get("LMS_FIRST_FAIL_ACTION", defaults.first_fail_action),
            consecutive_fail_penalty_yuan=get("LMS_CONSECUTIVE_FAIL_PENALTY_YUAN",
                                              defaults.consecutive_fail_penalty_yuan),
            system_ops_deduction_points=get("LMS_SYSTEM_OPS_DEDUCTION_POINTS", defaults.system_ops_deduction_points),
            absent_counts_as_fail=get("LMS_ABSENT_COUNTS_AS_FAIL", defaults.absent_counts_as_fail),
            makeup_clears_fail=get("LMS_MAKEUP_CLEARS_FAIL", defaults.makeup_clears_fail),
            yellow_card_bottom_n=get("LMS_YELLOW_CARD_BOTTOM_N", defaults.yellow_card_bottom_n),
            reward_top_n=get("LMS_REWARD_TOP_N", defaults.reward_top_n),
            window_first_day=get("LMS_WINDOW_FIRST_DAY", defaults.window_first_day),
            window_last_day=get("LMS_WINDOW_LAST_DAY", defaults.window_last_day),
            grace_seconds=get("LMS_GRACE_SECONDS", defaults.grace_seconds),
            assign_late_joiners=get("LMS_ASSIGN_LATE_JOINERS", defaults.assign_late_joiners),
            ranking_scope=get("LMS_RANKING_SCOPE", defaults.ranking_scope),
            quarter_yellow_cards=get("LMS_QUARTER_YELLOW_CARDS", defaults.quarter_yellow_cards),
        )


# Which policy applies to a period: the one a closed period was closed with, the version in force for an open one.
PolicyFor = Callable[[str], Policy]


def policy_lookup(policy: Policy | PolicyFor) -> PolicyFor:
    """One policy for every period, or a lookup by period, as a lookup."""
    if isinstance(policy, Policy):
        return lambda _period: policy
    return policy


# --- the policy as versioned data (lms.assessment.policy_versions) -----------------------------------------------

# What an administrator may change in a new version, with what people read for it. The pass line and the window
# belong to each test (its version); the grace period to the player; they stay settings.
POLICY_FIELDS: dict[str, str] = {
    "first_fail_action": "首次不及格的处理",
    "consecutive_fail_penalty_yuan": "连续不及格现金处罚（元）",
    "absent_counts_as_fail": "缺考按不及格计",
    "makeup_clears_fail": "补考通过计入本月结果",
    "system_ops_deduction_points": "系统操作不会用扣分",
    "yellow_card_bottom_n": "黄牌人数（排名末位）",
    "reward_top_n": "奖励人数（排名前列）",
    "quarter_yellow_cards": "一季度几张黄牌进入重点提升",
    "ranking_scope": "排名范围",
    "assign_late_joiners": "窗口开放后入职的人员也参加当月考试",
    "county_weights_allowed": "允许县区自定过程指标权重（县区自主考核）",
    "county_indicator_weights": "各县区过程指标权重",
}
FIRST_FAIL_LABELS = {FIRST_FAIL_CRITICISM: "通报批评", FIRST_FAIL_NONE: "不处理"}
RANKING_SCOPE_LABELS = {RANK_BY_COUNTY: "县区内排名", RANK_BY_CITY: "全市排名"}


def check_policy_values(values: Mapping[str, Any]) -> list[str]:
    """What is wrong with a new version's values (empty when they can be saved)."""
    problems = []
    if values.get("first_fail_action") not in FIRST_FAIL_LABELS:
        problems.append("首次不及格的处理只能是通报批评或不处理")
    if values.get("ranking_scope") not in RANKING_SCOPE_LABELS:
        problems.append("排名范围只能是县区或全市")
    bounds = {"consecutive_fail_penalty_yuan": (0, 100_000), "system_ops_deduction_points": (0, 100),
              "yellow_card_bottom_n": (0, 100), "reward_top_n": (0, 100), "quarter_yellow_cards": (1, 3)}
    for key, (low, high) in bounds.items():
        value = values.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            problems.append(f"{POLICY_FIELDS[key]}须在 {low} 到 {high} 之间")
    weights = values.get("county_indicator_weights") or {}
    if not isinstance(weights, Mapping) or any(
            isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 10 for w in weights.values()):
        problems.append("各县区过程指标权重须在 0 到 10 之间")
    if weights and values.get("ranking_scope") != RANK_BY_COUNTY:
        problems.append("只有在县区内排名时，县区才能自定过程指标权重")
    for key in ("absent_counts_as_fail", "makeup_clears_fail", "assign_late_joiners", "county_weights_allowed"):
        if not isinstance(values.get(key), bool):
            problems.append(f"{POLICY_FIELDS[key]}须为是或否")
    return problems


def policy_differences(old: Policy, new: Policy) -> list[tuple[str, Any, Any]]:
    """(field, old value, new value) of every editable field that differs."""
    return [(key, getattr(old, key), getattr(new, key)) for key in POLICY_FIELDS
            if getattr(old, key) != getattr(new, key)]


# --- periods and quarters ---------------------------------------------------------------------------------------


def is_period(text: str) -> bool:
    return bool(PERIOD_RE.match(text or ""))


def quarter_of(period: str) -> str:
    """``2026-11`` → ``2026Q4`` (calendar quarters)."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year}Q{(month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[5])
    return f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"


def next_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[5])
    return f"{year + 1}Q1" if number == 4 else f"{year}Q{number + 1}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def is_window_open(closes_at: datetime | None, *, now: datetime, grace_seconds: int) -> bool:
    """A test window still accepts answers until its close plus the grace for late submits."""
    if closes_at is None:
        return True  # a monthly test without a closing time never closes by itself: refuse to settle it
    return now < closes_at + timedelta(seconds=grace_seconds)


# --- outcome of one person ----------------------------------------------------------------------------------------


def is_passing(score: float, pass_score: float) -> bool:
    """Exactly the pass line passes; the score is compared at two decimals so 4/5 × 100 = 79.99999… is 80."""
    return round(score, 2) >= pass_score


def decide_outcome(*, accommodation: str | None, score: float | None, pass_score: float) -> str:
    """PASS/FAIL from the best official score, ABSENT without one; an exemption or a voided result wins."""
    if accommodation == "void":
        return VOID
    if accommodation == "exempt":
        return EXEMPT
    if score is None:
        return ABSENT
    return PASS if is_passing(score, pass_score) else FAIL


def counts_as_fail(outcome: str, policy: Policy) -> bool:
    return outcome == FAIL or (outcome == ABSENT and policy.absent_counts_as_fail)


def fail_outcomes(*, absent_counts_as_fail: bool) -> tuple[str, ...]:
    """Outcomes that count as a fail (R2)."""
    return (FAIL, ABSENT) if absent_counts_as_fail else (FAIL,)


def deciding_outcomes(*, absent_counts_as_fail: bool) -> tuple[str, ...]:
    """Outcomes that decide a fail run; the others (exempt, void, uncounted absence) neither break nor extend it."""
    return (PASS, *fail_outcomes(absent_counts_as_fail=absent_counts_as_fail))


# --- entries the rules write --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedEntry:
    """One ledger entry a rule asks for. ``key`` makes writing it idempotent."""

    period: str
    user_id: int
    kind: str
    rule: Rule
    reason: str
    amount_yuan: int | None = None
    points: float | None = None

    @property
    def key(self) -> str:
        return f"{self.period}:user:{self.user_id}:{self.kind}"


def fail_run_entries(user_id: int, history: Sequence[tuple[str, str]],
                     policy: Policy | PolicyFor) -> list[PlannedEntry]:
    """R2 over one person's outcomes, oldest first, one item per period that had a monthly test.

    The first fail of a run → criticism; every fail that makes the run two or longer → the cash penalty. A pass
    ends the run; exempt and void (and absent, when absence does not count as a fail) neither break nor extend
    it. A period without a test is simply not in ``history``, so it is skipped.
    """
    entries: list[PlannedEntry] = []
    run = 0
    policy_of = policy_lookup(policy)
    for period, outcome in history:
        policy = policy_of(period)  # each period as the policy of that period reads it
        if counts_as_fail(outcome, policy):
            run += 1
            what = "缺考（按不及格计）" if outcome == ABSENT else "月考不及格"
            if run == 1 and policy.first_fail_action == FIRST_FAIL_CRITICISM:
                entries.append(PlannedEntry(period, user_id, CRITICISM, RULE_FIRST_FAIL,
                                            f"{period} {what}，首次不及格，通报批评"))
            elif run >= 2 and policy.consecutive_fail_penalty_yuan:
                entries.append(PlannedEntry(
                    period, user_id, CASH_PENALTY, RULE_CONSECUTIVE_FAIL,
                    f"{period} {what}，连续第{run}个月不及格，现金处罚{policy.consecutive_fail_penalty_yuan}元",
                    amount_yuan=policy.consecutive_fail_penalty_yuan))
        elif outcome == PASS:
            run = 0
    return entries


# --- ranking (R7) -------------------------------------------------------------------------------------------------

TOP, BOTTOM = "top", "bottom"


@dataclass(frozen=True)
class RankInput:
    user_id: int
    employee_no: str
    group: int | None  # the county (or None when the whole city ranks together)
    outcome: str
    test_score: float | None
    deductions: float = 0.0  # points off, a positive number
    indicators: float = 0.0  # imported from the wider assessment, signed
    submitted_at: datetime | None = None

    @property
    def unified_score(self) -> float:
        return round((self.test_score or 0.0) - self.deductions + self.indicators, 2)


@dataclass(frozen=True)
class RankResult:
    user_id: int
    group: int | None
    position: int
    group_size: int
    unified_score: float
    band: str | None  # TOP, BOTTOM or None


def band_sizes(size: int, policy: Policy) -> tuple[int, int]:
    """(top, bottom) for a group; fewer people than both bands need → both shrink to ⌊size ÷ 2⌋."""
    top, bottom = policy.reward_top_n, policy.yellow_card_bottom_n
    if size < top + bottom:
        top, bottom = min(top, size // 2), min(bottom, size // 2)
    return top, bottom


def rank_sort_key(row: RankInput) -> tuple[Any, ...]:
    """Absentees last; then unified score, test score, earlier submission, employee number (documented ties)."""
    submitted = row.submitted_at.timestamp() if row.submitted_at is not None else math.inf
    return (row.outcome == ABSENT, -row.unified_score, -(row.test_score or 0.0), submitted, row.employee_no)


def is_ranked(outcome: str) -> bool:
    return outcome in (PASS, FAIL, ABSENT)


def rank_group(rows: Iterable[RankInput], policy: Policy) -> list[RankResult]:
    ranked = sorted((r for r in rows if is_ranked(r.outcome)), key=rank_sort_key)
    size = len(ranked)
    top, bottom = band_sizes(size, policy)
    results = []
    for index, row in enumerate(ranked):
        position = index + 1
        band = TOP if position <= top else BOTTOM if position > size - bottom else None
        results.append(RankResult(row.user_id, row.group, position, size, row.unified_score, band))
    return results


def rank_period(rows: Iterable[RankInput], policy: Policy) -> list[RankResult]:
    groups: dict[int | None, list[RankInput]] = defaultdict(list)
    for row in rows:
        groups[row.group if policy.ranking_scope == RANK_BY_COUNTY else None].append(row)
    results: list[RankResult] = []
    for group in sorted(groups, key=lambda g: (g is None, g or 0)):
        results.extend(rank_group(groups[group], policy))
    return results


def ranking_entries(period: str, results: Iterable[RankResult], policy: Policy) -> list[PlannedEntry]:
    scope = "县区" if policy.ranking_scope == RANK_BY_COUNTY else "全市"
    entries = []
    for r in results:
        place = f"{period} {scope}排名第{r.position}/{r.group_size}名"
        if r.band == BOTTOM:
            entries.append(PlannedEntry(period, r.user_id, YELLOW_CARD, RULE_BOTTOM_N, f"{place}（倒数），黄牌警告"))
        elif r.band == TOP:
            entries.append(PlannedEntry(period, r.user_id, REWARD, RULE_TOP_N, f"{place}（前列），给予奖励"))
    return entries


# --- quarterly (R8) -----------------------------------------------------------------------------------------------


def quarter_entries(user_id: int, card_periods: Iterable[str], policy: Policy) -> list[PlannedEntry]:
    """From the periods in which a person got a yellow card: the card that reaches the quarter's threshold writes
    ``improvement_plan`` (for the next quarter) in its period; when the previous calendar quarter reached it too,
    a ``post_adjustment`` recommendation is written alongside."""
    entries: list[PlannedEntry] = []
    counts: dict[str, int] = defaultdict(int)
    met: set[str] = set()
    for period in sorted(set(card_periods)):
        quarter = quarter_of(period)
        counts[quarter] += 1
        if counts[quarter] != policy.quarter_yellow_cards:
            continue
        met.add(quarter)
        entries.append(PlannedEntry(
            period, user_id, IMPROVEMENT_PLAN, RULE_QUARTER_CARDS,
            f"{quarter} 季度内第{counts[quarter]}张黄牌，{next_quarter(quarter)} 为重点提升季度"))
        if previous_quarter(quarter) in met:
            entries.append(PlannedEntry(
                period, user_id, POST_ADJUSTMENT, RULE_CONSECUTIVE_QUARTERS,
                f"{previous_quarter(quarter)}、{quarter} 连续两个季度黄牌警告，建议岗位调整（待市级主管确认）"))
    return entries


# --- one period, and the whole history --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeFact:
    """What is stored about one person in one closed period: enough to recompute every rule."""

    user_id: int
    employee_no: str
    group: int | None
    outcome: str
    score: float | None = None
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class PeriodFacts:
    period: str
    outcomes: Sequence[OutcomeFact]
    deductions: Mapping[int, float] = field(default_factory=dict)  # user → points off (positive)
    indicators: Mapping[int, float] = field(default_factory=dict)  # user → imported points


@dataclass(frozen=True)
class PeriodPlan:
    period: str
    entries: list[PlannedEntry]
    ranking: list[RankResult]


def plan_period(facts: PeriodFacts, *, history: Mapping[int, Sequence[tuple[str, str]]],
                prior_cards: Mapping[int, Sequence[str]], policy: Policy | PolicyFor) -> PeriodPlan:
    """Entries and ranking for one period.

    ``history``: each person's (period, outcome) for every earlier period with a test, oldest first.
    ``prior_cards``: each person's earlier yellow-card periods (those still standing, i.e. not reversed).
    """
    period = facts.period
    policy_of = policy_lookup(policy)
    entries: list[PlannedEntry] = []
    for fact in facts.outcomes:
        past = list(history.get(fact.user_id, ()))
        entries.extend(e for e in fail_run_entries(fact.user_id, [*past, (period, fact.outcome)], policy_of)
                       if e.period == period)
    policy = policy_of(period)
    ranking = rank_period((RankInput(
        user_id=f.user_id, employee_no=f.employee_no, group=f.group, outcome=f.outcome, test_score=f.score,
        deductions=facts.deductions.get(f.user_id, 0.0),
        indicators=facts.indicators.get(f.user_id, 0.0) * policy.indicator_weight(f.group),
        submitted_at=f.submitted_at) for f in facts.outcomes), policy)
    card_entries = ranking_entries(period, ranking, policy)
    entries.extend(card_entries)
    for card in (e for e in card_entries if e.kind == YELLOW_CARD):
        cards = [*prior_cards.get(card.user_id, ()), period]
        entries.extend(e for e in quarter_entries(card.user_id, cards, policy) if e.period == period)
    return PeriodPlan(period, entries, ranking)


def plan_history(periods: Sequence[PeriodFacts], policy: Policy | PolicyFor, *,
                 appealed_cards: Collection[tuple[str, int]] = ()) -> list[PeriodPlan]:
    """Every period's plan from scratch, oldest first: what incremental closes must have written.

    ``appealed_cards``: (period, user) of yellow cards an upheld appeal reversed. The close counts only standing
    cards towards R8 (``prior_cards``), so a recompute must leave those out of the count too.
    """
    history: dict[int, list[tuple[str, str]]] = defaultdict(list)
    cards: dict[int, list[str]] = defaultdict(list)
    appealed = set(appealed_cards)
    plans = []
    for facts in sorted(periods, key=lambda f: f.period):
        plan = plan_period(facts, history=history, prior_cards=cards, policy=policy)
        plans.append(plan)
        for fact in facts.outcomes:
            history[fact.user_id].append((facts.period, fact.outcome))
        for entry in plan.entries:
            if entry.kind == YELLOW_CARD and (entry.period, entry.user_id) not in appealed:
                cards[entry.user_id].append(entry.period)
    return plans


# --- reconciling the ledger with a corrected history (a regrade after a key correction) ----------------------------

R2_KINDS = (CRITICISM, CASH_PENALTY)
RANKING_KINDS = (YELLOW_CARD, REWARD)
R8_KINDS = (IMPROVEMENT_PLAN, POST_ADJUSTMENT)


@dataclass(frozen=True)
class IssuedEntry:
    """A close-kind entry already in the ledger, and what became of it."""

    id: int
    period: str
    user_id: int
    kind: str
    key: str
    withdrawn_by: str | None = None  # None: standing; else the rule code of the reversal (RULE_APPEAL, RULE_REGRADE)

    @property
    def base(self) -> tuple[str, int, str]:
        return (self.period, self.user_id, self.kind)

    @property
    def holds(self) -> bool:
        """Whether the consequence counts as decided: standing, or settled by a person (an upheld appeal) — a
        regrade never re-issues what a supervisor reversed on appeal."""
        return self.withdrawn_by != RULE_REGRADE.code


@dataclass(frozen=True)
class ReconcileScope:
    """Which (period, user, kind) a reconciliation may touch: what the corrected outcomes can have changed."""

    r2_from: Mapping[int, str]  # user → first period whose outcome was corrected: their runs from there on
    reranked: Collection[tuple[str, int]]  # (period, user) of everyone in a re-ranked group
    r8_from: Mapping[int, str] = field(default_factory=dict)  # user → first period whose yellow card changed

    def covers(self, period: str, user_id: int, kind: str) -> bool:
        if kind in R2_KINDS:
            return user_id in self.r2_from and period >= self.r2_from[user_id]
        if kind in RANKING_KINDS:
            return (period, user_id) in self.reranked
        if kind in R8_KINDS:
            return user_id in self.r8_from and period >= self.r8_from[user_id]
        return False


@dataclass(frozen=True)
class LedgerCorrection:
    """What a reconciliation writes: reversals of entries no longer due, and entries now due (with their keys)."""

    withdraw: tuple[IssuedEntry, ...]
    issue: tuple[tuple[PlannedEntry, str], ...]  # (entry, idempotency key)


def reissue_key(base_key: str, issued_before: int) -> str:
    """The first issue keeps the close's key (old keys stay valid); the n-th re-issue after a regrade reversal
    gets ``:r<n+1>`` so the unique key still makes each write happen once."""
    return base_key if issued_before == 0 else f"{base_key}:r{issued_before + 1}"


def reconcile_ledger(due: Iterable[PlannedEntry], issued: Iterable[IssuedEntry], *,
                     in_scope: Callable[[str, int, str], bool]) -> LedgerCorrection:
    """The difference between what the rules now ask for and what the ledger holds, within ``in_scope``.

    An entry no longer due is withdrawn if it stands; an entry now due is issued unless an issue of it holds
    (standing, or reversed on appeal). Running it on its own result gives nothing: the correction is idempotent.
    """
    by_base: dict[tuple[str, int, str], list[IssuedEntry]] = defaultdict(list)
    for entry in issued:
        if in_scope(entry.period, entry.user_id, entry.kind):
            by_base[entry.base].append(entry)
    wanted = {(e.period, e.user_id, e.kind): e for e in due if in_scope(e.period, e.user_id, e.kind)}
    withdraw = [entry for base, entries in by_base.items() if base not in wanted
                for entry in entries if entry.withdrawn_by is None]
    issue = [(planned, reissue_key(planned.key, len(by_base.get(base, ()))))
             for base, planned in wanted.items() if not any(e.holds for e in by_base.get(base, ()))]
    return LedgerCorrection(tuple(sorted(withdraw, key=lambda e: e.id)),
                            tuple(sorted(issue, key=lambda pair: (pair[0].period, pair[0].user_id, pair[0].kind))))


def deduction_reason(*, system: str, what_happened: str, reported_by: str, points: float) -> str:
    label = SYSTEMS.get(system, system)
    return f"{label}：{what_happened}（反映人：{reported_by}），执行力基础管理扣{points:g}分"
