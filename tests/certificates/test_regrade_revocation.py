"""A regrade after a key correction announces each changed attempt (``attempt_graded`` with ``regraded=True``):
a certificate whose attempt no longer passes is revoked by the person who regraded; a new pass earns one."""

from __future__ import annotations

import pytest

from lms.certificates import services
from lms.certificates.setup import REGRADE_REVOCATION_REASON
from lms.core.events import attempt_graded
from lms.extensions import db
from tests.certificates.conftest import FINISHED


def lose_the_pass(certificate, score=60.0):
    attempt = certificate.attempt
    attempt.score, attempt.passed = score, False
    db.session.commit()
    return attempt


def test_a_pass_that_became_a_fail_is_revoked_with_the_reason_and_the_regrader(make_user, make_certificate):
    trainer = make_user("trainer")
    certificate = make_certificate(make_user(), issues_certificate=True)
    attempt = lose_the_pass(certificate)
    attempt_graded.send(attempt, regraded=True, actor=trainer, now=FINISHED)
    db.session.expire_all()
    revoked = services.for_attempt(attempt.id)
    assert revoked.is_revoked
    assert (revoked.revoked_reason, revoked.revoked_by_id, revoked.revoked_at) == (
        "更正答案后不再及格", trainer.id, FINISHED)
    assert REGRADE_REVOCATION_REASON == "更正答案后不再及格"
    assert services.public_status(revoked)["valid"] is False
    attempt_graded.send(attempt, regraded=True, actor=trainer, now=FINISHED)  # announced twice: still one revocation
    assert services.for_attempt(attempt.id).revoked_at == FINISHED


@pytest.mark.parametrize("signal", [
    {},  # an ordinary grading (a submit) never revokes
    {"regraded": True},  # nobody to name as the revoker
])
def test_only_a_regrade_by_someone_revokes(make_user, make_certificate, signal):
    certificate = make_certificate(make_user(), issues_certificate=True)
    attempt = lose_the_pass(certificate)
    attempt_graded.send(attempt, **signal)
    db.session.expire_all()
    assert not services.for_attempt(attempt.id).is_revoked


def test_a_fail_that_became_a_pass_earns_its_certificate(make_user, make_attempt):
    attempt = make_attempt(make_user(), score=60.0, issues_certificate=True)
    assert services.for_attempt(attempt.id) is None
    attempt.score, attempt.passed = 80.0, True
    db.session.commit()
    attempt_graded.send(attempt, regraded=True, actor=make_user("trainer"), now=FINISHED)
    issued = services.for_attempt(attempt.id)
    assert issued is not None
    assert (issued.score, issued.is_revoked) == (80.0, False)


def test_a_still_passing_regrade_keeps_the_certificate(make_user, make_certificate):
    certificate = make_certificate(make_user(), issues_certificate=True)
    attempt = certificate.attempt
    attempt.score = 85.0
    db.session.commit()
    attempt_graded.send(attempt, regraded=True, actor=make_user("trainer"), now=FINISHED)
    db.session.expire_all()
    assert not services.for_attempt(attempt.id).is_revoked
