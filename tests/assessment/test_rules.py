"""The rules of docs/domain.md as tables of plain values: outcomes in, ledger entries out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.assessment import rules
from lms.assessment.rules import (
    ABSENT,
    BOTTOM,
    EXEMPT,
    FAIL,
    PASS,
    TOP,
    VOID,
    OutcomeFact,
    PeriodFacts,
    Policy,
    RankInput,
)

DEFAULT = Policy()
CODES = {"P": PASS, "F": FAIL, "A": ABSENT, "E": EXEMPT, "V": VOID}
SHORT = {"criticism": "criticism", "cash_penalty": "200"}


def periods(count: int, start: str = "2026-01") -> list[str]:
    year, month = int(start[:4]), int(start[5:])
    out = []
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def entries_per_period(sequence: str, policy: Policy = DEFAULT) -> list[str]:
    """'F – F' → one label per period ('–' for nothing); '-' marks a period without a test (skipped)."""
    tokens = sequence.split()
    months = periods(len(tokens))
    history = [(month, CODES[token]) for month, token in zip(months, tokens, strict=True) if token != "-"]
    written = rules.fail_run_entries(7, history, policy)
    by_period = {e.period: SHORT[e.kind] for e in written}
    assert len(by_period) == len(written), "at most one R2 entry per period"
    return [by_period.get(month, "–") for month in months]


# docs/domain.md, R2: the table of outcomes and the entries they write, row for row.
@pytest.mark.parametrize(("outcomes", "expected"), [
    ("F", "criticism"),
    ("F F", "criticism 200"),
    ("F F F", "criticism 200 200"),
    ("F P F", "criticism – criticism"),
    ("A A", "criticism 200"),
    ("F E F", "criticism – 200"),
    ("F - F", "criticism – 200"),
    ("F V F", "criticism – 200"),
    ("P P P", "– – –"),
    ("F F P F F", "criticism 200 – criticism 200"),
    ("E F A F", "– criticism 200 200"),
    ("P - E V P", "– – – – –"),
])
def test_worked_examples(outcomes, expected):
    assert entries_per_period(outcomes) == expected.split()


def test_second_consecutive_fail_costs_200_yuan():
    second = rules.fail_run_entries(1, [("2026-10", FAIL), ("2026-11", FAIL)], DEFAULT)[1]
    assert (second.kind, second.amount_yuan, second.period) == ("cash_penalty", 200, "2026-11")
    assert second.rule.code == "R2-consecutive-fail"
    assert second.rule.version == 1
    assert "连续第2个月" in second.reason


@pytest.mark.parametrize(("score", "outcome"), [
    (80, PASS), (80.0, PASS), (100, PASS), (79.9, FAIL), (79.99, FAIL), (0, FAIL),
    (4 / 5 * 100, PASS), (79.999999999, PASS),  # scaling noise rounds to 80.00
])
def test_the_80_point_line(score, outcome):
    assert rules.decide_outcome(accommodation=None, score=score, pass_score=80) == outcome


@pytest.mark.parametrize(("accommodation", "score", "outcome"), [
    (None, None, ABSENT), ("exempt", None, EXEMPT), ("exempt", 95, EXEMPT), ("void", 95, VOID),
    ("void", None, VOID), ("extra_time", 85, PASS), ("extra_time", None, ABSENT),
])
def test_accommodations_decide_before_scores(accommodation, score, outcome):
    assert rules.decide_outcome(accommodation=accommodation, score=score, pass_score=80) == outcome


def test_absence_can_be_set_not_to_count_as_a_fail():
    policy = Policy(absent_counts_as_fail=False)
    assert entries_per_period("A A", policy) == ["–", "–"]
    assert entries_per_period("F A F", policy) == ["criticism", "–", "200"]


def test_first_fail_action_can_be_switched_off():
    assert entries_per_period("F F", Policy(first_fail_action="none")) == ["–", "200"]


def test_penalty_amount_is_a_setting():
    policy = Policy(consecutive_fail_penalty_yuan=300)
    entries = rules.fail_run_entries(1, [("2026-01", FAIL), ("2026-02", FAIL)], policy)
    assert entries[1].amount_yuan == 300


@given(st.lists(st.sampled_from("PFAEV"), max_size=24))
def test_run_rules_hold_for_any_sequence(tokens):
    history = list(zip(periods(len(tokens)), (CODES[t] for t in tokens), strict=True))
    written = {e.period: e.kind for e in rules.fail_run_entries(1, history, DEFAULT)}
    previous_counted = None  # the last outcome that was not neutral
    for period, outcome in history:
        if outcome in (PASS, EXEMPT, VOID):
            assert period not in written
        else:
            expected = "cash_penalty" if previous_counted in (FAIL, ABSENT) else "criticism"
            assert written[period] == expected
        if outcome not in (EXEMPT, VOID):
            previous_counted = outcome


# --- ranking ------------------------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def row(user_id, score, *, outcome=None, deductions=0.0, indicators=0.0, submitted_minutes=0, group=1,
        employee_no=None):
    outcome = outcome or (ABSENT if score is None else PASS if score >= 80 else FAIL)
    return RankInput(user_id=user_id, employee_no=employee_no or f"E{user_id:03d}", group=group, outcome=outcome,
                     test_score=score, deductions=deductions, indicators=indicators,
                     submitted_at=None if score is None else T0 + timedelta(minutes=submitted_minutes))


def bands(results):
    return {r.user_id: r.band for r in results}


def test_bottom_three_yellow_top_three_reward():
    results = rules.rank_group([row(i, 100 - i * 5) for i in range(1, 10)], DEFAULT)
    assert [r.user_id for r in results] == list(range(1, 10))
    assert [r.band for r in results] == [TOP] * 3 + [None] * 3 + [BOTTOM] * 3


@pytest.mark.parametrize(("size", "each"), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (20, 3)])
def test_small_groups_shrink_both_bands_to_half(size, each):
    results = rules.rank_group([row(i, 90 - i) for i in range(size)], DEFAULT)
    marks = [r.band for r in results]
    assert marks.count(TOP) == each
    assert marks.count(BOTTOM) == each
    assert rules.band_sizes(size, DEFAULT) == (each, each)


def test_ties_break_on_test_score_then_earlier_submission_then_employee_number():
    results = rules.rank_group([
        row(1, 90, deductions=2, employee_no="E9"),  # unified 88, test 90
        row(2, 88, submitted_minutes=10, employee_no="E2"),  # unified 88, test 88, later
        row(3, 88, submitted_minutes=5, employee_no="E8"),  # unified 88, test 88, earlier
        row(4, 88, submitted_minutes=5, employee_no="E1"),  # same as 3 but a smaller employee number
    ], DEFAULT)
    assert [r.user_id for r in results] == [1, 4, 3, 2]


def test_absentees_rank_last_and_exempt_or_void_are_not_ranked():
    results = rules.rank_group([
        row(1, None), row(2, 10), row(3, 95, outcome=EXEMPT), row(4, 95, outcome=VOID), row(5, 70),
    ], DEFAULT)
    assert [r.user_id for r in results] == [5, 2, 1]
    assert all(r.group_size == 3 for r in results)


def test_a_system_operation_deduction_can_change_the_ranking():
    before = rules.rank_group([row(1, 85), row(2, 84)], DEFAULT)
    after = rules.rank_group([row(1, 85, deductions=2), row(2, 84)], DEFAULT)
    assert bands(before) == {1: TOP, 2: BOTTOM}
    assert bands(after) == {1: BOTTOM, 2: TOP}


def test_imported_indicators_add_to_the_unified_score():
    assert row(1, 80, deductions=2, indicators=5.5).unified_score == 83.5


def test_each_county_ranks_separately_unless_the_city_scope_is_set():
    rows = [row(i, 90 - i, group=1) for i in range(4)] + [row(10 + i, 50 - i, group=2) for i in range(4)]
    per_county = rules.rank_period(rows, DEFAULT)
    assert {r.group_size for r in per_county} == {4}
    assert bands(per_county)[10] == TOP
    city = rules.rank_period(rows, Policy(ranking_scope="city"))
    assert {r.group_size for r in city} == {8}
    assert bands(city)[10] is None


@given(st.lists(st.tuples(st.one_of(st.none(), st.floats(0, 100)), st.sampled_from([PASS, EXEMPT, VOID])),
                max_size=30))
def test_nobody_is_both_rewarded_and_warned_and_positions_are_a_permutation(people):
    rows = [row(i, score, outcome=(outcome if outcome != PASS else None)) for i, (score, outcome) in enumerate(people)]
    results = rules.rank_group(rows, DEFAULT)
    assert sorted(r.position for r in results) == list(range(1, len(results) + 1))
    assert sum(r.band == TOP for r in results) == sum(r.band == BOTTOM for r in results)
    assert sum(r.band is not None for r in results) <= len(results)


# --- quarterly (R8) -----------------------------------------------------------------------------------------------


def quarterly(cards, policy=DEFAULT):
    return [(e.period, e.kind) for e in rules.quarter_entries(1, cards, policy)]


def test_second_yellow_card_in_a_quarter_writes_an_improvement_plan_at_once():
    assert quarterly(["2026-01"]) == []
    assert quarterly(["2026-01", "2026-03"]) == [("2026-03", "improvement_plan")]
    assert quarterly(["2026-01", "2026-02", "2026-03"]) == [("2026-02", "improvement_plan")]


def test_cards_in_different_quarters_do_not_add_up():
    assert quarterly(["2026-03", "2026-04"]) == []


def test_two_card_quarters_in_a_row_recommend_a_post_adjustment():
    assert quarterly(["2026-10", "2026-11", "2027-01", "2027-02"]) == [
        ("2026-11", "improvement_plan"), ("2027-02", "improvement_plan"), ("2027-02", "post_adjustment")]


def test_non_consecutive_quarters_do_not_recommend_a_post_adjustment():
    assert "post_adjustment" not in {k for _, k in quarterly(["2026-01", "2026-02", "2026-07", "2026-08"])}


def test_a_setting_makes_one_card_per_quarter_enough():
    assert quarterly(["2026-03", "2026-04"], Policy(quarter_yellow_cards=1)) == [
        ("2026-03", "improvement_plan"), ("2026-04", "improvement_plan"), ("2026-04", "post_adjustment")]


@pytest.mark.parametrize(("period", "quarter", "previous"), [
    ("2026-01", "2026Q1", "2025Q4"), ("2026-03", "2026Q1", "2025Q4"), ("2026-04", "2026Q2", "2026Q1"),
    ("2026-12", "2026Q4", "2026Q3"),
])
def test_calendar_quarters(period, quarter, previous):
    assert rules.quarter_of(period) == quarter
    assert rules.previous_quarter(quarter) == previous
    assert rules.next_quarter(previous) == quarter


# --- whole periods ------------------------------------------------------------------------------------------------


def test_plan_history_writes_every_consequence_once():
    def facts(period, scores):
        return PeriodFacts(period, [OutcomeFact(i, f"E{i}", 1, PASS if s >= 80 else FAIL, s)
                                    for i, s in enumerate(scores)])

    plans = rules.plan_history([facts("2026-01", [50, 90, 85, 70]), facts("2026-02", [60, 95, 70, 82])], DEFAULT)
    kinds = [(p.period, e.user_id, e.kind) for p in plans for e in p.entries]
    assert ("2026-01", 0, "criticism") in kinds
    assert ("2026-02", 0, "cash_penalty") in kinds
    assert ("2026-02", 2, "criticism") in kinds
    assert ("2026-01", 0, "yellow_card") in kinds  # 4 people: top 2, bottom 2
    assert ("2026-02", 0, "improvement_plan") in kinds  # second card in Q1
    assert len(kinds) == len(set(kinds))


def test_window_is_open_until_close_plus_grace():
    closes = datetime(2026, 11, 8, 15, 59, tzinfo=UTC)
    assert rules.is_window_open(closes, now=closes + timedelta(seconds=59), grace_seconds=60)
    assert not rules.is_window_open(closes, now=closes + timedelta(seconds=60), grace_seconds=60)
    assert rules.is_window_open(None, now=closes, grace_seconds=60)


def test_policy_reads_the_lms_settings():
    policy = Policy.from_settings({"LMS_PASS_SCORE": 85, "LMS_ABSENT_COUNTS_AS_FAIL": "no",
                                   "LMS_CONSECUTIVE_FAIL_PENALTY_YUAN": "300"})
    assert (policy.pass_score, policy.absent_counts_as_fail, policy.consecutive_fail_penalty_yuan) == (85.0, False, 300)
    assert Policy.from_settings({}) == Policy()


# --- reconciling the ledger after a regrade ------------------------------------------------------------------------


def planned(period: str, user_id: int, kind: str) -> rules.PlannedEntry:
    rule = rules.RULE_FIRST_FAIL if kind == "criticism" else rules.RULE_CONSECUTIVE_FAIL
    return rules.PlannedEntry(period, user_id, kind, rule, "reason")


def issued(entry_id: int, period: str, user_id: int, kind: str, withdrawn_by: str | None = None, *,
           suffix: str = "") -> rules.IssuedEntry:
    return rules.IssuedEntry(entry_id, period, user_id, kind, f"{period}:user:{user_id}:{kind}{suffix}", withdrawn_by)


EVERYTHING = rules.ReconcileScope(r2_from={1: "2026-01", 2: "2026-01"}, reranked=()).covers
APPEAL, REGRADE = rules.RULE_APPEAL.code, rules.RULE_REGRADE.code


@pytest.mark.parametrize(("due", "ledger", "withdrawn", "new_keys"), [
    # still due and standing: nothing
    ([("2026-01", 1, "criticism")], [issued(1, "2026-01", 1, "criticism")], [], []),
    # no longer due: the standing entry is reversed
    ([], [issued(1, "2026-01", 1, "criticism")], [1], []),
    # no longer due, already reversed (by an appeal or an earlier regrade): nothing
    ([], [issued(1, "2026-01", 1, "criticism", APPEAL)], [], []),
    ([], [issued(1, "2026-01", 1, "criticism", REGRADE)], [], []),
    # newly due: issued with the close's own key
    ([("2026-02", 1, "cash_penalty")], [], [], ["2026-02:user:1:cash_penalty"]),
    # due again after a regrade reversed it: the second issue gets :r2, the third :r3
    ([("2026-01", 1, "criticism")], [issued(1, "2026-01", 1, "criticism", REGRADE)], [],
     ["2026-01:user:1:criticism:r2"]),
    ([("2026-01", 1, "criticism")], [issued(1, "2026-01", 1, "criticism", REGRADE),
                                     issued(2, "2026-01", 1, "criticism", REGRADE, suffix=":r2")], [],
     ["2026-01:user:1:criticism:r3"]),
    # due, but a supervisor reversed it on appeal: the person's decision stands, nothing re-issued
    ([("2026-01", 1, "criticism")], [issued(1, "2026-01", 1, "criticism", APPEAL)], [], []),
])
def test_reconcile_ledger_table(due, ledger, withdrawn, new_keys):
    correction = rules.reconcile_ledger([planned(*d) for d in due], ledger, in_scope=EVERYTHING)
    assert [e.id for e in correction.withdraw] == withdrawn
    assert [key for _entry, key in correction.issue] == new_keys


def test_reconcile_touches_nothing_outside_its_scope():
    scope = rules.ReconcileScope(r2_from={1: "2026-02"}, reranked={("2026-01", 2)}, r8_from={3: "2026-03"})
    ledger = [issued(1, "2026-01", 1, "criticism"),  # before the corrected period: left alone
              issued(2, "2026-02", 1, "criticism"),  # in scope, no longer due: reversed
              issued(3, "2026-01", 2, "cash_penalty"),  # person 2 only re-ranked: R2 out of scope
              issued(4, "2026-01", 2, "yellow_card"),  # re-ranked: reversed
              issued(5, "2026-03", 3, "improvement_plan")]  # cards changed from 2026-03: reversed
    correction = rules.reconcile_ledger([], ledger, in_scope=scope.covers)
    assert [e.id for e in correction.withdraw] == [2, 4, 5]


@given(st.lists(st.tuples(st.sampled_from(["2026-01", "2026-02", "2026-03"]), st.integers(1, 3),
                          st.sampled_from(["criticism", "cash_penalty"])), max_size=8),
       st.lists(st.tuples(st.sampled_from(["2026-01", "2026-02", "2026-03"]), st.integers(1, 3),
                          st.sampled_from(["criticism", "cash_penalty"]),
                          st.sampled_from([None, APPEAL, REGRADE])), max_size=8))
def test_reconciling_the_result_again_changes_nothing(due, ledger):
    scope = rules.ReconcileScope(r2_from={1: "2026-01", 2: "2026-01", 3: "2026-01"}, reranked=()).covers
    seen: dict[tuple[str, int, str], int] = {}
    entries = []
    for i, (p, u, k, w) in enumerate(ledger, 1):  # the n-th issue of one consequence carries its :r<n> key
        seen[(p, u, k)] = seen.get((p, u, k), 0) + 1
        entries.append(issued(i, p, u, k, w, suffix="" if seen[(p, u, k)] == 1 else f":r{seen[(p, u, k)]}"))
    wanted = [planned(*d) for d in dict.fromkeys(due)]
    first = rules.reconcile_ledger(wanted, entries, in_scope=scope)
    withdrawn = {e.id for e in first.withdraw}
    after = [rules.IssuedEntry(e.id, e.period, e.user_id, e.kind, e.key, REGRADE if e.id in withdrawn
                               else e.withdrawn_by) for e in entries]
    after += [rules.IssuedEntry(100 + i, p.period, p.user_id, p.kind, key) for i, (p, key) in enumerate(first.issue)]
    second = rules.reconcile_ledger(wanted, after, in_scope=scope)
    assert (second.withdraw, second.issue) == ((), ())
    keys = [e.key for e in after]
    assert len(keys) == len(set(keys))  # a re-issue never reuses a key


def test_a_yellow_card_reversed_on_appeal_does_not_count_towards_the_quarter():
    # one person, bottom of a group of two in January and February (same quarter): two cards → improvement plan
    facts = [PeriodFacts(p, [OutcomeFact(1, "E1", 1, PASS, 81.0), OutcomeFact(2, "E2", 1, PASS, 99.0)])
             for p in ("2026-01", "2026-02")]
    kinds = {e.kind for plan in rules.plan_history(facts, DEFAULT) for e in plan.entries if e.user_id == 1}
    assert "improvement_plan" in kinds
    appealed = rules.plan_history(facts, DEFAULT, appealed_cards={("2026-01", 1)})
    assert "improvement_plan" not in {e.kind for plan in appealed for e in plan.entries if e.user_id == 1}


@pytest.mark.parametrize(("absent_counts", "fails", "deciding"), [
    (True, (FAIL, ABSENT), (PASS, FAIL, ABSENT)),
    (False, (FAIL,), (PASS, FAIL)),
])
def test_which_outcomes_fail_and_which_decide_a_run(absent_counts, fails, deciding):
    assert rules.fail_outcomes(absent_counts_as_fail=absent_counts) == fails
    assert rules.deciding_outcomes(absent_counts_as_fail=absent_counts) == deciding
