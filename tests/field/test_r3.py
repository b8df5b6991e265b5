"""The R3 loop: a system-operation problem after the system-ops test, or a ticket open past its due date, becomes
one candidate; confirming writes the existing 2-point deduction with the tickets and visits as evidence."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.assessment.models import LedgerEntry
from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.field import r3
from lms.field.visit_models import DeductionCandidate
from tests.support.visits import add_shop, pass_system_ops, record, visit_form

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)
B2B = {"system_ops": "不会在B2B订货"}


@pytest.fixture
def world(make_user):
    manager = make_user("manager", county="城区", grid="东城网格")
    return {"manager": manager, "grid": make_user("supervisor", county="城区", grid="东城网格"),
            "other_grid": make_user("supervisor", county="城区", grid="西城网格"), "shop": add_shop(manager)}


def candidates():
    return db.session.scalars(select(DeductionCandidate).order_by(DeductionCandidate.id)).all()


def test_a_system_ops_problem_before_the_training_is_only_a_ticket(world, tmp_path):
    record(visit_form(world["shop"], problems=B2B), world["manager"], NOW, tmp_path)
    pass_system_ops(world["manager"], finished_at=NOW + timedelta(days=1))
    assert candidates() == []


def test_after_the_training_it_becomes_a_candidate_with_the_shop_s_earlier_reports_as_evidence(world, tmp_path):
    before = record(visit_form(world["shop"], problems=B2B), world["manager"], NOW, tmp_path)
    pass_system_ops(world["manager"], finished_at=NOW + timedelta(days=1))
    after = record(visit_form(world["shop"], problems=B2B), world["manager"], NOW + timedelta(days=3), tmp_path)
    again = record(visit_form(world["shop"], problems=B2B), world["manager"], NOW + timedelta(days=4), tmp_path)
    [candidate] = candidates()  # the second report after training joins the pending candidate
    assert candidate.reason == "repeat_after_training"
    assert candidate.user_id == world["manager"].id
    assert candidate.visit_ids == [before.id, after.id, again.id]
    assert len(candidate.ticket_ids) == 3


def test_a_ticket_open_past_its_due_date_becomes_a_candidate_once(world, tmp_path):
    visit = record(visit_form(world["shop"], problems={"remuneration": "酬金争议"}), world["manager"], NOW, tmp_path)
    assert r3.sweep(now=NOW + timedelta(days=6)).created == ()
    assert len(r3.sweep(now=NOW + timedelta(days=8), dry_run=True).created) == 1
    assert candidates() == []
    assert len(r3.sweep(now=NOW + timedelta(days=8)).created) == 1
    assert r3.sweep(now=NOW + timedelta(days=9)).created == ()
    [candidate] = candidates()
    assert (candidate.reason, candidate.visit_ids) == ("overdue_ticket", [visit.id])


def test_the_sweep_command_reports_what_it_made(world, tmp_path, runner):
    record(visit_form(world["shop"], problems={"after_sales": "送修无答复"}), world["manager"],
           datetime.now(UTC) - timedelta(days=10), tmp_path)
    result = runner.invoke(args=["field", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 overdue open tickets; created 1 deduction candidates" in result.output


def _candidate(world, tmp_path):
    pass_system_ops(world["manager"], finished_at=NOW - timedelta(days=1))
    record(visit_form(world["shop"], problems=B2B), world["manager"], NOW, tmp_path)
    return candidates()[0]


def test_confirming_writes_the_existing_two_point_deduction_with_the_evidence(world, tmp_path):
    candidate = _candidate(world, tmp_path)
    r3.confirm(candidate.id, actor=world["grid"], system="b2b", now=NOW + timedelta(hours=1))
    entry = db.session.get(LedgerEntry, candidate.ledger_entry_id)
    assert (entry.user_id, entry.kind, entry.points, entry.rule) == (
        world["manager"].id, "deduction", -2.0, "R3-system-ops")
    assert entry.evidence["tickets"] == candidate.ticket_ids
    assert entry.evidence["visits"] == candidate.visit_ids
    assert "不会在B2B订货" in entry.reason
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"field.candidate_confirmed", "ledger.deduction_recorded"} <= actions
    with pytest.raises(Conflict):
        r3.confirm(candidate.id, actor=world["grid"], system="b2b", now=NOW)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_dismissing_needs_a_reason_and_writes_nothing_to_the_ledger(world, tmp_path):
    candidate = _candidate(world, tmp_path)
    with pytest.raises(ValidationFailed):
        r3.dismiss(candidate.id, actor=world["grid"], reason=" ", now=NOW)
    r3.dismiss(candidate.id, actor=world["grid"], reason="门店新员工，非经理培训问题", now=NOW)
    assert candidate.state == "dismissed"
    assert candidate.decision_reason == "门店新员工，非经理培训问题"
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "field.candidate_dismissed"


def test_another_grid_s_supervisor_cannot_decide(world, tmp_path):
    candidate = _candidate(world, tmp_path)
    with pytest.raises(NotFound):
        r3.confirm(candidate.id, actor=world["other_grid"], system="b2b", now=NOW)
