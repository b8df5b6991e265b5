"""Issue 7 end to end: a trainer regrades a closed month's quiz from the page; certificates follow at once; the
next ``close-month`` (previewed with ``--dry-run`` first) corrects the closed outcomes and writes reversals and new
entries that payroll reads from the ledger API."""

from __future__ import annotations

from sqlalchemy import select

from lms.assessment.models import LedgerEntry, Outcome, Regrade
from lms.certificates import services as certificates
from lms.extensions import db
from lms.quizzes.models import QuizVersion
from tests.reports.conftest import RIGHT, WRONG
from tests.support.web import post_form

PERIOD = "2026-05"


def test_a_key_correction_reaches_outcomes_certificates_and_the_ledger(  # noqa: PLR0917 - pytest fixtures
        auth, client, runner, managers, monthly_quiz, sit, close, make_user):
    keeper, loser, gainer, failer = managers(4)
    quiz = monthly_quiz(PERIOD)
    db.session.get(QuizVersion, quiz.current_version_id).issues_certificate = True
    db.session.commit()
    sit(keeper, quiz, dict(RIGHT))  # 100 → 80 after the correction: still a pass
    sit(loser, quiz, {**RIGHT, "q2": WRONG["q2"]})  # 80 → 60: loses the pass
    sit(gainer, quiz, {**RIGHT, "q1": (3,), "q2": WRONG["q2"]})  # 60 → 80: now passes
    sit(failer, quiz, {**WRONG, "q5": RIGHT["q5"]})  # 20 → 40: still a fail
    close(PERIOD)
    criticism = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == gainer.id,
                                                            LedgerEntry.kind == "criticism"))
    assert criticism is not None
    lost = certificates.certificates_of(loser)[0]

    trainer = make_user("trainer")
    auth.login(trainer)
    url = f"/reports/quizzes/{quiz.slug}/regrade/q1"
    assert post_form(client, url, {"action": "apply", "correct": "3"}).status_code == 302
    db.session.expire_all()
    # certificates follow the regrade at once
    assert certificates.for_attempt(lost.attempt_id).revoked_reason == "更正答案后不再及格"
    assert certificates.certificates_of(gainer)[0].is_revoked is False
    # the closed outcomes wait for the close; the regrade is on record
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == gainer.id)) == "FAIL"
    regrade = db.session.scalar(select(Regrade))
    assert (regrade.question_id, regrade.reconciled_at, {a.user_id for a in regrade.attempts}) == (
        "q1", None, {keeper.id, loser.id, gainer.id, failer.id})

    preview = runner.invoke(args=["close-month", PERIOD, "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "更正答案后重新评定" in preview.output
    assert f"{PERIOD} {gainer.employee_no}：不及格（60）→ 及格（80）" in preview.output
    assert db.session.scalar(select(Outcome.status).where(Outcome.user_id == gainer.id)) == "FAIL"

    applied = runner.invoke(args=["close-month", PERIOD])
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(args=["close-month", PERIOD]).output.strip() == f"{PERIOD} 已结账，本次未做任何更改。"

    auth.logout()
    auth.login(make_user("admin"))
    ledger = client.get(f"/api/v1/ledger?period={PERIOD}").get_json()
    by_id = {e["id"]: e for e in ledger}
    reversal = next(e for e in ledger if e["kind"] == "reversal" and e["reverses"] == criticism.id)
    assert reversal["reason"] == "更正答案后重新评定"
    assert by_id[criticism.id]["reversed_by"] == reversal["id"]
    assert reversal["evidence"]["regrade_ids"] == [regrade.id]
    new = [e for e in ledger if e["employee_no"] == loser.employee_no and e["kind"] == "criticism"]
    assert len(new) == 1
    assert new[0]["reversed_by"] is None
    results = {r["employee_no"]: r for r in client.get(f"/api/v1/periods/{PERIOD}/results").get_json()}
    assert (results[gainer.employee_no]["passed"], results[gainer.employee_no]["score"]) == (True, 80.0)
    assert results[loser.employee_no]["passed"] is False
