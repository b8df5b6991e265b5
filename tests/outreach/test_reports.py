"""A shop's own report (反映问题) becomes a field ticket routed and due like a visit's, with the shop, no visit and
the staff member as the reporter; photos re-encoded; a double tap or the same words again stored once; a daily cap;
after the manager passed the system-ops test a system-operation report is R3 evidence; the manager is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.announcements.models import InboxMessage
from lms.assessment.models import LedgerEntry
from lms.core.errors import ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.field import r3, visit_queries, visit_rules
from lms.field.visit_models import DeductionCandidate, Ticket
from lms.outreach import reports
from tests.outreach.report_support import photo, report, report_world
from tests.support.visits import pass_system_ops, record, visit_form

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


@pytest.fixture
def rw(app, make_user):
    return report_world(make_user)


def _tickets():
    return db.session.scalars(select(Ticket).order_by(Ticket.id)).all()


def _candidates():
    return db.session.scalars(select(DeductionCandidate).order_by(DeductionCandidate.id)).all()


@pytest.mark.parametrize(("category", "route"), [
    ("system_ops", ("grid_supervisor", "grid", 3)), ("remuneration", ("county_supervisor", "county", 7)),
    ("after_sales", ("county_supervisor", "county", 7)),  # no terminal supervisor named: the county's
])
def test_a_report_becomes_a_ticket_routed_as_a_visit_s(rw, tmp_path, category, route):
    routed_to, handler, days = route
    result = report(rw.link, tmp_path, NOW, category=category)
    ticket = result.ticket
    assert not result.repeated
    assert (ticket.source, ticket.visit_id, ticket.raised_by_id) == ("shop", None, None)
    assert (ticket.shop_id, ticket.category, ticket.description) == (rw.world.shops[0].id, category, "B2B 不会订货")
    assert (ticket.reporter_name, ticket.reporter_phone) == ("张三", "13800138000")
    assert (ticket.routed_to, ticket.routed_user_id) == (routed_to, getattr(rw, handler).id)
    assert ticket.state == "open"
    assert ticket.due_at == NOW + timedelta(days=days)
    assert visit_queries.tickets_to_handle(getattr(rw, handler)) == [ticket]
    assert visit_queries.tickets_raised(rw.world.manager) == [ticket]  # the manager follows it up


def test_photos_are_re_encoded_without_metadata_into_their_own_folder(rw, tmp_path):
    ticket = report(rw.link, tmp_path, NOW, photos=[photo(2400), photo(300)]).ticket
    assert len(ticket.photos) == 2
    stored = media.stored_path(tmp_path, ticket.photos[0])
    with Image.open(stored) as image:
        assert image.width == media.MediaLimits().image_max_width
        assert not image.getexif()


@pytest.mark.parametrize(("photos", "problem"), [
    ([photo()] * 4, "照片最多 3 张"),
    ([reports.Photo(b"%PDF-1.4", "说明.pdf")], "请上传照片（JPG、PNG、WebP）"),
    ([reports.Photo(b"not a picture", "坏.png")], "有照片无法读取或超过大小上限，请换一张"),
])
def test_bad_photos_refuse_the_report_and_nothing_is_written(rw, tmp_path, photos, problem):
    with pytest.raises(ValidationFailed) as caught:
        report(rw.link, tmp_path, NOW, photos=photos)
    assert problem in caught.value.problems
    assert _tickets() == []
    assert not any(tmp_path.rglob("*.png"))


def test_a_bad_form_names_every_problem_and_writes_nothing(rw, tmp_path):
    with pytest.raises(ValidationFailed) as caught:
        report(rw.link, tmp_path, NOW, category="x", text="", name="", phone="abc")
    assert caught.value.problems == ["请选择问题类别", "请写明遇到的问题", "请填写反映人的姓名（最多 50 个字）",
                                     "手机号码格式不正确"]
    assert _tickets() == []
    assert db.session.scalar(select(func.count(InboxMessage.id))) == 0


def test_a_double_tap_is_stored_once(rw, tmp_path):
    first = report(rw.link, tmp_path, NOW, form_key="form-1")
    again = report(rw.link, tmp_path, NOW + timedelta(seconds=1), form_key="form-1", text="另一段话")
    assert again.repeated
    assert again.ticket.id == first.ticket.id
    assert len(_tickets()) == 1


def test_the_same_words_again_within_minutes_are_stored_once(rw, tmp_path):
    first = report(rw.link, tmp_path, NOW, form_key="form-1")
    again = report(rw.link, tmp_path, NOW + timedelta(minutes=5), form_key="form-2")
    assert (again.repeated, again.ticket.id) == (True, first.ticket.id)
    later = report(rw.link, tmp_path, NOW + timedelta(minutes=15), form_key="form-3")
    other = report(rw.link, tmp_path, NOW + timedelta(minutes=16), form_key="form-4", text="工号登不上")
    assert not later.repeated
    assert not other.repeated
    assert len(_tickets()) == 3


def test_a_shop_s_reports_per_day_are_capped(rw, tmp_path):
    for n in range(2):
        reports.report_problem(rw.link, reports.ReportForm("system_ops", f"问题{n}", "张三"), photo_root=tmp_path,
                               limits=media.MediaLimits(), settings=visit_rules.TicketSettings(), per_day=2, now=NOW)
    with pytest.raises(ValidationFailed) as caught:
        reports.report_problem(rw.link, reports.ReportForm("system_ops", "问题3", "张三"), photo_root=tmp_path,
                               limits=media.MediaLimits(), settings=visit_rules.TicketSettings(), per_day=2, now=NOW)
    assert caught.value.problems == ["本店今天反映的问题已达上限，请直接联系渠道经理"]
    tomorrow = NOW + timedelta(days=1)
    reports.report_problem(rw.link, reports.ReportForm("system_ops", "问题3", "张三"), photo_root=tmp_path,
                           limits=media.MediaLimits(), settings=visit_rules.TicketSettings(), per_day=2, now=tomorrow)
    assert len(_tickets()) == 3


def test_the_shop_s_manager_is_told_in_the_inbox(rw, tmp_path):
    ticket = report(rw.link, tmp_path, NOW).ticket
    [message] = db.session.scalars(select(InboxMessage)).all()
    assert (message.user_id, message.kind, message.event_key) == (rw.world.manager.id, "shop_report",
                                                                  f"shop-report:{ticket.id}")
    assert message.title == "门店反映：东城手机店 · 系统操作"
    assert "张三" in message.body
    assert "B2B 不会订货" in message.body
    assert message.link == "/field/tickets"


def test_before_the_system_ops_training_a_report_is_only_a_ticket(rw, tmp_path):
    report(rw.link, tmp_path, NOW)
    pass_system_ops(rw.world.manager, finished_at=NOW + timedelta(days=1))
    assert _candidates() == []


def test_after_the_training_a_shop_s_own_report_is_r3_evidence(rw, tmp_path):
    pass_system_ops(rw.world.manager, finished_at=NOW - timedelta(days=1))
    report(rw.link, tmp_path, NOW, category="remuneration", text="酬金没到账")  # not a system-operation problem
    assert _candidates() == []
    ticket = report(rw.link, tmp_path, NOW).ticket
    [candidate] = _candidates()
    assert (candidate.user_id, candidate.shop_id, candidate.reason) == (
        rw.world.manager.id, rw.world.shops[0].id, "repeat_after_training")
    assert (candidate.ticket_ids, candidate.visit_ids) == ([ticket.id], [])
    r3.confirm(candidate.id, actor=rw.grid, system="b2b", now=NOW + timedelta(hours=1))
    entry = db.session.get(LedgerEntry, candidate.ledger_entry_id)
    assert (entry.user_id, entry.points) == (rw.world.manager.id, -2.0)
    assert "门店自报" in entry.reason
    assert "张三" in entry.reason
    assert entry.evidence["shop_reports"] == [ticket.id]


def test_a_shop_s_report_joins_the_pending_candidate_of_a_visit(rw, tmp_path):
    pass_system_ops(rw.world.manager, finished_at=NOW - timedelta(days=1))
    visit = record(visit_form(rw.world.shops[0], problems={"system_ops": "不会在B2B订货"}), rw.world.manager, NOW,
                   tmp_path)
    ticket = report(rw.link, tmp_path, NOW + timedelta(days=1)).ticket
    [candidate] = _candidates()
    assert candidate.ticket_ids == [visit.tickets[0].id, ticket.id]
    assert candidate.visit_ids == [visit.id]


def test_a_shop_without_a_manager_is_never_a_candidate(rw, tmp_path):
    shop = rw.world.shops[0]
    shop.manager_id = None
    db.session.commit()
    report(rw.link, tmp_path, NOW)
    assert db.session.scalar(select(func.count(InboxMessage.id))) == 0
    assert r3.sweep(now=NOW + timedelta(days=30)).created == ()  # overdue, but nobody's to deduct
    assert _candidates() == []


def test_an_overdue_shop_report_is_a_candidate_for_the_shop_s_manager(rw, tmp_path):
    ticket = report(rw.link, tmp_path, NOW).ticket
    [candidate] = r3.sweep(now=NOW + timedelta(days=4)).created
    assert (candidate.user_id, candidate.reason, candidate.ticket_ids) == (
        rw.world.manager.id, "overdue_ticket", [ticket.id])



def test_two_taps_at_the_same_moment_are_stored_once(rw, tmp_path, monkeypatch):
    first = report(rw.link, tmp_path, NOW, form_key="form-1")
    real = reports.report_queries.by_client_key
    calls = []

    def not_yet_seen(key):  # the second tap looked before the first was committed
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(reports.report_queries, "by_client_key", not_yet_seen)
    again = report(rw.link, tmp_path, NOW + timedelta(minutes=20), form_key="form-1", text="另一段话")
    assert (again.repeated, again.ticket.id) == (True, first.ticket.id)
    assert len(_tickets()) == 1
