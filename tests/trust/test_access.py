"""Access, on the demo world (3 counties, 40 managers, three closed months): a channel manager probing other
people's attempts, certificates, ledger entries, inbox messages and lesson progress gets 403/404 every time and
changes nothing; a supervisor never sees anyone outside their unit on any page, export or API that lists people.

The route × role matrix (every GET route, six roles, no unexpected 2xx) is tests/core/test_route_matrix.py; this
module probes real ids that exist and belong to someone else, which the matrix (with made-up ids) cannot.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.announcements.models import Announcement, InboxMessage
from lms.assessment.models import Indicator, LedgerEntry
from lms.attempts.models import Accommodation, Attempt, AttemptAnswer
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.quizzes.models import Quiz
from tests.support.web import api_headers, csrf_token, post_form
from tests.trust.demo_world import (
    ADMIN,
    CITY_SUPERVISOR,
    COUNTY_SUPERVISOR,
    DEMO_PASSWORD,
    GRID_SUPERVISOR,
    MANAGER,
    NEIGHBOUR,
    OTHER_COUNTY_SUPERVISOR,
    OUTSIDER,
    TRAINER,
    demo_app,
    demo_template,
    user,
)

PERIOD = "2026-11"
DENIED = (403, 404)


@pytest.fixture
def app(template_db: Any, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        tmp_path: Any) -> Iterator[Flask]:
    """This module runs on a clone of the demo world instead of an empty database."""
    yield from demo_app(demo_template(template_db, request, tmp_path_factory), tmp_path)


def sign_in(client: Any, employee_no: str) -> None:
    response = post_form(client, "/login", {"employee_no": employee_no, "password": DEMO_PASSWORD})
    assert response.status_code == 302, employee_no


def row_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                 (Attempt, AttemptAnswer, LedgerEntry, Accommodation, Indicator))


# --- a manager probing other people's records ------------------------------------------------------------------------


def test_a_manager_probing_other_peoples_ids_is_refused_every_time(app, client, record_figures):
    me, neighbour = user(MANAGER), user(NEIGHBOUR)
    # an attempt of the neighbour that is still open: the dangerous kind (answers could still be written)
    from lms.attempts import services as attempts
    from lms.core.clock import utcnow

    practice = db.session.scalars(select(Quiz.slug).where(Quiz.kind == "practice").order_by(Quiz.slug)).first()
    open_attempt, _ = attempts.start_attempt(neighbour, practice, now=utcnow())
    question_id = open_attempt.paper["questions"][0]["id"]
    db.session.commit()

    others_attempts = list(db.session.scalars(select(Attempt.id).where(Attempt.user_id != me.id)))
    others_codes = list(db.session.scalars(select(Certificate.code).where(Certificate.user_id != me.id)))
    others_entries = list(db.session.scalars(select(LedgerEntry.id).where(LedgerEntry.user_id != me.id)))
    others_messages = list(db.session.scalars(select(InboxMessage.id).where(InboxMessage.user_id != me.id)))
    assert len(others_attempts) > 100
    assert len(others_codes) > 50
    assert len(others_entries) > 50
    assert len(others_messages) > 50
    unread_before = db.session.scalar(select(func.count()).where(InboxMessage.read_at.is_(None)))
    counts_before = row_counts()

    sign_in(client, MANAGER)
    headers = api_headers(client)
    form_token = csrf_token(client, "/wrong-answers")
    probes: list[tuple[str, str, Any]] = []
    for attempt_id in others_attempts:
        probes += [("GET", f"/attempts/{attempt_id}", None), ("GET", f"/api/v1/attempts/{attempt_id}", None)]
    for attempt_id in [open_attempt.id, *others_attempts[:10]]:
        probes += [
            ("PUT", f"/api/v1/attempts/{attempt_id}/answers/{question_id}", {"json": {"choices": ["a"]}}),
            ("POST", f"/api/v1/attempts/{attempt_id}/submit", {"json": {}}),
            ("POST", f"/api/v1/attempts/{attempt_id}/events", {"json": {"kind": "tab_hidden"}}),
            ("POST", "/wrong-answers", {"form": {"attempt_id": str(attempt_id), "question_id": question_id,
                                                 "choice": "a", "csrf_token": form_token}}),
        ]
    probes += [("GET", f"/certificates/{code}.pdf", None) for code in others_codes]
    for entry_id in others_entries:
        probes += [("GET", f"/assessment/ledger/{entry_id}/reverse", None),
                   ("POST", f"/assessment/ledger/{entry_id}/reverse", {"form": {"reason": "x", "csrf_token":
                                                                                  form_token}}),
                   ("POST", f"/assessment/post-adjustments/{entry_id}", {"form": {"decision": "confirm",
                                                                                   "csrf_token": form_token}})]
    for message_id in others_messages:
        probes += [("GET", f"/inbox/{message_id}", None), ("GET", f"/api/v1/inbox/{message_id}", None),
                   ("POST", f"/inbox/{message_id}/ack", {"form": {"csrf_token": form_token}}),
                   ("POST", f"/api/v1/inbox/{message_id}/ack", {"json": {}})]
    probes += [("GET", f"/reports/people/{neighbour.id}", None),
               ("GET", f"/reports/people/{neighbour.id}/export.xlsx", None),
               ("GET", "/courses/progress", None),
               ("GET", f"/assessment/{PERIOD}/notice/{user(OUTSIDER).county_id}", None),
               ("GET", f"/assessment/{PERIOD}/notice/{user(OUTSIDER).county_id}.pdf", None)]

    problems = []
    for method, url, body in probes:
        if body is None:
            response = client.open(url, method=method)
        elif "json" in body:
            response = client.open(url, method=method, json=body["json"], headers=headers)
        else:
            response = client.open(url, method=method, data=body["form"])
        if response.status_code not in DENIED:
            problems.append(f"{method} {url}: {response.status_code}")
        response.close()
    assert not problems, "\n".join(problems[:40])

    # nothing was written by any of it
    db.session.rollback()
    assert row_counts() == counts_before
    assert db.session.scalar(select(func.count()).where(InboxMessage.read_at.is_(None))) == unread_before
    assert db.session.get(Attempt, open_attempt.id).status == "in_progress"
    record_figures("access_manager_probes", {"probes": len(probes), "refused": len(probes) - len(problems)})


def test_a_manager_reads_only_their_own_rows_through_the_api(client):
    me = user(MANAGER)
    sign_in(client, MANAGER)
    results = client.get(f"/api/v1/periods/{PERIOD}/results").get_json()
    assert [row["employee_no"] for row in results] == [MANAGER]
    for period in ("2026-09", "2026-10", PERIOD):
        ledger = client.get(f"/api/v1/ledger?period={period}").get_json()
        assert {row["employee_no"] for row in ledger} <= {MANAGER}
    assert {row["employee_no"] for row in client.get("/api/v1/ledger").get_json()} <= {MANAGER}
    failed = client.get(f"/api/v1/reports/failed-twice?period={PERIOD}").get_json()
    assert {row["employee_no"] for row in failed} <= {MANAGER}
    items = client.get("/api/v1/inbox").get_json()["messages"]
    mine = set(db.session.scalars(select(InboxMessage.id).where(InboxMessage.user_id == me.id)))
    assert items
    assert {item["id"] for item in items} <= mine
    # lesson progress is the reader's own: the neighbour studied a lesson this manager did not open
    lessons = client.get("/api/v1/lessons").get_json()
    assert lessons["lessons"]
    assert not any(row["studied"] for row in lessons["lessons"]), "someone else's progress shown as mine"
    assert lessons["pack"]["studied"] == 0


# --- supervisors stay inside their unit ------------------------------------------------------------------------------


def listing_urls(people_in_scope: list[User]) -> list[str]:
    quiz = db.session.scalars(select(Quiz.slug).where(Quiz.period == PERIOD)).first()
    return [
        f"/api/v1/periods/{PERIOD}/results", f"/api/v1/ledger?period={PERIOD}", "/api/v1/ledger",
        f"/api/v1/reports/failed-twice?period={PERIOD}",
        "/assessment/", f"/assessment/{PERIOD}", f"/assessment/{PERIOD}/ledger", f"/assessment/{PERIOD}/ranking",
        f"/assessment/{PERIOD}/export.xlsx", f"/assessment/{PERIOD}/export.csv", f"/assessment/{PERIOD}/export.json",
        "/assessment/post-adjustments",
        "/reports/", "/reports/export.xlsx", f"/reports/periods/{PERIOD}", f"/reports/periods/{PERIOD}/export.xlsx",
        "/courses/progress", f"/certificates/manage?period={PERIOD}", f"/certificates/period/{PERIOD}.zip",
        "/announcements", "/announcements/lessons", f"/quizzes/{quiz}/people", "/",
    ]


def visible_text(response: Any) -> str:
    """What a person gets from a response, whatever its format (page, JSON, CSV, workbook, zip of PDFs)."""
    body = response.get_data()
    kind = response.headers.get("Content-Type", "")
    if body[:2] == b"PK" and "zip" in kind:
        return "\n".join(zipfile.ZipFile(io.BytesIO(body)).namelist())
    if body[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    if "csv" in kind:
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    if "json" in kind:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return body.decode()


def unique_names(people: list[User]) -> set[str]:
    counts: dict[str, int] = {}
    for name in db.session.scalars(select(User.name)):
        counts[name] = counts.get(name, 0) + 1
    return {p.name for p in people if counts[p.name] == 1}


@pytest.mark.parametrize("supervisor", [COUNTY_SUPERVISOR, GRID_SUPERVISOR, OTHER_COUNTY_SUPERVISOR])
def test_a_supervisor_never_sees_anyone_outside_their_unit(client, supervisor, record_figures):
    viewer = user(supervisor)
    managers = list(db.session.scalars(select(User).where(User.role == "manager")))
    if viewer.grid_id is not None:
        inside = [m for m in managers if m.grid_id == viewer.grid_id]
    else:
        inside = [m for m in managers if m.county_id == viewer.county_id]
    outside = [m for m in managers if m not in inside]
    assert inside
    assert len(outside) > 10
    forbidden_numbers = re.compile(r"\b(" + "|".join(m.employee_no for m in outside) + r")\b")
    forbidden_names = unique_names(outside)
    sign_in(client, supervisor)

    problems, shown_inside = [], 0
    for url in listing_urls(inside):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = visible_text(response)
        leaked = set(forbidden_numbers.findall(text)) | {n for n in forbidden_names if n in text}
        if leaked:
            problems.append(f"{url}: {sorted(leaked)[:5]}")
        shown_inside += any(m.employee_no in text or m.name in text for m in inside)
    assert not problems, "\n".join(problems)
    assert shown_inside >= 10, "the listings showed nobody at all: the test would prove nothing"

    # and the records of people outside, asked for by id, are not there
    stranger = outside[0]
    ids = {
        "attempt": db.session.scalars(select(Attempt.id).where(Attempt.user_id == stranger.id)).first(),
        "certificate": db.session.scalars(select(Certificate.code).where(Certificate.user_id.in_(
            [m.id for m in outside]))).first(),
        "entry": db.session.scalars(select(LedgerEntry.id).where(LedgerEntry.user_id == stranger.id)).first(),
        # another county's announcement (demo_world adds one per county); one to everyone, such as the month's
        # training pack, reaches this unit too and is rightly there to follow up
        "announcement": db.session.scalars(select(Announcement.id).where(
            Announcement.author_id != viewer.id, Announcement.audience_kind == "county",
            Announcement.audience_unit_id != viewer.county_id).order_by(Announcement.id)).first(),
    }
    assert ids["announcement"], "no other county's announcement to probe: the test would prove nothing"
    urls = [f"/reports/people/{stranger.id}", f"/reports/people/{stranger.id}/export.xlsx",
            f"/attempts/{ids['attempt']}", f"/api/v1/attempts/{ids['attempt']}",
            f"/certificates/{ids['certificate']}.pdf", f"/assessment/ledger/{ids['entry']}/reverse"]
    urls += [f"/announcements/{ids['announcement']}", f"/announcements/{ids['announcement']}/receipts"]
    if viewer.grid_id is None:
        urls += [f"/assessment/{PERIOD}/notice/{stranger.county_id}",
                 f"/assessment/{PERIOD}/notice/{stranger.county_id}.pdf"]
    for url in urls:
        status = client.get(url, follow_redirects=True).status_code  # a link may redirect; where it lands counts
        if status not in DENIED:
            problems.append(f"{url}: {status}")
    assert not problems, "\n".join(problems)
    # the other side: the month's training pack, announced to everyone, is theirs to follow up
    everyone = db.session.scalars(select(Announcement.id).where(Announcement.audience_kind == "all")).first()
    assert everyone
    assert client.get(f"/announcements/{everyone}/receipts").status_code == 200
    record_figures(f"access_scope_{supervisor}", {"listings": len(listing_urls(inside)), "by_id": len(urls),
                                                   "outsiders": len(outside)})


def test_a_county_supervisor_cannot_act_on_people_outside_their_county(client):
    stranger = user(OUTSIDER)
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == stranger.id,
                                                         LedgerEntry.kind != "reversal")).first()
    quiz = db.session.scalars(select(Quiz.slug).where(Quiz.period == PERIOD)).first()
    before = row_counts()
    sign_in(client, COUNTY_SUPERVISOR)
    statuses = [
        post_form(client, f"/assessment/ledger/{entry.id}/reverse", {"reason": "申诉"}, token_from="/").status_code,
        post_form(client, f"/reports/people/{stranger.id}/ledger/{entry.id}/reverse", {"reason": "申诉"},
                  token_from="/").status_code,
    ]
    assert all(status in DENIED for status in statuses), statuses
    post_form(client, f"/quizzes/{quiz}/people", {"employee_no": OUTSIDER, "kind": "exempt", "reason": "病假"})
    post_form(client, "/assessment/deductions/new", {"employee_no": OUTSIDER, "system": "b2b",
                                                     "what_happened": "不会换货", "reported_by": "门店",
                                                     "period": "2026-12"})
    db.session.rollback()
    assert row_counts() == before


@pytest.mark.parametrize("role_user", [TRAINER, CITY_SUPERVISOR, ADMIN])
def test_city_wide_staff_do_see_every_county(client, role_user):
    """The other side of the scoping: the same listings are not simply empty for everyone."""
    sign_in(client, role_user)
    results = client.get(f"/api/v1/periods/{PERIOD}/results").get_json()
    assert len({row["county"] for row in results}) == 3
