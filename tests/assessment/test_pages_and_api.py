"""Pages, exports and the API as people use them; a county supervisor never sees another county."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.assessment import services
from lms.assessment.models import ClosedPeriod, LedgerEntry, Notice
from lms.extensions import db
from lms.org.models import Unit
from tests.support.ledger import add_ledger_entry
from tests.support.quizzes import after_close
from tests.support.web import post_form


@pytest.fixture
def world(managers, monthly_quiz, take, make_user):
    town = managers(4, county="城区", grid="东城网格")
    country = managers(4, county="郊县", grid="西城网格")
    for period, low in (("2026-10", 60), ("2026-11", 50)):
        scores = {town[0]: low, country[0]: low}
        scores.update({p: 82 + i for i, p in enumerate(town[1:] + country[1:])})
        take(monthly_quiz(period), scores)
    services.close_month("2026-10", now=after_close("2026-10"))
    return {
        "town": town, "country": country,
        "town_sup": make_user("supervisor", county="城区", grid=None),
        "city_sup": make_user("supervisor", county=None, grid=None),
        "trainer": make_user("trainer"), "admin": make_user("admin"),
        "town_unit": db.session.scalar(select(Unit).where(Unit.name == "城区")),
        "country_unit": db.session.scalar(select(Unit).where(Unit.name == "郊县")),
    }


def close_november(world):
    services.close_month("2026-11", now=after_close("2026-11"), actor=world["city_sup"])


def numbers(people):
    return {p.employee_no for p in people}


def test_city_supervisor_previews_then_closes_from_the_page(auth, world):
    auth.login(world["city_sup"])
    preview = auth.client.get("/assessment/2026-11/preview")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "现金处罚" in page
    assert world["town"][0].employee_no in page
    assert db.session.scalar(select(func.count()).select_from(ClosedPeriod)) == 1  # the preview wrote nothing
    response = post_form(auth.client, "/assessment/2026-11/close", {}, token_from="/assessment/2026-11/preview")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(ClosedPeriod.closed_by_id).where(ClosedPeriod.period == "2026-11")) == \
        world["city_sup"].id
    again = post_form(auth.client, "/assessment/2026-11/close", {}, token_from="/assessment/2026-11/preview",
                      follow_redirects=True)
    assert "已结账，本次未做任何更改" in again.get_data(as_text=True)


def test_county_supervisor_cannot_close(auth, world):
    auth.login(world["town_sup"])
    assert auth.client.get("/assessment/2026-11/preview").status_code == 403
    assert post_form(auth.client, "/assessment/2026-11/close", {}, token_from="/assessment/").status_code == 403
    assert not services.is_closed("2026-11")


def test_county_supervisor_sees_only_their_county_everywhere(auth, client, world):
    close_november(world)
    auth.login(world["town_sup"])
    mine, other = numbers(world["town"]), numbers(world["country"])
    pages = [client.get(url).get_data(as_text=True) for url in (
        "/assessment/2026-11", "/assessment/2026-11/ranking", "/assessment/2026-11/ledger",
        "/assessment/2026-11/export.csv", "/assessment/2026-11/export.json")]
    for page in pages:
        assert all(n not in page for n in other)
    assert all(n in pages[0] for n in mine)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/assessment/2026-11/export.xlsx").data))
    cells = {str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row}
    assert mine <= cells
    assert not other & cells
    results = client.get("/api/v1/periods/2026-11/results").get_json()
    assert {r["employee_no"] for r in results} == mine
    ledger = client.get("/api/v1/ledger?period=2026-11").get_json()
    assert {e["employee_no"] for e in ledger} <= mine
    assert {e["employee_no"] for e in client.get("/api/v1/ledger").get_json()} <= mine
    twice = client.get("/api/v1/reports/failed-twice?period=2026-11").get_json()
    assert [r["employee_no"] for r in twice] == [world["town"][0].employee_no]
    country = world["country_unit"].id
    assert client.get(f"/assessment/2026-11/notice/{country}").status_code == 404
    assert client.get(f"/assessment/2026-11/notice/{country}.pdf").status_code == 404
    assert post_form(client, f"/assessment/2026-11/notice/{country}/publish", {},
                     token_from="/assessment/").status_code == 404
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == world["country"][0].id))
    assert client.get(f"/assessment/ledger/{entry.id}/reverse").status_code == 404


def test_a_manager_sees_only_themselves(auth, client, world):
    close_november(world)
    person = world["town"][0]
    auth.login(person)
    assert {r["employee_no"] for r in client.get("/api/v1/periods/2026-11/results").get_json()} == {person.employee_no}
    kinds = {e["kind"] for e in client.get("/api/v1/ledger").get_json()}
    assert {"criticism", "cash_penalty"} <= kinds
    assert {e["employee_no"] for e in client.get("/api/v1/ledger").get_json()} == {person.employee_no}
    assert client.get("/assessment/2026-11").status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert "我的考核记录" in home
    mine = client.get("/assessment/mine").get_data(as_text=True)
    assert "现金处罚" in mine
    assert "200" in mine


def test_the_api_shapes_follow_the_contract(auth, client, world):
    close_november(world)
    auth.login(world["admin"])
    result = client.get("/api/v1/periods/2026-11/results").get_json()[0]
    assert {"employee_no", "name", "county", "grid", "score", "passed", "absent"} <= set(result)
    entry = client.get("/api/v1/ledger?period=2026-11").get_json()[0]
    assert {"id", "employee_no", "period", "kind", "amount_yuan", "points", "reason", "created_at", "created_by",
            "reverses"} <= set(entry)
    assert entry["created_by"] == "system"
    assert client.get("/api/v1/ledger?period=11-2026").status_code == 400
    assert client.get("/api/v1/reports/failed-twice").status_code == 400
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/periods/{period}/results", "/ledger", "/reports/failed-twice"} <= set(paths)


def pdf_text_and_fonts(pdf: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607 - poppler, a test dependency
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607 - same
    return text, fonts


def test_notice_draft_publish_and_the_managers_view(auth, client, world, tmp_path):
    close_november(world)
    town = world["town_unit"].id
    person = world["town"][0]
    auth.login(person)
    assert client.get(f"/assessment/2026-11/notice/{town}").status_code == 404  # a draft is not for managers
    auth.logout()
    auth.login(world["town_sup"])
    draft = client.get(f"/assessment/2026-11/notice/{town}").get_data(as_text=True)
    assert "草稿" in draft
    assert person.name in draft
    pdf = client.get(f"/assessment/2026-11/notice/{town}.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    text, fonts = pdf_text_and_fonts(pdf.data, tmp_path)
    assert person.name in text
    assert "现金处罚" in text
    assert "Noto-Sans-CJK-SC" in fonts
    assert "Serif" not in fonts  # every glyph, page numbers included, from the CJK sans face
    published = post_form(client, f"/assessment/2026-11/notice/{town}/publish", {},
                          token_from=f"/assessment/2026-11/notice/{town}", follow_redirects=True)
    assert "已发布" in published.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    auth.logout()
    auth.login(person)
    notice = client.get(f"/assessment/2026-11/notice/{town}").get_data(as_text=True)
    assert "现金处罚" in notice
    assert "通报" in client.get("/assessment/mine").get_data(as_text=True)


def test_reversal_through_the_page_once_only(auth, client, world):
    close_november(world)
    penalty = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == world["town"][0].id,
                                                          LedgerEntry.kind == "cash_penalty"))
    auth.login(world["town_sup"])
    url = f"/assessment/ledger/{penalty.id}/reverse"
    empty = post_form(client, url, {"reason": ""})
    assert empty.status_code == 200
    assert db.session.scalar(select(func.count()).where(LedgerEntry.reverses_id == penalty.id)) == 0
    done = post_form(client, url, {"reason": "补考记录遗漏，申诉成立"})
    assert done.status_code == 302
    db.session.rollback()
    reversal = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == penalty.id))
    assert (reversal.kind, reversal.amount_yuan, reversal.created_by_id) == ("reversal", -200, world["town_sup"].id)
    assert "补考记录遗漏" in reversal.reason
    again = post_form(client, url, {"reason": "再次"})
    assert "已被冲销" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(LedgerEntry.reverses_id == penalty.id)) == 1
    balance = db.session.scalar(select(func.sum(LedgerEntry.amount_yuan)).where(
        LedgerEntry.user_id == world["town"][0].id, LedgerEntry.period == "2026-11"))
    assert balance == 0


def test_system_operation_deduction_with_evidence_and_no_double_submit(auth, client, world):
    auth.login(world["trainer"])
    page = client.get("/assessment/deductions/new").get_data(as_text=True)
    key = page.split('name="request_key" type="hidden" value="')[1].split('"')[0]
    form = {"employee_no": world["town"][1].employee_no, "system": "b2b", "what_happened": "不会在B2B系统办理换货",
            "reported_by": "东城手机店 王老板", "request_key": key}
    assert post_form(client, "/assessment/deductions/new", form).status_code == 302
    assert post_form(client, "/assessment/deductions/new", form).status_code == 302
    db.session.rollback()
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "deduction")).all()
    assert len(entries) == 1
    assert entries[0].points == -2
    assert entries[0].evidence["reported_by"] == "东城手机店 王老板"
    assert entries[0].rule == "R3-system-ops"
    bad = post_form(client, "/assessment/deductions/new", {**form, "employee_no": "NOBODY", "request_key": "k2"})
    assert "不是您管辖范围内的渠道经理" in bad.get_data(as_text=True)


def test_a_deduction_lowers_the_unified_score_of_its_period(world, monthly_quiz):
    person = world["town"][1]
    services.record_system_ops_deduction(employee_no=person.employee_no, system="daily", what_happened="查不到绑定日期",
                                         reported_by="门店", actor=world["trainer"], period="2026-11",
                                         now=after_close("2026-11"))
    close_november(world)
    from lms.assessment.models import Ranking

    ranking = db.session.scalar(select(Ranking).where(Ranking.user_id == person.id, Ranking.period == "2026-11"))
    assert (ranking.test_score, ranking.deductions, ranking.unified_score) == (82, 2, 80)


def test_a_county_supervisor_cannot_deduct_outside_their_county(world):
    from lms.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.record_system_ops_deduction(
            employee_no=world["country"][1].employee_no, system="daily", what_happened="x", reported_by="y",
            actor=world["town_sup"], now=after_close("2026-11"), period="2026-11")


def test_exports_from_the_command_line(runner, world, tmp_path):
    close_november(world)
    target = tmp_path / "nov.csv"
    assert runner.invoke(args=["export", "2026-11", "--format", "csv", "-o", str(target)]).exit_code == 0
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["工号", "姓名", "县区"]
    assert len({r[0] for r in rows[1:9]}) == 8
    xlsx = tmp_path / "nov.xlsx"
    assert runner.invoke(args=["export", "2026-11", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    workbook = openpyxl.load_workbook(xlsx)
    assert [s.title for s in workbook.worksheets] == ["2026-11 考核结果", "2026-11 考核台账"]
    assert workbook.worksheets[1]["F1"].value == "类型"
    document = tmp_path / "nov.json"
    assert runner.invoke(args=["export", "2026-11", "--format", "json", "-o", str(document)]).exit_code == 0
    assert {"period", "results", "ledger"} <= set(json.loads(document.read_text()))


def test_post_adjustment_needs_a_city_supervisor(auth, client, world):
    person = world["town"][0]
    entry = add_ledger_entry(person, "post_adjustment", period="2026-10", reason="连续两个季度黄牌",
                             rule="R8-consecutive-quarters", idempotency_key="2026-10:pa")
    auth.login(world["town_sup"])
    assert "待市级主管确认" in client.get("/assessment/post-adjustments").get_data(as_text=True)
    refused = post_form(client, f"/assessment/post-adjustments/{entry.id}", {"decision": "confirm"},
                        token_from="/assessment/post-adjustments", follow_redirects=True)
    assert "市级主管" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(world["city_sup"])
    post_form(client, f"/assessment/post-adjustments/{entry.id}", {"decision": "confirm", "note": "调往郊县"},
              token_from="/assessment/post-adjustments")
    assert "已确认" in client.get("/assessment/post-adjustments").get_data(as_text=True)


def test_periods_page_lists_states(auth, client, world):
    auth.login(world["city_sup"])
    page = client.get("/assessment/").get_data(as_text=True)
    assert "2026-10" in page
    assert "已结账" in page
    assert "待结账" in page
    assert client.get("/assessment/2031-01").status_code == 404
