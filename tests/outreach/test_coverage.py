"""门店学习覆盖: per county, grid, kind, star and manager, the shops reached, opened, read and passed in a month; the
shops never opened; the questions shops miss most; a supervisor's scope (a grid supervisor never sees another
grid's shops); the page, its export and who may open them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.outreach import coverage_queries, coverage_rules
from tests.outreach.coverage_support import NOW, PERIOD, add_shop, at, coverage_world, link, reading
from tests.support.clock import Clock
from tests.support.databases import statements_run


@pytest.fixture
def world(app, make_user):
    return coverage_world(make_user)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(NOW)
    monkeypatch.setattr("lms.field.board_filters.utcnow", moved)
    return moved


def codes(lines):
    return [line.shop.code for line in lines]


def test_a_grid_supervisor_counts_the_shops_of_their_grid_only(world, make_user):
    found = coverage_queries.coverage(make_user("supervisor"), PERIOD)  # 东城网格's
    assert codes(found.lines) == ["S01", "S02", "S03", "S04", "S06"]  # S05 is closed; S07, S08 other grids
    assert found.total == coverage_rules.Tally(total=5, reached=2, opened=2, read=1, passed=1)
    assert [(g.label, g.tally.total) for g in found.by_grid] == [("东城网格", 5)]
    assert [(line.shop.code, line.never_reached) for line in found.never_reached] == [
        ("S03", coverage_rules.NO_LINK), ("S04", coverage_rules.NOT_OPENED), ("S06", coverage_rules.NO_LINK)]
    # 李强 has shared nothing: he comes before 王芳
    assert [(g.label, g.tally.total, g.tally.reached, g.tally.read) for g in found.by_manager] == [
        ("李强", 2, 0, 0), ("王芳", 3, 2, 1)]
    assert [(g.key, g.tally.total, g.tally.read) for g in found.by_kind] == [
        ("terminal", 2, 1), ("business", 1, 0), ("village", 2, 0)]
    assert [(g.key, g.tally.total) for g in found.by_star] == [(5, 1), (4, 1), (3, 1), (2, 1), (1, 1)]


def test_the_questions_shops_missed_most_with_their_text_and_lesson(world, make_user):
    q1, q2, q3 = world.keys
    found = coverage_queries.coverage(make_user("supervisor", grid=None), PERIOD)  # 城区: S01, S02, S07
    assert [(q.misses.key, q.misses.asked, q.misses.missed) for q in found.questions] == [
        (q1, 3, 2), (q3, 3, 1), (q2, 3, 0)]
    assert found.questions[0].text == "购机直降多少元？"
    assert found.questions[0].lesson == "十二月购机直降"


def test_a_county_supervisor_sees_the_county_s_grids_and_the_city_sees_every_county(world, make_user):
    county = coverage_queries.coverage(make_user("supervisor", grid=None), PERIOD)
    assert [(g.label, g.tally.total, g.tally.read) for g in county.by_grid] == [("东城网格", 5, 1), ("西城网格", 1, 1)]
    assert [(g.label, g.tally.total) for g in county.by_county] == [("城区", 6)]
    assert "S08" not in codes(county.lines)
    city = coverage_queries.coverage(make_user("supervisor", county=None, grid=None), PERIOD)
    assert [(g.label, g.tally.total, g.tally.reached, g.tally.opened) for g in city.by_county] == [
        ("城区", 6, 3, 3), ("郊县", 1, 1, 1)]
    assert codes(coverage_queries.coverage(make_user("admin"), PERIOD).lines) == codes(city.lines)
    one_grid = coverage_queries.coverage(make_user("admin"), PERIOD, grid_id=world.people["zhao"].grid_id)
    assert codes(one_grid.lines) == ["S07"]


def test_a_past_month_counts_the_shops_and_links_of_that_month(world, make_user):
    found = coverage_queries.coverage(make_user("supervisor"), "2026-11")
    assert codes(found.lines) == ["S01", "S02", "S03", "S04"]  # S06 was added in December
    reached = {line.shop.code for line in found.lines if line.month.reached}
    assert reached == {"S04"}  # its link was in force until 1 November; December's links were not made yet
    assert found.total.opened == 0
    # up to November's end, nobody had opened anything, and the shops of December's links had none
    assert [(line.shop.code, line.never_reached) for line in found.never_reached] == [
        ("S01", coverage_rules.NO_LINK), ("S02", coverage_rules.NO_LINK), ("S03", coverage_rules.NO_LINK),
        ("S04", coverage_rules.NOT_OPENED)]


def test_a_shop_that_opened_an_earlier_month_is_not_never_reached(world, make_user):
    reading(world.shops["S04"], period="2026-11")
    db.session.commit()
    found = coverage_queries.coverage(make_user("supervisor"), PERIOD)
    assert codes(found.never_reached) == ["S03", "S06"]
    assert not next(line for line in found.lines if line.shop.code == "S04").month.reached  # not this month


def test_the_coverage_reads_every_shop_in_the_same_few_statements(world, make_user):
    viewer = make_user("supervisor", county=None, grid=None)
    with statements_run() as few:
        coverage_queries.coverage(viewer, PERIOD)
    for number in range(12):
        person = make_user(grid=f"网格{number % 3}")
        shop = add_shop(person, f"X{number:02d}", "terminal", 3)
        link(shop, at(12, 2), at(3, 1, 2027))
        reading(shop, dict.fromkeys(world.keys, number % 2 == 0), confirmed=True)
    db.session.commit()
    with statements_run() as many:
        found = coverage_queries.coverage(viewer, PERIOD)
    assert found.total.total == 19
    # the viewer, the shops, their grids, managers, managers' grids, counties, links, readings, shops ever opened,
    # the questions and their lessons
    assert len(many) == len(few) <= 11


# --- the page, its export and who may open them --------------------------------------------------------------------

def test_a_grid_supervisor_reads_the_grid_s_coverage_and_downloads_it(client, auth, world, make_user, clock):
    auth.login(make_user("supervisor"))
    response = client.get("/outreach/coverage")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in ("东城网格", "王芳", "李强", "王家村代办点", "李家手机店", "新开村点", "从未生成链接",
                  "有链接，从未打开", "购机直降多少元？", "点对点培训", "未分享"):
        assert shown in page, shown
    for hidden in ("西城合作厅", "郊县村点", "赵磊", "孙丽", "已关闭的店", "各县区"):
        assert hidden not in page, hidden
    assert 'name="grid"' not in page  # one grid: nothing to choose
    assert "(40%)" in page  # 2 of 5 reached
    assert "/outreach/coverage/export.xlsx?period=2026-12" in page

    download = client.get("/outreach/coverage/export.xlsx?period=2026-12")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["门店学习覆盖 2026-12", "按网格", "按渠道经理", "按渠道类型", "按星级", "从未打开的渠道",
                               "门店易错题"]
    counties, grids, managers, _kinds, _stars, never, questions = book.worksheets
    assert [c.value for c in counties[1]] == ["县区", *coverage_queries.TALLY_HEADERS]
    assert [c.value for c in counties[2]] == ["城区", 5, 2, 40.0, 2, 40.0, 1, 20.0, 1, 20.0]
    assert [c.value for c in grids[2]][:3] == ["东城网格", "城区", 5]
    li, wang = world.people["li"].employee_no, world.people["wang"].employee_no
    assert [row[:4] for row in managers.iter_rows(min_row=2, values_only=True)] == [
        ("李强", li, "东城网格", 2), ("王芳", wang, "东城网格", 3)]
    assert [(row[1], row[6], row[8]) for row in never.iter_rows(min_row=2, values_only=True)] == [
        ("S03", "王芳", "从未生成链接"), ("S04", "李强", "有链接，从未打开"), ("S06", "李强", "从未生成链接")]
    assert next(row[:5] for row in questions.iter_rows(min_row=2, values_only=True)) == (
        "购机直降多少元？", "十二月购机直降", 2, 1, 50.0)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "export.personal_data"
    assert entry.changes["what"] == "outreach_coverage"


def test_a_county_supervisor_chooses_a_grid_and_others_are_refused(client, auth, world, make_user, clock):
    auth.login(make_user("supervisor", grid=None))
    page = client.get("/outreach/coverage").get_data(as_text=True)
    assert "各县区" in page
    assert 'name="grid"' in page
    assert "西城合作厅" not in page  # read: reached, not in the never-reached list
    assert "赵磊" in page
    west = world.people["zhao"].grid_id
    page = client.get(f"/outreach/coverage?grid={west}").get_data(as_text=True)
    assert "赵磊" in page
    assert "王芳" not in page
    north = world.people["sun"].grid_id  # another county's grid: ignored, the whole county shows
    page = client.get(f"/outreach/coverage?grid={north}").get_data(as_text=True)
    assert "郊县村点" not in page
    assert "王芳" in page
    assert client.get("/outreach/coverage?period=2027-01").status_code == 404  # still to come
    assert client.get("/outreach/coverage?period=2026-13").status_code == 404
    assert client.get("/outreach/coverage?period=2026-11").status_code == 200
    auth.logout()
    auth.login(world.people["wang"])
    assert client.get("/outreach/coverage").status_code == 403
    assert client.get("/outreach/coverage/export.xlsx").status_code == 403


def test_a_month_without_a_shop_pack_says_so(client, auth, make_user, clock):
    auth.login(make_user("admin"))
    page = client.get("/outreach/coverage").get_data(as_text=True)
    assert "门店学习包为空" in page
    assert "您的范围内没有渠道。" in page


def test_the_manager_page_links_supervisors_to_the_coverage(client, auth, world, make_user):
    auth.login(make_user("supervisor"))
    page = client.get("/outreach").get_data(as_text=True)
    assert "/outreach/coverage" in page
    auth.logout()
    auth.login(world.people["wang"])
    page = client.get("/outreach").get_data(as_text=True)
    assert "本月已打开" in page
    assert "/outreach/coverage" not in page
