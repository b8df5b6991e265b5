from __future__ import annotations

import logging

from sqlalchemy import func, select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.core.events import attempt_graded
from lms.extensions import db
from tests.certificates.conftest import FINISHED


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate)) or 0


def test_a_passed_monthly_test_earns_a_certificate_stating_what_was_true_then(make_user, make_attempt):
    person = make_user(name="欧阳建国")
    attempt = make_attempt(person, score=92.5, title="2026年11月渠道政策月考")
    certificate = services.issue_for_attempt(attempt, now=FINISHED)
    assert certificate is not None
    assert (certificate.holder_name, certificate.quiz_title, certificate.period, certificate.score) == (
        "欧阳建国", "2026年11月渠道政策月考", "2026-11", 92.5)
    assert certificate.issued_at == FINISHED
    assert not certificate.is_revoked
    person.name = "欧阳建华"  # a later rename does not rewrite what the certificate says
    attempt.quiz.title = "改过的标题"
    db.session.commit()
    db.session.refresh(certificate)
    assert (certificate.holder_name, certificate.quiz_title) == ("欧阳建国", "2026年11月渠道政策月考")


def test_issuing_twice_gives_the_same_certificate(make_user, make_attempt):
    attempt = make_attempt(make_user())
    first = services.issue_for_attempt(attempt)
    second = services.issue_for_attempt(attempt)
    assert first is not None
    assert second is not None
    assert first.code == second.code
    assert _count() == 1


def test_exactly_80_earns_one_and_79_9_does_not(make_user, make_attempt):
    assert services.issue_for_attempt(make_attempt(make_user(), score=80.0)) is not None
    assert services.issue_for_attempt(make_attempt(make_user(), score=79.9)) is None
    assert _count() == 1


def test_practice_earns_one_only_when_its_version_says_so(make_user, make_attempt):
    person = make_user()
    assert services.issue_for_attempt(make_attempt(person, kind="practice", period=None)) is None
    flagged = services.issue_for_attempt(make_attempt(person, kind="practice", period=None, issues_certificate=True))
    assert flagged is not None
    assert flagged.period == "2026-11"  # a quiz without a period counts in the month it was finished (Shanghai)


def test_an_unfinished_attempt_earns_nothing_yet(make_user, make_attempt):
    assert services.issue_for_attempt(make_attempt(make_user(), status="in_progress")) is None
    assert _count() == 0


def test_the_graded_event_issues_the_certificate_at_once(make_user, make_attempt):
    attempt = make_attempt(make_user())
    attempt_graded.send(attempt)
    certificate = services.for_attempt(attempt.id)
    assert certificate is not None
    assert certificate.user_id == attempt.user_id


def test_a_failure_while_issuing_never_breaks_the_submit(make_user, make_attempt, monkeypatch, caplog):
    attempt = make_attempt(make_user())

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "issue_for_attempt", broken)
    with caplog.at_level(logging.ERROR, logger="lms.certificates.services"):
        attempt_graded.send(attempt)  # must not raise
    assert "could not issue a certificate" in caplog.text
    assert _count() == 0


def test_the_monthly_close_can_issue_inside_its_own_transaction(make_user, make_attempt):
    attempt = make_attempt(make_user())
    certificate = services.issue_for_attempt(attempt, commit=False)
    assert certificate is not None
    db.session.rollback()  # the caller's transaction decides
    assert _count() == 0


def test_the_attempt_state_carries_the_certificate_once_issued(client, auth, make_user, make_attempt):
    from lms.certificates.setup import certificate_state

    person = make_user()
    attempt = make_attempt(person)
    assert certificate_state(attempt) == {}
    certificate = services.issue_for_attempt(attempt)
    auth.login(person)
    state = client.get(f"/api/v1/attempts/{attempt.id}")
    assert state.status_code == 200, state.get_data(as_text=True)
    body = state.get_json()
    assert body["certificate"]["code"] == certificate.code
    assert body["certificate"]["pdf_url"] == f"/certificates/{certificate.code}.pdf"
