"""``GET /api/v1/reports/failed-twice`` against the entries ``close_month`` writes for docs/domain.md's R2 table:
the people it lists for a period are exactly those the rules charged the 200-yuan penalty (F F, F F F, A A,
F E F, F – F), never F P F; and it is the same query as the report pages' list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assessment import queries, services
from lms.assessment.models import LedgerEntry
from lms.extensions import db
from lms.reports.queries.risk import failed_twice_rows
from tests.support.quizzes import after_close

PERIODS = ("2026-09", "2026-10", "2026-11")
# outcomes per period, oldest first ("-": not assessed that period) → which periods charge 200 yuan
EXAMPLES = {
    "FFF": "-**",
    "FFP": "-*-",
    "FPF": "---",
    "AAP": "-*-",
    "FEF": "--*",
    "F-F": "--*",
    "PPP": "---",
}


@pytest.fixture
def worked(managers, monthly_quiz, take, accommodate):
    people = dict(zip(EXAMPLES, managers(len(EXAMPLES)), strict=True))
    for index, period in enumerate(PERIODS):
        quiz = monthly_quiz(period)
        scores = {}
        for sequence, person in people.items():
            outcome = sequence[index]
            if outcome == "F":
                scores[person] = 79.9
            elif outcome in "P-" and not (sequence == "F-F" and index == 1):
                scores[person] = 92.0
            elif outcome == "E":
                scores[person] = 40.0
                accommodate(quiz, person, "exempt")
        take(quiz, scores)
        absent_in_between = people["F-F"]
        absent_in_between.active = index != 1  # not assessed at all in the middle period: no outcome
        db.session.commit()
        services.close_month(period, now=after_close(period))
    absent_in_between.active = True
    db.session.commit()
    return people


def charged(period):
    return set(db.session.scalars(select(LedgerEntry.user_id).where(LedgerEntry.period == period,
                                                                    LedgerEntry.kind == "cash_penalty")))


def test_the_api_lists_exactly_who_the_close_charged_200_yuan(auth, client, worked, make_user):
    auth.login(make_user("admin"))
    numbers = {p.employee_no: sequence for sequence, p in worked.items()}
    for index, period in enumerate(PERIODS):
        rows = client.get(f"/api/v1/reports/failed-twice?period={period}").get_json()
        expected = {p.id for sequence, p in worked.items() if EXAMPLES[sequence][index] == "*"}
        assert {worked[numbers[r["employee_no"]]].id for r in rows} == expected == charged(period)
    rows = {numbers[r["employee_no"]]: r for r in client.get("/api/v1/reports/failed-twice?period=2026-11").get_json()}
    assert set(rows) == {"FFF", "FEF", "F-F"}
    assert {"employee_no", "name", "county", "grid", "period", "previous_period", "score", "previous_score"} <= \
        set(rows["FEF"])
    assert (rows["FEF"]["previous_period"], rows["FEF"]["previous_score"]) == ("2026-09", 79.9)
    assert rows["F-F"]["previous_period"] == "2026-09"
    assert rows["FFF"]["previous_period"] == "2026-10"


@pytest.mark.parametrize("period", PERIODS)
def test_one_implementation_serves_the_api_and_the_report_pages(worked, make_user, period):
    admin = make_user("admin")
    api = [r["employee_no"] for r in queries.failed_twice(period, admin)]
    pages = [r.person.employee_no for r in failed_twice_rows(period, admin)]
    assert sorted(api) == sorted(pages)


def test_absence_that_does_not_count_is_skipped_not_a_fail(worked):
    # A A P: with absence not counting as a fail, nobody in it failed twice
    ids = {worked["AAP"].employee_no}
    assert not ids & {r["employee_no"] for r in queries.failed_twice("2026-10", None, absent_counts_as_fail=False)}
    assert ids <= {r["employee_no"] for r in queries.failed_twice("2026-10", None)}


def test_a_county_supervisor_sees_only_their_county(auth, client, worked, make_user):
    auth.login(make_user("supervisor", county="郊县", grid=None))
    assert client.get("/api/v1/reports/failed-twice?period=2026-11").get_json() == []
