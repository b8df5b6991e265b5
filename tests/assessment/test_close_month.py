"""The monthly close through its service and its command: outcomes, entries, ranking, idempotency, refusals."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.assessment import services
from lms.assessment.models import ClosedPeriod, LedgerEntry, Outcome, Ranking
from lms.core.errors import Conflict, ValidationFailed
from lms.extensions import db
from tests.support.quizzes import after_close, window


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def kinds_of(person, period=None):
    query = select(LedgerEntry.kind).where(LedgerEntry.user_id == person.id)
    if period:
        query = query.where(LedgerEntry.period == period)
    return sorted(db.session.scalars(query))


def outcome_of(person, period):
    return db.session.scalar(select(Outcome.status).where(Outcome.user_id == person.id, Outcome.period == period))


def test_close_writes_one_outcome_per_manager_and_the_rules_entries(managers, monthly_quiz, take, accommodate,
                                                                     make_user):
    passer, exact, failer, absentee, exempt, voided = managers(6)
    quiz = monthly_quiz("2026-11")
    take(quiz, {passer: 95, exact: 80, failer: 79.9, exempt: 50, voided: 99})
    accommodate(quiz, exempt, "exempt", "产假")
    accommodate(quiz, voided, "void", "代考")
    make_user("trainer")  # not a manager: never assessed
    make_user("manager", active=False)

    report = services.close_month("2026-11", now=after_close("2026-11"))

    assert {outcome_of(p, "2026-11") for p in (passer, exact)} == {"PASS"}
    assert outcome_of(failer, "2026-11") == "FAIL"
    assert outcome_of(absentee, "2026-11") == "ABSENT"
    assert outcome_of(exempt, "2026-11") == "EXEMPT"
    assert outcome_of(voided, "2026-11") == "VOID"
    assert count(Outcome) == 6
    assert "criticism" in kinds_of(failer)
    assert "criticism" in kinds_of(absentee)
    assert not {"criticism", "cash_penalty"} & set(kinds_of(exempt) + kinds_of(voided) + kinds_of(exact))
    # 4 ranked (exempt and void are not): top 2 rewarded, bottom 2 warned; the absentee is last
    ranking = {r.user_id: r for r in db.session.scalars(select(Ranking))}
    assert set(ranking) == {passer.id, exact.id, failer.id, absentee.id}
    assert ranking[absentee.id].position == 4
    assert kinds_of(passer) == ["reward"]
    assert "yellow_card" in kinds_of(absentee)
    assert report.outcome_counts["PASS"] == 2
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == failer.id,
                                                        LedgerEntry.kind == "criticism"))
    assert (entry.rule, entry.rule_version, entry.created_by_id) == ("R2-first-fail", 1, None)


def test_second_consecutive_fail_costs_200_yuan(managers, monthly_quiz, take):
    person, other = managers(2)
    for period in ("2026-10", "2026-11"):
        take(monthly_quiz(period), {person: 60, other: 90})
        services.close_month(period, now=after_close(period))
    penalty = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "cash_penalty"))
    assert (penalty.user_id, penalty.period, penalty.amount_yuan) == (person.id, "2026-11", 200)


def test_a_period_without_a_test_is_skipped_by_the_run(managers, monthly_quiz, take):
    person, other = managers(2)
    take(monthly_quiz("2026-09"), {person: 60, other: 90})
    services.close_month("2026-09", now=after_close("2026-09"))
    # no test in 2026-10
    take(monthly_quiz("2026-11"), {person: 60, other: 90})
    services.close_month("2026-11", now=after_close("2026-11"))
    assert "cash_penalty" in kinds_of(person, "2026-11")
    with pytest.raises(Conflict, match="没有月考"):
        services.close_month("2026-10", now=after_close("2026-11"))


def test_closing_twice_changes_nothing(managers, monthly_quiz, take, runner):
    people = managers(5)
    take(monthly_quiz("2026-11"), dict(zip(people, [50, 60, 85, 90, 99], strict=True)))
    first = runner.invoke(args=["close-month", "2026-11"])
    assert first.exit_code == 0, first.output
    counts = (count(Outcome), count(LedgerEntry), count(Ranking), count(ClosedPeriod))
    second = runner.invoke(args=["close-month", "2026-11"])
    assert second.exit_code == 0, second.output
    assert "已结账" in second.output
    assert (count(Outcome), count(LedgerEntry), count(Ranking), count(ClosedPeriod)) == counts


def test_parallel_closes_write_no_extra_rows(app, managers, monthly_quiz, take):
    people = managers(8)
    take(monthly_quiz("2026-11"), {p: 50 + i * 6 for i, p in enumerate(people)})
    barrier = threading.Barrier(5)
    results: list[object] = []

    def close() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(services.close_month("2026-11", now=after_close("2026-11")).already_closed)
            except Exception as exc:  # collected and asserted below
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=close) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(repr, results)) == sorted(["False"] + ["True"] * 4), results
    db.session.rollback()
    assert count(ClosedPeriod) == 1
    assert count(Outcome) == 8
    assert db.session.scalar(select(ClosedPeriod.entry_count)) == count(LedgerEntry)


def test_refuses_while_the_window_is_open(managers, monthly_quiz, runner):
    managers(2)
    monthly_quiz("2026-11")
    _, closes = window("2026-11")
    with pytest.raises(Conflict, match="尚未结束"):
        services.close_month("2026-11", now=closes + timedelta(seconds=30))  # within the 60 s grace
    assert count(Outcome) == 0
    assert count(ClosedPeriod) == 0
    assert services.close_month("2026-11", now=closes + timedelta(seconds=61)).outcome_counts["ABSENT"] == 2


def test_refuses_to_skip_an_unclosed_earlier_period(managers, monthly_quiz):
    managers(1)
    monthly_quiz("2026-10")
    monthly_quiz("2026-11")
    with pytest.raises(Conflict, match="2026-10"):
        services.close_month("2026-11", now=after_close("2026-11"))


@pytest.mark.parametrize("period", ["2026-13", "202611", "26-11", ""])
def test_bad_periods_are_refused(app, period):
    with pytest.raises(ValidationFailed):
        services.close_month(period, now=after_close("2026-11"))


def test_dry_run_shows_what_would_be_written_and_writes_nothing(managers, monthly_quiz, take, runner):
    a, _absent = managers(2)
    take(monthly_quiz("2026-11"), {a: 60})
    result = runner.invoke(args=["close-month", "2026-11", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "预演" in result.output
    assert "通报批评 2" in result.output  # the failer and the absentee
    assert count(Outcome) == count(LedgerEntry) == count(ClosedPeriod) == 0


def test_late_joiners_are_not_assigned_unless_the_setting_says_so(app, managers, monthly_quiz, make_user):
    managers(1)
    newcomer = make_user("manager")  # joined now, long after the 2026-11 window opened
    monthly_quiz("2026-11")
    services.close_month("2026-11", now=after_close("2026-11"))
    assert outcome_of(newcomer, "2026-11") is None


def test_the_command_reports_problems_with_a_message_and_exit_code(runner, app):
    result = runner.invoke(args=["close-month", "2026-11"])
    assert result.exit_code != 0
    assert "没有月考" in result.output
    assert "Traceback" not in result.output


def test_recomputed_entries_match_the_written_ones(managers, monthly_quiz, take):
    people = managers(7)
    for index, period in enumerate(["2026-10", "2026-11", "2026-12"]):
        take(monthly_quiz(period), {p: (55 + 7 * ((i + index) % 6)) for i, p in enumerate(people) if i != index})
        services.close_month(period, now=after_close(period))
    assert services.recompute_close_entries() == services.written_close_entries()
    # The settings each close used are stored with it, whole (a json.dumps of them was truthy even for null).
    from dataclasses import asdict

    stored = db.session.scalars(select(ClosedPeriod.policy).order_by(ClosedPeriod.period)).all()
    assert stored == [asdict(services.current_policy())] * 3
