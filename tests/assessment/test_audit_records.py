"""Each administrative act of the assessment domain leaves exactly one audit entry, written with the act (a refused
act leaves none): an appeal's reversal, a decision on a post-adjustment proposal, a notice published, a month closed,
a system-operation deduction, an indicator import, and every download of the period's results and ledger (the page's
and the command's)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.assessment import export, indicators, notices, services
from lms.assessment.models import ClosedPeriod
from lms.audit import rules as audit_rules
from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, ValidationFailed
from lms.extensions import db
from tests.support.ledger import add_ledger_entry
from tests.support.quizzes import after_close

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture
def person(make_user):
    return make_user("manager", name="王小明", county="城区", grid="东城网格")


@pytest.fixture
def city_supervisor(make_user):
    return make_user("supervisor", county=None, grid=None)


def close(period="2026-11"):
    db.session.add(ClosedPeriod(period=period, closed_at=NOW, policy={}))
    db.session.commit()


def test_a_reversal_is_recorded_with_the_entry_it_cancels_and_why(person, city_supervisor):
    penalty = add_ledger_entry(person, amount_yuan=200)
    services.reverse_entry(penalty.id, actor=city_supervisor, reason="系统故障，申诉成立", now=NOW)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        audit_rules.LEDGER_REVERSED, city_supervisor.id, person.id)
    assert entry.subject == f"台账记录 #{penalty.id}"
    assert entry.changes == {"entry": penalty.id, "period": "2026-11", "kind": "cash_penalty", "amount_yuan": 200}
    assert entry.reason == "系统故障，申诉成立"


def test_a_refused_reversal_leaves_no_entry(person, city_supervisor):
    penalty = add_ledger_entry(person, amount_yuan=200)
    services.reverse_entry(penalty.id, actor=city_supervisor, reason="申诉成立", now=NOW)
    with pytest.raises(Conflict):
        services.reverse_entry(penalty.id, actor=city_supervisor, reason="再来一次", now=NOW)
    with pytest.raises(ValidationFailed):
        services.reverse_entry(add_ledger_entry(person, kind="criticism").id, actor=city_supervisor, reason=" ",
                               now=NOW)
    assert len(entries()) == 1


@pytest.mark.parametrize(("confirm", "note", "decision"), [(True, "", "confirmed"), (False, "业绩已改善", "rejected")])
def test_a_post_adjustment_decision_is_recorded(person, city_supervisor, confirm, note, decision):
    proposal = add_ledger_entry(person, kind="post_adjustment")
    services.decide_post_adjustment(proposal.id, actor=city_supervisor, confirm=confirm, note=note, now=NOW)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        audit_rules.LEDGER_DECIDED, city_supervisor.id, person.id)
    assert entry.subject == f"岗位调整建议 #{proposal.id}"
    assert entry.changes["decision"] == [None, decision]
    assert entry.reason == note
    with pytest.raises(Conflict):  # a second decision is refused, and leaves nothing
        services.decide_post_adjustment(proposal.id, actor=city_supervisor, confirm=True, note="", now=NOW)
    assert len(entries()) == 1


def test_publishing_a_notice_is_recorded_once(person, city_supervisor):
    close()
    county = person.county
    notices.publish_notice("2026-11", county.id, actor=city_supervisor, body_html="<p>通报</p>", now=NOW)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        audit_rules.NOTICE_PUBLISHED, city_supervisor.id, None)
    assert entry.subject == "城区 2026-11 通报"
    assert entry.changes == {"period": "2026-11", "county": "城区"}
    with pytest.raises(Conflict):
        notices.publish_notice("2026-11", county.id, actor=city_supervisor, body_html="<p>再发</p>", now=NOW)
    assert len(entries()) == 1


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_each_download_of_a_period_is_recorded(client, auth, person, city_supervisor, fmt):
    close()
    add_ledger_entry(person, amount_yuan=200)
    auth.login(city_supervisor)
    response = client.get(f"/assessment/2026-11/export.{fmt}")
    assert response.status_code == 200
    exported = [e for e in entries() if e.action == audit_rules.PERSONAL_DATA_EXPORTED]
    assert len(exported) == 1
    assert exported[0].actor_id == city_supervisor.id
    assert exported[0].subject == f"assessment-2026-11.{fmt}"
    assert exported[0].changes == {"what": "assessment_period", "format": fmt, "rows": 1, "period": "2026-11"}
    client.get(f"/assessment/2026-11/export.{fmt}")
    assert len([e for e in entries() if e.action == audit_rules.PERSONAL_DATA_EXPORTED]) == 2


def test_the_export_command_is_recorded_as_the_command_line(runner, person, tmp_path):
    close()
    add_ledger_entry(person, amount_yuan=200)
    result = runner.invoke(args=["export", "2026-11", "--format", "csv", "-o", str(tmp_path / "nov.csv")])
    assert result.exit_code == 0, result.output
    [entry] = entries()
    assert (entry.action, entry.actor_label, entry.actor_id) == (audit_rules.PERSONAL_DATA_EXPORTED, "cli", None)


def test_a_staff_download_of_a_notice_pdf_is_recorded_a_managers_reading_is_not(
        client, auth, person, city_supervisor):
    close()
    add_ledger_entry(person, kind="criticism")
    notices.publish_notice("2026-11", person.county_id, actor=city_supervisor, body_html="<p>通报</p>", now=NOW)
    auth.login(city_supervisor)
    assert client.get(f"/assessment/2026-11/notice/{person.county_id}.pdf").status_code == 200
    auth.logout()
    auth.login(person)
    assert client.get(f"/assessment/2026-11/notice/{person.county_id}.pdf").status_code == 200
    exported = [e for e in entries() if e.action == audit_rules.PERSONAL_DATA_EXPORTED]
    assert len(exported) == 1
    assert exported[0].actor_id == city_supervisor.id
    assert exported[0].changes["what"] == "assessment_notice"
    assert exported[0].changes["filters"] == {"county": "城区"}


def test_closing_a_month_is_recorded_once_with_its_counts(person, city_supervisor, monthly_quiz, take):
    quiz = monthly_quiz("2026-11")
    take(quiz, {person: 60})
    report = services.close_month("2026-11", now=after_close("2026-11"), actor=city_supervisor, dry_run=True)
    assert entries() == []  # a preview writes nothing, the audit log included
    report = services.close_month("2026-11", now=after_close("2026-11"), actor=city_supervisor)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.subject) == (audit_rules.PERIOD_CLOSED, city_supervisor.id, "2026-11")
    assert entry.changes == {"period": "2026-11", "tests": 1, "outcomes": len(report.outcomes),
                             "entries": len(report.entries)}
    services.close_month("2026-11", now=after_close("2026-11"), actor=city_supervisor)  # already closed: nothing
    assert len(entries()) == 1


def test_a_deduction_is_recorded_once_even_when_the_form_is_sent_twice(person, make_user):
    trainer = make_user("trainer")
    for _ in range(2):
        services.record_system_ops_deduction(employee_no=person.employee_no, system="daily",
                                             what_happened="查不到绑定日期", reported_by="东城手机店", actor=trainer,
                                             period="2026-11", now=NOW, request_key="same-form")
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        audit_rules.DEDUCTION_RECORDED, trainer.id, person.id)
    assert entry.changes == {"period": "2026-11", "kind": "deduction", "points": -2, "system": "daily"}
    assert entry.reason == "查不到绑定日期（反映人：东城手机店）"


def test_an_indicator_import_is_recorded_a_refused_one_is_not(person, city_supervisor):
    good = f"工号,指标,得分\n{person.employee_no},客户满意度,3\n".encode()
    bad = "工号,指标,得分\nNOBODY,客户满意度,3\n".encode()
    with pytest.raises(ValidationFailed):
        indicators.import_indicators("2026-11", bad, "bad.csv", actor=city_supervisor)
    assert indicators.import_indicators("2026-11", good, "indicators.csv", actor=city_supervisor) == 1
    [entry] = entries()
    assert (entry.action, entry.subject) == (audit_rules.INDICATORS_IMPORTED, "indicators.csv")
    assert entry.changes == {"period": "2026-11", "file": "indicators.csv", "rows": 1}
