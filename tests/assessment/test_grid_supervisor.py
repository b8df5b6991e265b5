"""A grid supervisor reads their grid's records and nothing more: only their grid's part of a county's draft notice
(page and PDF), and no reversal of ledger entries — appeals are decided by county and city supervisors (and admins)."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import func, select

from lms.assessment import services
from lms.assessment.models import LedgerEntry
from lms.core.clock import utcnow
from lms.core.errors import Forbidden
from lms.extensions import db
from lms.org.models import Unit
from tests.support.quizzes import after_close
from tests.support.web import post_form


@pytest.fixture
def county(managers, monthly_quiz, take, make_user):
    """One county, two grids; in each grid one manager fails October and November (a 200-yuan penalty)."""
    east = managers(3, county="城区", grid="东城网格")
    west = managers(3, county="城区", grid="西城网格")
    for period in ("2026-10", "2026-11"):
        take(monthly_quiz(period), {east[0]: 50, west[0]: 55, **{p: 85 + i for i, p in enumerate(east[1:] + west[1:])}})
        services.close_month(period, now=after_close(period))
    return {
        "east": east, "west": west,
        "grid_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "county_sup": make_user("supervisor", county="城区", grid=None),
        "county_id": db.session.scalar(select(Unit.id).where(Unit.name == "城区")),
    }


def penalty_of(person) -> LedgerEntry:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == person.id,
                                                       LedgerEntry.kind == "cash_penalty"))


def reversals() -> int:
    return db.session.scalar(select(func.count()).where(LedgerEntry.kind == "reversal"))


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607 - poppler, a test dependency
                          check=True).stdout


def test_a_grid_supervisor_reads_only_their_grids_part_of_a_draft_notice(auth, client, county, tmp_path):
    auth.login(county["grid_sup"])
    url = f"/assessment/2026-11/notice/{county['county_id']}"
    page = client.get(url).get_data(as_text=True)
    assert "草稿" in page
    assert "东城网格" in page
    assert county["east"][0].employee_no in page
    assert all(person.employee_no not in page for person in county["west"])
    assert "本月参加考核 3 人" in page  # the grid's people, not the county's six
    text = pdf_text(client.get(f"{url}.pdf").data, tmp_path)
    assert county["east"][0].employee_no in text
    assert all(person.employee_no not in text for person in county["west"])


def test_the_county_supervisor_still_reads_the_whole_draft(auth, client, county):
    auth.login(county["county_sup"])
    page = client.get(f"/assessment/2026-11/notice/{county['county_id']}").get_data(as_text=True)
    assert county["east"][0].employee_no in page
    assert county["west"][0].employee_no in page
    assert "本月参加考核 6 人" in page


def test_the_published_notice_is_the_whole_countys_for_everyone(auth, client, county):
    """Once published, the county's managers of every grid read it: a grid supervisor reads the same text."""
    url = f"/assessment/2026-11/notice/{county['county_id']}"
    auth.login(county["county_sup"])
    assert post_form(client, f"{url}/publish", {}, token_from=url).status_code == 302
    auth.logout()
    auth.login(county["grid_sup"])
    page = client.get(url).get_data(as_text=True)
    assert county["west"][0].employee_no in page
    assert "已发布" in page


def test_a_grid_supervisor_cannot_publish_a_notice(auth, client, county):
    url = f"/assessment/2026-11/notice/{county['county_id']}"
    auth.login(county["grid_sup"])
    page = client.get(url).get_data(as_text=True)
    assert "/publish" not in page
    assert post_form(client, f"{url}/publish", {}, token_from=url).status_code == 403


def test_a_grid_supervisor_is_refused_a_reversal_with_a_reason(auth, client, county):
    entry = penalty_of(county["east"][0])  # in their own grid
    auth.login(county["grid_sup"])
    url = f"/assessment/ledger/{entry.id}/reverse"
    page = client.get(url)
    assert page.status_code == 403
    assert "县区或市级主管" in page.get_data(as_text=True)
    assert post_form(client, url, {"reason": "申诉成立"}, token_from="/assessment/2026-11/ledger").status_code == 403
    person = county["east"][0]
    from_report = post_form(client, f"/reports/people/{person.id}/ledger/{entry.id}/reverse", {"reason": "申诉成立"},
                            token_from=f"/reports/people/{person.id}")
    assert from_report.status_code == 403
    assert "县区或市级主管" in from_report.get_data(as_text=True)
    db.session.rollback()
    assert reversals() == 0


def test_a_grid_supervisor_is_offered_no_reversal(auth, client, county):
    auth.login(county["grid_sup"])
    person = county["east"][0]
    for url in ("/assessment/2026-11/ledger", "/assessment/deductions/new", f"/reports/people/{person.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "/reverse" not in page, url
        assert not re.search(r">\s*冲销\s*<", page), url  # no link, button or summary that says 冲销


def test_the_county_supervisor_is_offered_the_reversal(auth, client, county):
    auth.login(county["county_sup"])
    entry = penalty_of(county["west"][0])
    assert f"/assessment/ledger/{entry.id}/reverse" in client.get("/assessment/2026-11/ledger").get_data(as_text=True)
    person_page = client.get(f"/reports/people/{county['west'][0].id}").get_data(as_text=True)
    assert re.search(r">\s*冲销\s*<", person_page)
    assert post_form(client, f"/assessment/ledger/{entry.id}/reverse", {"reason": "申诉成立"},
                     token_from="/assessment/2026-11/ledger").status_code == 302


@pytest.mark.parametrize(("role", "county_name", "grid", "may"), [
    ("admin", None, None, True),
    ("supervisor", None, None, True),  # city
    ("supervisor", "城区", None, True),  # county
    ("supervisor", "城区", "东城网格", False),  # grid
    ("trainer", None, None, False),
    ("manager", "城区", "东城网格", False),
])
def test_who_may_reverse(make_user, role, county_name, grid, may):
    assert services.can_reverse(make_user(role, county=county_name, grid=grid)) is may


def test_the_service_refuses_a_grid_supervisor(county):
    entry = penalty_of(county["east"][0])
    with pytest.raises(Forbidden):
        services.reverse_entry(entry.id, actor=county["grid_sup"], reason="申诉成立", now=utcnow())
    assert reversals() == 0
