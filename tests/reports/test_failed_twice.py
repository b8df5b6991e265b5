"""The failed-twice list and the risk board against the assessment rules' own data: the cash penalties the monthly
close wrote (lms.assessment.rules via close_month) are exactly the people listed as failed twice in a row."""

from __future__ import annotations

from sqlalchemy import select

from lms.assessment.models import LedgerEntry
from lms.extensions import db
from lms.reports.queries import risk


def penalised(period):
    return set(db.session.scalars(select(LedgerEntry.user_id).where(
        LedgerEntry.period == period, LedgerEntry.kind == "cash_penalty")))


def ids(rows):
    return {r.person.user_id for r in rows}


def test_failed_twice_is_who_the_rules_charged_200_yuan(world):
    p1, p2, p3 = world["periods"]
    town, country = world["town"], world["country"]
    for period in (p2, p3):
        assert ids(risk.failed_twice_rows(period, world["admin"])) == penalised(period)
    # F F F, F E F (exempt neither breaks nor extends), F – F (no outcome that period), and the other county
    assert penalised(p3) == {town[0].id, town[2].id, town[3].id, country[0].id}
    assert risk.failed_twice_rows(p1, world["admin"]) == []


def test_failed_twice_rows_name_the_deciding_earlier_outcome(world):
    p1, _p2, p3 = world["periods"]
    rows = {r.person.user_id: r for r in risk.failed_twice_rows(p3, world["admin"])}
    skipped = rows[world["town"][2].id]  # exempt in P2: the fail before it is P1's
    assert (skipped.previous_period, skipped.previous_status, skipped.status) == (p1, "FAIL", "FAIL")
    assert skipped.previous_score == 60.0


def test_risk_lists_split_penalty_due_and_at_risk_and_carry_the_run(world):
    _p1, _p2, p3 = world["periods"]
    town, west = world["town"], world["west"]
    risks = risk.risk_lists(world["admin"], world["current"])
    assert risks.period == p3
    assert ids(risks.penalty_due) == penalised(p3)
    assert ids(risks.at_risk) == {town[1].id, west[0].id}  # P P F and F P F (the pass broke the run)
    runs = {r.person.user_id: r.run for r in risks.penalty_due}
    assert runs[town[0].id] == 3
    assert runs[town[2].id] == 2
    assert {r.penalty for r in risks.penalty_due} == {"standing"}
    assert risks.by_county["城区"] == {"penalty_due": 3, "at_risk": 2}
    assert risks.penalty_due_total == 4


def test_a_reversed_penalty_still_lists_the_person_but_says_so(world):
    from lms.assessment import services
    from lms.core.clock import utcnow

    _p1, _p2, p3 = world["periods"]
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.period == p3, LedgerEntry.kind == "cash_penalty",
                                                        LedgerEntry.user_id == world["town"][0].id))
    services.reverse_entry(entry.id, actor=world["city_sup"], reason="系统故障，申诉成立", now=utcnow())
    risks = risk.risk_lists(world["admin"], world["current"])
    assert {r.person.user_id: r.penalty for r in risks.penalty_due}[world["town"][0].id] == "reversed"


def test_scoped_to_the_viewers_unit(world):
    _p1, _p2, p3 = world["periods"]
    town, country = world["town"], world["country"]
    assert ids(risk.failed_twice_rows(p3, world["town_sup"])) == {town[0].id, town[2].id, town[3].id}
    assert ids(risk.failed_twice_rows(p3, world["country_sup"])) == {country[0].id}
    grid = risk.risk_lists(world["grid_sup"], world["current"])
    assert world["west"][0].id not in ids(grid.at_risk)  # 西城网格 is not the 东城 grid supervisor's
    assert set(grid.by_county) == {"城区"}


def test_absence_that_does_not_count_is_skipped(world):
    _p1, _p2, p3 = world["periods"]
    # Nobody was absent in the world, so the lists are the same either way; the query still runs on the setting.
    assert ids(risk.failed_twice_rows(p3, world["admin"], absent_counts_as_fail=False)) == penalised(p3)
