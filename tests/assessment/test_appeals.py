"""Appeals (申诉) through the pages and the API: a manager appeals their own entry once, within the window; the
grid supervisor comments; the county supervisor upholds (the reversal, linked) or rejects (the decision kept), and
the manager hears of it either way; another county's supervisor never sees it."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.announcements.models import ContactSetting, InboxMessage, OutboxMessage
from lms.assessment import export
from lms.assessment.models import Appeal, AppealComment, LedgerEntry
from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.extensions import db
from tests.support.ledger import add_ledger_entry
from tests.support.web import post_form


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media"), "LMS_SMTP_HOST": "127.0.0.1"}


@pytest.fixture
def county(make_user):
    manager = make_user("manager", county="城区", grid="东城网格")
    people = {
        "manager": manager,
        "grid_sup": make_user("supervisor", county="城区", grid="东城网格"),
        "county_sup": make_user("supervisor", county="城区", grid=None),
        "other_sup": make_user("supervisor", county="郊县", grid=None),
        "trainer": make_user("trainer"),
        "criticism": add_ledger_entry(manager, "criticism", reason="首次不及格", rule="R2-first-fail"),
        "penalty": add_ledger_entry(manager, amount_yuan=200),
    }
    db.session.add(ContactSetting(user_id=manager.id, email="m@example.cn", email_enabled=True))
    db.session.commit()
    return people


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def sign_in(auth, person):
    """Signed in as ``person`` (whoever was signed in before is signed out first)."""
    auth.logout()
    assert auth.login(person).status_code == 302


def open_appeal(auth, person, entry, reason="成绩统计有误，我当天请了病假", **extra):
    sign_in(auth, person)
    url = f"/assessment/ledger/{entry.id}/appeal"
    return post_form(auth.client, url, {"reason": reason, **extra}, content_type="multipart/form-data")


def the_appeal(entry) -> Appeal:
    db.session.expire_all()
    return db.session.scalar(select(Appeal).where(Appeal.entry_id == entry.id))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("appeal.%"))
                                   .order_by(AuditEntry.id)))


def test_a_manager_appeals_from_their_records_with_a_photo(auth, county):
    sign_in(auth, county["manager"])
    mine = auth.client.get("/assessment/mine").get_data(as_text=True)
    assert f"/assessment/ledger/{county['criticism'].id}/appeal" in mine
    response = open_appeal(auth, county["manager"], county["criticism"],
                           attachment=(io.BytesIO(photo()), "现场.jpg"))
    assert response.status_code == 302
    appeal = the_appeal(county["criticism"])
    assert appeal.state == "open"
    assert appeal.attachment_content_type == "image/jpeg"
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "成绩统计有误" in page
    assert "待处理" in page
    assert "现场.jpg" in page
    picture = auth.client.get(f"/assessment/appeals/{appeal.id}/attachment")
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg"
    assert "sandbox" in picture.headers["Content-Security-Policy"]
    picture.close()
    mine = auth.client.get("/assessment/mine").get_data(as_text=True)
    assert "申诉：待处理" in mine
    assert f"/assessment/ledger/{county['criticism'].id}/appeal" not in mine  # one appeal per entry
    # the supervisors who decide (and the grid's) hear of it
    told = set(db.session.scalars(select(InboxMessage.user_id).where(
        InboxMessage.event_key == f"appeal:{appeal.id}:opened")))
    assert told == {county["county_sup"].id, county["grid_sup"].id}
    assert audit_actions() == ["appeal.opened"]


def test_a_second_appeal_on_the_same_entry_is_refused(auth, county):
    assert open_appeal(auth, county["manager"], county["criticism"]).status_code == 302
    again = open_appeal(auth, county["manager"], county["criticism"], reason="再说一次")
    assert again.status_code == 200
    assert "您已对这条记录提出申诉" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 1


def test_the_database_refuses_a_second_appeal_too(county):
    entry = county["criticism"]
    now = utcnow()
    for _ in range(2):
        db.session.add(Appeal(entry_id=entry.id, user_id=entry.user_id, state="open", reason="x", opened_at=now,
                              due_at=now))
    with pytest.raises(Exception, match=r"UNIQUE|unique"):
        db.session.commit()
    db.session.rollback()


def test_a_late_appeal_is_refused(auth, county):
    old = add_ledger_entry(county["manager"], "deduction", points=-2.0, rule="R3-system-ops",
                           created_at=utcnow() - timedelta(days=8))
    sign_in(auth, county["manager"])
    assert f"/assessment/ledger/{old.id}/appeal" not in auth.client.get("/assessment/mine").get_data(as_text=True)
    page = open_appeal(auth, county["manager"], old).get_data(as_text=True)
    assert "申诉期已过" in page
    assert the_appeal(old) is None


def test_a_reversal_and_someone_elses_entry_cannot_be_appealed(auth, county, make_user):
    reversal = add_ledger_entry(county["manager"], "reversal", amount_yuan=-200, rule="appeal",
                                reverses_id=county["penalty"].id)
    assert "冲销记录不能申诉" in open_appeal(auth, county["manager"], reversal).get_data(as_text=True)
    assert the_appeal(reversal) is None
    colleague = make_user("manager", county="城区", grid="东城网格")
    assert open_appeal(auth, colleague, county["criticism"]).status_code == 404


def test_the_county_supervisor_upholds_the_reversal_is_linked_and_the_manager_told(auth, county):
    open_appeal(auth, county["manager"], county["penalty"])
    appeal = the_appeal(county["penalty"])
    sign_in(auth, county["grid_sup"])
    assert appeal.user.name in auth.client.get("/assessment/appeals").get_data(as_text=True)
    url = f"/assessment/appeals/{appeal.id}"
    commented = post_form(auth.client, f"{url}/comment", {"body": "属实，当天在参加公司培训"}, token_from=url)
    assert commented.status_code == 302
    refused = post_form(auth.client, f"{url}/decide", {"decision": "uphold", "reason": "x"}, token_from=url)
    assert refused.status_code == 403  # the grid comments; the county decides
    assert the_appeal(county["penalty"]).state == "open"

    sign_in(auth, county["county_sup"])
    home = auth.client.get("/").get_data(as_text=True)
    assert "待处理的申诉" in home
    assert "1 条申诉等待决定" in home
    page = auth.client.get(url).get_data(as_text=True)
    assert "属实，当天在参加公司培训" in page
    response = post_form(auth.client, f"{url}/decide", {"decision": "uphold", "reason": "培训记录可查"}, token_from=url)
    assert response.status_code == 302
    appeal = the_appeal(county["penalty"])
    assert appeal.state == "upheld"
    assert appeal.decided_by_id == county["county_sup"].id
    reversal = db.session.get(LedgerEntry, appeal.reversal_id)
    assert reversal.kind == "reversal"
    assert reversal.reverses_id == county["penalty"].id
    assert reversal.amount_yuan == -200
    assert reversal.evidence["appeal"] == appeal.id
    message = db.session.scalar(select(InboxMessage).where(InboxMessage.event_key == f"appeal:{appeal.id}:decided"))
    assert message.user_id == county["manager"].id
    assert "申诉成立" in message.title
    assert "培训记录可查" in message.body
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.event_key == message.event_key)) is not None
    assert audit_actions() == ["appeal.opened", "appeal.commented", "appeal.upheld"]
    # decided once: a second decision is refused and writes nothing
    again = post_form(auth.client, f"{url}/decide", {"decision": "reject", "reason": "改主意"}, token_from=url)
    assert again.status_code == 302
    assert the_appeal(county["penalty"]).state == "upheld"
    assert db.session.scalar(select(func.count()).where(LedgerEntry.kind == "reversal")) == 1

    sign_in(auth, county["manager"])
    mine = auth.client.get("/assessment/mine").get_data(as_text=True)
    assert "申诉：申诉成立" in mine
    assert f"已冲销 #{reversal.id}" in mine
    rows = auth.client.get("/api/v1/ledger").get_json()
    by_id = {row["id"]: row for row in rows}
    assert by_id[county["penalty"].id]["appeal"]["state"] == "upheld"
    assert by_id[county["penalty"].id]["appeal"]["decided_at"]
    assert by_id[county["criticism"].id]["appeal"] is None


def test_the_county_supervisor_rejects_with_a_reason_and_the_manager_is_told(auth, county):
    open_appeal(auth, county["manager"], county["criticism"])
    appeal = the_appeal(county["criticism"])
    sign_in(auth, county["county_sup"])
    url = f"/assessment/appeals/{appeal.id}"
    empty = post_form(auth.client, f"{url}/decide", {"decision": "reject", "reason": ""}, token_from=url)
    assert empty.status_code == 302
    assert the_appeal(county["criticism"]).state == "open"  # no reason, no decision
    post_form(auth.client, f"{url}/decide", {"decision": "reject", "reason": "考试记录完整，缺考属实"}, token_from=url)
    appeal = the_appeal(county["criticism"])
    assert appeal.state == "rejected"
    assert appeal.decision_reason == "考试记录完整，缺考属实"
    assert appeal.reversal_id is None
    assert db.session.scalar(select(func.count()).where(LedgerEntry.kind == "reversal")) == 0
    message = db.session.scalar(select(InboxMessage).where(InboxMessage.event_key == f"appeal:{appeal.id}:decided"))
    assert message.user_id == county["manager"].id
    assert "申诉驳回" in message.title
    assert audit_actions() == ["appeal.opened", "appeal.rejected"]
    sign_in(auth, county["manager"])
    assert "考试记录完整，缺考属实" in auth.client.get(url).get_data(as_text=True)


def test_another_countys_supervisor_and_a_trainer_never_see_it(auth, county):
    open_appeal(auth, county["manager"], county["criticism"])
    appeal = the_appeal(county["criticism"])
    url = f"/assessment/appeals/{appeal.id}"
    sign_in(auth, county["other_sup"])
    assert auth.client.get(url).status_code == 404
    assert auth.client.get(f"{url}/attachment").status_code == 404
    assert post_form(auth.client, f"{url}/decide", {"decision": "uphold", "reason": "x"},
                     token_from="/assessment/appeals").status_code == 404
    assert appeal.user.name not in auth.client.get("/assessment/appeals").get_data(as_text=True)
    sign_in(auth, county["trainer"])
    assert auth.client.get(url).status_code == 403
    assert the_appeal(county["criticism"]).state == "open"


def test_the_export_has_an_appeal_column(auth, county):
    open_appeal(auth, county["manager"], county["criticism"])
    rows = export.ledger_rows("2026-11", None)
    assert export.LEDGER_HEADERS[-1] == "申诉"
    cells = {row[0]: row[-1] for row in rows}
    assert cells[county["criticism"].id].startswith("待处理")
    assert cells[county["penalty"].id] == ""
    document = json.loads(export.export_period("2026-11", "json", None))
    assert any(row["appeal"] and row["appeal"]["state"] == "open" for row in document["ledger"])


def test_comments_and_count_are_scoped(auth, county):
    open_appeal(auth, county["manager"], county["criticism"])
    sign_in(auth, county["other_sup"])
    assert "待处理的申诉" not in auth.client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AppealComment)) == 0


def test_the_person_page_shows_the_appeal(auth, county):
    open_appeal(auth, county["manager"], county["criticism"])
    appeal = the_appeal(county["criticism"])
    sign_in(auth, county["county_sup"])
    page = auth.client.get(f"/reports/people/{county['manager'].id}").get_data(as_text=True)
    assert "申诉：待处理" in page
    assert f"/assessment/appeals/{appeal.id}" in page
