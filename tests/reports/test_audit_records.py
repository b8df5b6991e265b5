"""Every report download that names people (the risk board, a period's report, a person's record, point-to-point
suggestions) is recorded in the audit log: one entry per download, with what it held, its period or person and its
row count. Aggregate downloads (quiz overview, item analysis) name nobody and are not."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit import rules as audit_rules
from lms.audit.models import AuditEntry
from lms.extensions import db
from tests.reports.conftest import periods_now, picks_for


@pytest.fixture
def world(managers, monthly_quiz, sit, close, make_user):
    """Two counties over three closed periods; in 城区 two of three managers fail every time."""
    (p1, p2, p3), _current = periods_now()
    town, country = managers(3, county="城区"), managers(1, county="郊县", grid="南山网格")
    for period in (p1, p2, p3):
        quiz = monthly_quiz(period)
        for index, person in enumerate(town + country):
            sit(person, quiz, picks_for(2 if index < 2 else 0))
        close(period)
    return {"periods": (p1, p2, p3), "town": town, "country": country, "quizzes": {p3: quiz},
            "town_sup": make_user("supervisor", county="城区", grid=None), "trainer": make_user("trainer")}


def data_rows(response) -> int:
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return sum(sheet.max_row - 1 for sheet in book.worksheets)


def exports() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == audit_rules.PERSONAL_DATA_EXPORTED).order_by(AuditEntry.id)))


@pytest.mark.parametrize(("who", "url", "what"), [
    ("town_sup", "/reports/export.xlsx?period={p3}", "reports_board"),
    ("town_sup", "/reports/periods/{p3}/export.xlsx", "reports_period"),
    ("trainer", "/reports/suggestions/export.xlsx", "reports_suggestions"),
])
def test_a_download_naming_people_is_recorded(auth, world, who, url, what):
    p3 = world["periods"][2]
    auth.login(world[who])
    response = auth.client.get(url.format(p3=p3))
    assert response.status_code == 200
    [entry] = exports()
    assert entry.actor_id == world[who].id
    assert entry.changes["what"] == what
    assert entry.changes["format"] == "xlsx"
    assert entry.changes["rows"] == data_rows(response)
    assert entry.subject == response.headers["Content-Disposition"].split("filename=", 1)[1]
    if what != "reports_suggestions":
        assert entry.changes["period"] == p3
    auth.client.get(url.format(p3=p3))
    assert len(exports()) == 2


def test_a_persons_record_names_the_person(auth, world):
    person = world["town"][0]
    auth.login(world["town_sup"])
    assert auth.client.get(f"/reports/people/{person.id}/export.xlsx").status_code == 200
    [entry] = exports()
    assert (entry.target_user_id, entry.subject) == (person.id, f"person-{person.employee_no}.xlsx")
    assert entry.changes["what"] == "reports_person"


def test_a_refused_download_is_not_recorded(auth, world):
    auth.login(world["town_sup"])
    assert auth.client.get(f"/reports/people/{world['country'][0].id}/export.xlsx").status_code == 404
    assert exports() == []


def test_aggregate_downloads_are_not_personal_data(auth, world):
    auth.login(world["trainer"])
    slug = world["quizzes"][world["periods"][2]].slug
    assert auth.client.get("/reports/trainer/export.xlsx").status_code == 200
    assert auth.client.get(f"/reports/quizzes/{slug}/export.xlsx").status_code == 200
    assert exports() == []
