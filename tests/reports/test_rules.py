"""The report statistics with plain values: hand-computed item analysis, pass rates, bins, trends and risk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.assessment import rules as assessment_rules
from lms.reports import rules

# --- item analysis: a hand-computed example -------------------------------------------------------------------------
# Ten attempts ranked by total score; 27 % of 10 → groups of ⌈2.7⌉ = 3 (the top three and the bottom three).
TOTALS = [95, 90, 85, 80, 75, 70, 65, 60, 55, 50]
GOOD_ITEM = [1, 1, 1, 0, 1, 0, 1, 0, 0, 0]  # P = 5/10; upper 3/3, lower 0/3 → D = 1.0
MISLEADING_ITEM = [0, 0, 1, 1, 1, 1, 0, 1, 1, 1]  # P = 7/10; upper 1/3, lower 3/3 → D = −2/3 (a wrong key?)


def test_facility_is_the_mean_share_of_points_earned():
    assert rules.facility_index(GOOD_ITEM) == 0.5
    assert rules.facility_index(MISLEADING_ITEM) == 0.7
    assert rules.facility_index([0.5, 1.0, 0.0, 0.5]) == 0.5  # partial credit counts as its share
    assert rules.facility_index([]) is None


def test_a_share_is_the_points_earned_of_the_points_possible():
    assert rules.points_share({"earned": 1.5, "points": 2, "correct": False}) == 0.75
    assert rules.points_share({"earned": None, "points": 2}) == 0.0  # not earned: nothing
    assert rules.points_share({"earned": 0, "points": 0}) == 0.0  # worth nothing: no share to earn
    assert rules.points_share({}) == 0.0


def test_discrimination_compares_the_top_and_bottom_27_percent():
    assert rules.discrimination_index(list(zip(TOTALS, GOOD_ITEM, strict=True))) == pytest.approx(1.0)
    assert rules.discrimination_index(list(zip(TOTALS, MISLEADING_ITEM, strict=True))) == pytest.approx(-2 / 3)


def test_discrimination_does_not_depend_on_the_order_attempts_arrive_in():
    rows = list(zip(TOTALS, GOOD_ITEM, strict=True))
    assert rules.discrimination_index(list(reversed(rows))) == pytest.approx(1.0)


@pytest.mark.parametrize(("count", "size"), [(4, 2), (5, 2), (10, 3), (11, 3), (100, 27), (101, 28), (7, 2)])
def test_group_size_is_27_percent_rounded_up_and_never_overlapping(count, size):
    assert rules.group_size(count) == size
    assert 2 * rules.group_size(count) <= count


def test_discrimination_needs_four_attempts():
    assert rules.discrimination_index([(90, 1.0), (50, 0.0), (70, 1.0)]) is None


@pytest.mark.parametrize(("value", "label"), [(None, "样本不足"), (-0.1, "反向（请检查答案）"), (0.1, "差"),
                                              (0.3, "尚可"), (0.4, "好")])
def test_discrimination_reading(value, label):
    assert rules.discrimination_label(value) == label


def test_analyse_item_counts_options_by_authoring_order_and_blanks():
    responses = [rules.ItemResponse(90, 1.0, (0,)), rules.ItemResponse(80, 0.0, (3,)),
                 rules.ItemResponse(60, 0.0, (3,)), rules.ItemResponse(40, 0.0, ())]
    stats = rules.analyse_item("q1", responses, 4)
    assert stats.option_counts == (1, 0, 0, 2)
    assert stats.blank == 1
    assert stats.facility == 0.25
    assert stats.discrimination == pytest.approx(0.5)  # upper (90, 80): 0.5; lower (60, 40): 0


@given(st.lists(st.tuples(st.floats(0, 100), st.sampled_from([0.0, 0.5, 1.0])), min_size=4, max_size=60))
def test_discrimination_is_always_between_minus_one_and_one(rows):
    value = rules.discrimination_index(rows)
    assert value is not None
    assert -1.0 <= value <= 1.0


# --- pass rates, averages, bins ---------------------------------------------------------------------------------


def test_pass_rate_counts_absentees_and_leaves_out_exempt_people():
    tally = (rules.tally_of("PASS", 6, 540.0, 6) + rules.tally_of("FAIL", 2, 120.0, 2) + rules.tally_of("ABSENT", 2)
             + rules.tally_of("EXEMPT", 5))
    assert tally.assessed == 10
    assert tally.total == 15
    assert tally.pass_rate == 0.6
    assert tally.average == 82.5  # (540 + 120) / 8 people who sat


def test_a_rate_of_nobody_is_unknown_not_zero():
    assert rules.pass_rate(0, 0) is None
    assert rules.Tally().average is None


@pytest.mark.parametrize(("score", "index"), [(0, 0), (59.9, 0), (60, 1), (79.9, 2), (80, 3), (89.9, 3), (90, 4),
                                              (100, 4)])
def test_score_bins_put_the_pass_line_in_a_pass_bin(score, index):
    assert rules.bin_index(score) == index


def test_histogram_has_every_bin():
    bins = rules.histogram_of([55, 80, 80, 100])
    assert [b.count for b in bins] == [1, 0, 0, 2, 1]
    assert [b.label for b in bins] == ["0–59.9", "60–69.9", "70–79.9", "80–89.9", "90–100"]


# --- trends --------------------------------------------------------------------------------------------------------


def test_slope_skips_gaps_but_keeps_positions():
    assert rules.slope([90, None, 70]) == pytest.approx(-10.0)
    assert rules.slope([80]) is None


@pytest.mark.parametrize(("values", "trend"), [([60, 70, 80], rules.IMPROVING), ([80, 70, 60], rules.DECLINING),
                                               ([80, 78, 81], rules.STEADY), ([None, 80], rules.STEADY)])
def test_classify_trend(values, trend):
    assert rules.classify_trend(values, threshold=5.0) == trend


def test_months_back_crosses_the_year():
    assert rules.months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert len(rules.months_back("2026-11", 12)) == 12


@pytest.mark.parametrize(("seconds", "days"), [(0, 0), (-5, 0), (3 * 3600, 1), (86400, 1), (86401, 2)])
def test_days_left_rounds_up(seconds, days):
    assert rules.days_left(seconds) == days


# --- risk: the assessment's R2 run read back -----------------------------------------------------------------------


@pytest.mark.parametrize(("history", "run"), [
    (["FAIL"], 1), (["FAIL", "FAIL"], 2), (["FAIL", "FAIL", "FAIL"], 3), (["FAIL", "PASS", "FAIL"], 1),
    (["ABSENT", "ABSENT"], 2), (["FAIL", "EXEMPT", "FAIL"], 2), (["FAIL", "VOID", "FAIL"], 2), (["PASS"], 0),
    (["FAIL", "FAIL", "PASS"], 0),
])
def test_fail_run_follows_the_worked_examples(history, run):
    assert rules.fail_run(history) == run


def test_absence_is_skipped_when_it_does_not_count():
    assert rules.fail_run(["FAIL", "ABSENT", "FAIL"], absent_counts_as_fail=False) == 2
    assert rules.fail_run(["ABSENT", "ABSENT"], absent_counts_as_fail=False) == 0


@given(st.lists(st.sampled_from(assessment_rules.OUTCOMES), min_size=1, max_size=12), st.booleans())
def test_a_run_of_two_or_more_is_exactly_when_the_rules_charge_the_penalty(history, absent_counts):
    policy = assessment_rules.Policy(absent_counts_as_fail=absent_counts)
    periods = [f"2026-{i + 1:02d}" if i < 12 else "2027-01" for i in range(len(history))]
    entries = assessment_rules.fail_run_entries(1, list(zip(periods, history, strict=True)), policy)
    charged = any(e.period == periods[-1] and e.kind == assessment_rules.CASH_PENALTY for e in entries)
    last_fails = rules.counts_as_fail(history[-1], absent_counts_as_fail=absent_counts)
    assert charged == (last_fails and rules.fail_run(history, absent_counts_as_fail=absent_counts) >= 2)


@pytest.mark.parametrize(("latest", "before", "risk"), [
    ("FAIL", "FAIL", rules.PENALTY_DUE), ("ABSENT", "FAIL", rules.PENALTY_DUE), ("FAIL", "PASS", rules.AT_RISK),
    ("FAIL", None, rules.AT_RISK), ("PASS", "FAIL", rules.NOT_AT_RISK), ("EXEMPT", "FAIL", rules.NOT_AT_RISK),
    (None, None, rules.NOT_AT_RISK),
])
def test_classify_risk(latest, before, risk):
    assert rules.classify_risk(latest, before) == risk


@pytest.mark.parametrize(("flags", "state"), [
    ({"exempt": True, "passed": True, "finished": True, "running": False}, rules.EXEMPTED),
    ({"exempt": False, "passed": True, "finished": True, "running": True}, rules.PASSED),
    ({"exempt": False, "passed": False, "finished": True, "running": False}, rules.FAILED),
    ({"exempt": False, "passed": False, "finished": False, "running": True}, rules.IN_PROGRESS),
    ({"exempt": False, "passed": False, "finished": False, "running": False}, rules.NOT_STARTED),
])
def test_current_state(flags, state):
    assert rules.current_state(**flags) == state


# --- suggestions ---------------------------------------------------------------------------------------------------

SETTINGS = rules.SuggestionSettings(unit_pass_rate=0.8, trend_drop=5.0, min_assessed=3)


def test_a_grid_below_the_line_is_suggested():
    found = rules.suggest([0.9, 0.85, 0.7], 10, SETTINGS, rate_line=0.8)
    assert found is not None
    assert found.reasons[0].startswith("合格率 70%")


def test_a_falling_grid_is_suggested_even_above_the_line():
    found = rules.suggest([1.0, 0.9, 0.82], 10, SETTINGS, rate_line=0.8)
    assert found is not None
    assert found.reasons[0] == "合格率每期下降 9 个百分点"  # as people write it: no trailing .0
    assert rules.suggest([1.0, 0.9, 0.85], 10, SETTINGS, rate_line=0.8).reasons[0] == "合格率每期下降 7.5 个百分点"


def test_a_steady_good_grid_and_a_tiny_grid_are_not():
    assert rules.suggest([0.9, 0.88, 0.9], 10, SETTINGS, rate_line=0.8) is None
    assert rules.suggest([None, None, 0.5], 2, SETTINGS, rate_line=0.8) is None


def test_settings_read_environment_text():
    settings = rules.suggestion_settings({"LMS_REPORTS_GRID_PASS_RATE": "0.9", "LMS_REPORTS_WINDOW": "3"})
    assert settings.unit_pass_rate == 0.9
    assert settings.window == 3
    assert settings.person_pass_rate == 0.5
