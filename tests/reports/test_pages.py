"""The report pages per role, through the test client; a county supervisor never sees another county, on any page
or export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from lms.assessment.models import LedgerEntry
from lms.attempts.models import Attempt, AttemptEvent
from lms.courses.models import Lesson, TrainingSession
from lms.extensions import db
from tests.support.web import post_form


def workbook_text(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                    for v in row if v is not None)


def numbers(people):
    return {p.employee_no for p in people}


@pytest.mark.parametrize(("role", "status"), [("town_sup", 200), ("city_sup", 200), ("admin", 200),
                                              ("trainer", 403)])
def test_supervisor_home_per_role(auth, world, role, status):
    auth.login(world[role])
    assert auth.client.get("/reports/").status_code == status


def test_managers_cannot_open_any_report(auth, world):
    auth.login(world["town"][1])
    for url in ("/reports/", "/reports/trainer", f"/reports/periods/{world['periods'][2]}",
                f"/reports/people/{world['town'][1].id}"):
        assert auth.client.get(url).status_code == 403


def test_risk_board_shows_this_month_and_the_risk_lists(auth, world):
    auth.login(world["town_sup"])
    page = auth.client.get("/reports/").get_data(as_text=True)
    town = world["town"]
    assert "连续两次不及格（罚款）" in page
    for person in (town[0], town[2], town[3]):  # penalty due
        assert f'/reports/people/{person.id}"' in page
    assert town[1].employee_no in page  # at risk
    assert "考试窗口还剩" in page
    # 城区 has five managers: town[3] passed, town[0] is taking the test, three have not started
    tiles = page.split('class="tiles"')[1].split("</ul>")[0]
    assert 'tile-passed"><span class="value">1<' in tiles
    assert 'tile-in_progress"><span class="value">1<' in tiles
    assert 'tile-not_started"><span class="value">3<' in tiles


def test_a_county_supervisor_never_sees_another_county(auth, world):
    auth.login(world["town_sup"])
    client = auth.client
    period = world["periods"][2]
    theirs, others = numbers(world["town"] + world["west"]), numbers(world["country"])
    pages = [client.get(url).get_data(as_text=True) for url in ("/reports/", f"/reports/periods/{period}")]
    exports = [workbook_text(client.get(url)) for url in (
        "/reports/export.xlsx", f"/reports/periods/{period}/export.xlsx",
        f"/reports/people/{world['town'][0].id}/export.xlsx")]
    for text in pages + exports:
        assert not any(number in text for number in others)
        assert "郊县" not in text
    assert any(number in exports[0] for number in theirs)
    assert any(number in exports[1] for number in theirs)
    for person in world["country"]:
        assert client.get(f"/reports/people/{person.id}").status_code == 404
        assert client.get(f"/reports/people/{person.id}/export.xlsx").status_code == 404


def test_a_grid_supervisor_sees_only_their_grid(auth, world):
    auth.login(world["grid_sup"])
    page = auth.client.get(f"/reports/periods/{world['periods'][2]}").get_data(as_text=True)
    assert "西城网格" not in page
    assert world["west"][0].employee_no not in workbook_text(auth.client.get("/reports/export.xlsx"))
    assert auth.client.get(f"/reports/people/{world['west'][0].id}").status_code == 404


def test_period_page_has_rates_charts_ranking_ledger_and_notice_links(auth, world):
    auth.login(world["city_sup"])
    period = world["periods"][2]
    page = auth.client.get(f"/reports/periods/{period}").get_data(as_text=True)
    assert "<svg" in page
    assert "成绩分布" in page
    assert "近12个月" in page
    assert "郊县" in page
    assert "南山网格" in page
    assert "黄牌警告" in page
    assert "奖励" in page
    assert "现金处罚" in page  # the ledger of the period
    assert f"/assessment/{period}/notice/" in page
    assert "25%" in page  # 8 managers, 2 passed: written as people write it


def test_period_export_has_every_table(auth, world):
    auth.login(world["city_sup"])
    response = auth.client.get(f"/reports/periods/{world['periods'][2]}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["总体", "按县区", "按网格", "成绩分布", "近12个月趋势", "排名", "台账汇总", "台账"]
    header = next(book["台账"].iter_rows(values_only=True))
    assert header[:3] == ("记录编号", "工号", "姓名")


def test_person_page_shows_the_evidence(auth, world):
    auth.login(world["town_sup"])
    person = world["town"][0]
    page = auth.client.get(f"/reports/people/{person.id}").get_data(as_text=True)
    assert "成绩走势" in page
    assert "<svg" in page
    assert "保存答案" in page  # the evidence in words (answer_saved)
    assert "页面隐藏" in page  # tab_hidden
    assert "answer_saved" not in page
    assert "现金处罚" in page
    assert "通报批评" in page
    assert "作答中" in page  # this month's attempt is still running


def test_an_appeal_is_reversed_from_the_person_page_through_the_ledger_rules(auth, world):
    person = world["town"][0]
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == person.id,
                                                        LedgerEntry.kind == "cash_penalty"))
    auth.login(world["town_sup"])
    url = f"/reports/people/{person.id}"
    refused = post_form(auth.client, f"{url}/ledger/{entry.id}/reverse", {"reason": ""}, token_from=url,
                        follow_redirects=True)
    assert "请填写冲销原因" in refused.get_data(as_text=True)
    response = post_form(auth.client, f"{url}/ledger/{entry.id}/reverse", {"reason": "系统故障，申诉成立"},
                         token_from=url)
    assert response.status_code == 302
    db.session.rollback()
    reversal = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id))
    assert reversal.kind == "reversal"
    assert reversal.amount_yuan == -200
    assert reversal.created_by_id == world["town_sup"].id
    assert "系统故障" in reversal.reason
    again = post_form(auth.client, f"{url}/ledger/{entry.id}/reverse", {"reason": "再来一次"}, token_from=url,
                      follow_redirects=True)
    assert "不能重复冲销" in again.get_data(as_text=True)


def test_another_countys_supervisor_cannot_reverse(auth, world):
    person = world["town"][0]
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == person.id))
    auth.login(world["country_sup"])
    response = post_form(auth.client, f"/reports/people/{person.id}/ledger/{entry.id}/reverse",
                         {"reason": "越权"}, token_from="/reports/")
    assert response.status_code == 404
    assert db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id)) is None


@pytest.mark.parametrize(("role", "status"), [("trainer", 200), ("admin", 200), ("city_sup", 403)])
def test_trainer_pages_per_role(auth, world, role, status):
    auth.login(world[role])
    slug = world["quizzes"][world["periods"][2]].slug
    for url in ("/reports/trainer", f"/reports/quizzes/{slug}", "/reports/suggestions",
                f"/reports/quizzes/{slug}/regrade/q1"):
        assert auth.client.get(url).status_code == status, url


def test_trainer_exports(auth, world):
    auth.login(world["trainer"])
    slug = world["quizzes"][world["periods"][2]].slug
    assert "难度系数P" in workbook_text(auth.client.get(f"/reports/quizzes/{slug}/export.xlsx"))
    assert slug in workbook_text(auth.client.get("/reports/trainer/export.xlsx"))
    assert "东城网格" in workbook_text(auth.client.get("/reports/suggestions/export.xlsx"))


def test_a_suggestion_becomes_a_point_to_point_session(auth, world):
    db.session.add(Lesson(slug="policy-terminal", source="web", title="11月终端政策", category="policy"))
    db.session.commit()
    auth.login(world["trainer"])
    page = auth.client.get("/reports/suggestions").get_data(as_text=True)
    grid_id = world["town"][0].grid_id
    assert f"/reports/suggestions/session?grid={grid_id}" in page
    assert "11月终端政策" in page  # the lesson behind the most-missed questions
    url = f"/reports/suggestions/session?grid={grid_id}"
    form = auth.client.get(url).get_data(as_text=True)
    assert "点对点培训：东城网格" in form
    town = world["town"]
    response = post_form(auth.client, url, {
        "title": "点对点培训：东城网格", "starts_at": "2026-12-05T09:00", "place": "城区分公司三楼",
        "lesson": "policy-terminal", "invitee": [str(p.id) for p in town] + [str(world["country"][0].id)]})
    assert response.status_code == 302
    db.session.rollback()
    session = db.session.scalar(select(TrainingSession))
    assert session.mode == "point"
    assert {i.user_id for i in session.invitations} == {p.id for p in town}  # only the grid's people
    assert [lesson.slug for lesson in session.lessons] == ["policy-terminal"]
    assert session.county_id == town[0].county_id


def test_a_session_form_with_problems_writes_nothing(auth, world):
    auth.login(world["trainer"])
    url = f"/reports/suggestions/session?grid={world['town'][0].grid_id}"
    response = post_form(auth.client, url, {"title": "点对点", "starts_at": "2026-12-05T09:00", "place": "三楼"})
    assert "请至少选择一位参训人员" in response.get_data(as_text=True)
    assert db.session.scalar(select(TrainingSession)) is None


def test_person_page_lists_regraded_attempts_evidence(auth, world):
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == world["town"][0].id))
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind="regraded", at=attempt.started_at,
                                detail={"question": "q1", "old_score": 70.0, "new_score": 80.0, "by": "T0001"}))
    db.session.commit()
    auth.login(world["admin"])
    page = auth.client.get(f"/reports/people/{world['town'][0].id}").get_data(as_text=True)
    assert "更正答案后重新评分" in page
    assert "70 → 80 分" in page


def test_the_supervisor_home_panel_counts_the_risk_lists(auth, world):
    auth.login(world["town_sup"])
    page = auth.client.get("/").get_data(as_text=True)
    assert f"{world['periods'][2]} 连续不及格 3 人，上期不及格 2 人" in page
    assert "/reports/" in page
