"""拜访达标: per channel manager this week's and this month's required visits against those made, the shops overdue
(most overdue first), the viewer's scope, and the export; the check-in board's month export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.field import rules, visit_compliance_queries, visit_rules
from lms.field.checkin_models import CheckIn
from lms.field.rules import MONTH, TERMINAL, WEEK, VisitRule
from tests.support.clock import Clock
from tests.support.databases import statements_run
from tests.support.people import LONG_AGO
from tests.support.visits import add_shop, record, visit_form

# Wednesday 9 December 2026, 10:00 in Shanghai: the week is Monday 7 to Sunday 13 December.
NOW = datetime(2026, 12, 9, 2, tzinfo=UTC)
# The plan's table makes every shop's kind ask at least one visit a week, so its "1–3 stars: once a month" never
# decides; the tests use a table where it does for village shops.
TABLE = (VisitRule(3, WEEK, kind=TERMINAL), VisitRule(2, WEEK, stars=(4, 5)), VisitRule(1, MONTH, stars=(1, 2, 3)))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(NOW)
    monkeypatch.setattr("lms.field.visit_compliance_views.utcnow", moved)
    monkeypatch.setattr("lms.field.board_filters.utcnow", moved)  # the month shown by default
    monkeypatch.setattr("lms.field.checkin_views.utcnow", moved)
    return moved


@pytest.fixture(autouse=True)
def _table(monkeypatch: pytest.MonkeyPatch) -> None:
    original = rules.required_visits
    monkeypatch.setattr(rules, "required_visits", lambda kind, star: original(kind, star, TABLE))


def at(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 2, tzinfo=UTC)  # 10:00 in Shanghai


def shop_of(manager, code, kind, star):
    shop = add_shop(manager, code=code, name=f"{code}店", kind=kind, star=star)
    shop.created_at = datetime(2026, 10, 1, tzinfo=UTC)
    db.session.commit()
    return shop


@pytest.fixture
def world(make_user, tmp_path):
    """王芳 of 东城网格: a terminal shop (3 a week) visited 1, 2 and 7 December, a 1-star village shop (once a month)
    last visited 20 October; 李强 of the same grid: a terminal shop last visited 3 December; 赵磊 of 西城网格."""
    wang, li = make_user(name="王芳"), make_user(name="李强")
    zhao = make_user(name="赵磊", grid="西城网格")
    terminal, village = shop_of(wang, "T1", "terminal", 4), shop_of(wang, "V1", "village", 1)
    for day in (1, 2, 7):
        record(visit_form(terminal), wang, at(day), tmp_path)
    record(visit_form(village), wang, at(20, 10), tmp_path)
    record(visit_form(shop_of(li, "T2", "terminal", 3)), li, at(3), tmp_path)
    shop_of(zhao, "T3", "terminal", 3)
    return {"wang": wang, "li": li, "zhao": zhao}


def test_the_week_the_month_and_the_overdue_shops_of_each_manager(world, make_user):
    viewer = make_user("supervisor", grid=None)  # the county's supervisor
    found = visit_compliance_queries.board(viewer, "2026-12", date(2026, 12, 9))
    assert found.week == (date(2026, 12, 7), date(2026, 12, 13))
    rows = {r.person.name: r for r in found.rows}
    wang = rows["王芳"]
    assert (wang.week_required, wang.week_done) == (3, 1)  # the monthly shop asks nothing of one week
    assert (wang.month.required, wang.month.done) == (13, 3)  # 3 × 4 weeks + 1
    assert wang.month.share == pytest.approx(3 / 13)
    assert [(s.shop.code, s.last_visit, s.days_since, s.overdue_by) for s in wang.overdue] == [
        ("V1", date(2026, 10, 20), 50, 20)]
    assert [(s.shop.code, s.days_since, s.overdue_by) for s in rows["李强"].overdue] == [("T2", 6, 3)]
    # 赵磊's shop was never visited: overdue since it was added on 1 October
    assert [s.shop.code for s in found.overdue] == ["T3", "V1", "T2"]
    assert found.overdue[0].last_visit is None
    assert found.overdue[0].days_since == 69


def test_a_past_month_is_judged_as_of_its_last_day(world, make_user):
    found = visit_compliance_queries.board(make_user("supervisor"), "2026-11", date(2026, 12, 9))
    assert (found.day, found.week) == (date(2026, 11, 30), (date(2026, 11, 30), date(2026, 12, 6)))
    wang = next(r for r in found.rows if r.person.name == "王芳")
    assert (wang.week_done, wang.month.done) == (2, 0)  # 1 and 2 December are in the week of 30 November
    # T1 was added on 1 October and first visited in December: 60 days, 57 past its 3; V1 41 days, 11 past its 30
    assert [(s.shop.code, s.overdue_by) for s in wang.overdue] == [("T1", 57), ("V1", 11)]


def test_the_board_reads_all_managers_in_a_few_statements(world, make_user):
    viewer = make_user("supervisor", grid=None)
    with statements_run() as few:
        visit_compliance_queries.board(viewer, "2026-12", date(2026, 12, 9))
    for number in range(6):
        shop_of(make_user(), f"X{number}", "terminal", 2)
    with statements_run() as many:
        found = visit_compliance_queries.board(viewer, "2026-12", date(2026, 12, 9))
    assert len(found.rows) == 9
    assert len(many) == len(few) <= 8  # the managers, their units, shops, month, week, last visits


def test_the_rules_count_a_week_and_the_gap_a_shop_may_go_unvisited():
    assert visit_rules.week_of(date(2026, 12, 13)) == (date(2026, 12, 7), date(2026, 12, 14))
    assert [visit_rules.allowed_gap_days(n, "week") for n in (3, 2, 1)] == [3, 4, 7]
    assert visit_rules.allowed_gap_days(1, "month") == 30
    assert visit_rules.required_in_week(1, "month") == 0
    assert visit_rules.days_overdue(date(2026, 12, 5), date(2026, 1, 1), date(2026, 12, 9), 4) is None
    assert visit_rules.days_overdue(None, date(2026, 12, 1), date(2026, 12, 9), 4) == 4


def test_a_grid_supervisor_sees_their_grid_and_downloads_it(client, auth, world, make_user, clock):
    auth.login(make_user("supervisor"))
    page = client.get("/field/visits/compliance")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "王芳" in text
    assert "李强" in text
    assert "赵磊" not in text
    assert "T2店" in text
    assert "T3店" not in text
    assert 'name="grid"' not in text  # one grid: no grid to choose
    assert "23.1%" in text
    assert "/field/visits/compliance/export.xlsx?period=2026-12" in text
    download = client.get("/field/visits/compliance/export.xlsx?period=2026-12")
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    managers, overdue = book.worksheets
    assert [c.value for c in managers[1]][:2] == ["工号", "姓名"]
    rows = {row[1]: row for row in managers.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"王芳", "李强"}
    assert rows["王芳"][4:] == (2, 3, 1, 13, 3, 23.1, 1)
    assert [row[:2] + row[6:] for row in overdue.iter_rows(min_row=2, values_only=True)] == [
        ("V1店", "V1", "每月至少1次", "2026-10-20", 50, 20), ("T2店", "T2", "每周至少3次", "2026-12-03", 6, 3)]
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == \
        "export.personal_data"


def test_a_county_supervisor_chooses_a_grid_and_a_manager_is_refused(client, auth, world, make_user, clock):
    auth.login(make_user("supervisor", grid=None))
    text = client.get("/field/visits/compliance").get_data(as_text=True)
    assert "赵磊" in text
    assert 'name="grid"' in text
    west = world["zhao"].grid_id
    text = client.get(f"/field/visits/compliance?grid={west}").get_data(as_text=True)
    assert "赵磊" in text
    assert "王芳" not in text
    assert client.get("/field/visits/compliance?period=2027-01").status_code == 404  # still to come
    assert client.get("/field/visits/compliance?period=2026-13").status_code == 404
    auth.logout()
    auth.login(world["wang"])
    assert client.get("/field/visits/compliance").status_code == 403
    assert client.get("/field/visits/compliance/export.xlsx").status_code == 403
    assert client.get("/field/checkins/export.xlsx").status_code == 403


def checkin_row(person, day: date, slot: str, **flags: bool) -> None:
    db.session.add(CheckIn(user_id=person.id, slot=slot, day=day, idempotency_key=f"{person.id}-{day}-{slot}",
                           **flags))
    db.session.commit()


def test_the_check_in_board_exports_its_month(client, auth, make_user, clock):
    person = make_user(name="王芳")
    person.joined_at = LONG_AGO  # nothing is due before a person joined
    checkin_row(person, date(2026, 12, 7), "morning", late=True)
    checkin_row(person, date(2026, 12, 7), "evening")
    checkin_row(person, date(2026, 12, 8), "morning", far=True)
    auth.login(make_user("supervisor"))
    page = client.get("/field/checkins?period=2026-12").get_data(as_text=True)
    assert "/field/checkins/export.xlsx?period=2026-12" in page
    download = client.get("/field/checkins/export.xlsx?period=2026-12")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in sheet[1]][4:] == ["签到天数", "应签", "已签", "合规", "迟到", "早退", "不在规定地点",
                                               "无位置", "缺签", "签到率(%)"]
    # 1–9 December: 7 working days, 14 required check-ins; 3 made, 1 of them on time at the place
    assert [c.value for c in sheet[2]][:2] == [person.employee_no, "王芳"]
    assert [c.value for c in sheet[2]][4:] == [2, 14, 3, 1, 1, 0, 1, 0, 11, 7.1]
