"""Issuing in bulk (the monthly close) gives exactly what issuing one by one gives, and never a second certificate."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from lms.certificates import rules, services
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.conftest import FINISHED


def _certificates() -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).order_by(Certificate.attempt_id)))


def test_bulk_issuing_matches_one_by_one_for_every_kind_of_attempt(make_user, make_attempt):
    cases = [
        {"score": 92.5}, {"score": 80.0}, {"score": 79.9}, {"status": "in_progress"},
        {"kind": "practice", "period": None}, {"kind": "practice", "period": None, "issues_certificate": True},
    ]
    bulk = [make_attempt(make_user(name=f"批量{i}"), **case) for i, case in enumerate(cases)]
    single = [make_attempt(make_user(name=f"逐个{i}"), **case) for i, case in enumerate(cases)]

    issued = services.issue_for_attempts([a.id for a in bulk], now=FINISHED)
    db.session.commit()
    one_by_one = [services.issue_for_attempt(a, now=FINISHED) for a in single]

    by_attempt = {c.attempt_id: c for c in _certificates()}
    assert issued == sum(c is not None for c in one_by_one) == 3
    for bulk_attempt, expected in zip(bulk, one_by_one, strict=True):
        got = by_attempt.get(bulk_attempt.id)
        assert (got is None) == (expected is None)
        if got is not None:
            assert (got.user_id, got.quiz_title, got.period, got.score, got.max_score, got.issued_at) == (
                bulk_attempt.user_id, bulk_attempt.quiz.title, expected.period, expected.score, expected.max_score,
                expected.issued_at)
            assert got.holder_name.startswith("批量")
            assert rules.normalise_code(got.code) == got.code


def test_bulk_issuing_skips_attempts_that_already_hold_one_and_is_idempotent(make_user, make_attempt):
    attempts = [make_attempt(make_user()) for _ in range(5)]
    earlier = services.issue_for_attempt(attempts[2])
    assert services.issue_for_attempts([a.id for a in attempts] * 2) == 4  # duplicates in the list count once
    db.session.commit()
    assert services.issue_for_attempts([a.id for a in attempts]) == 0
    db.session.commit()
    per_attempt = Counter(c.attempt_id for c in _certificates())
    assert set(per_attempt.values()) == {1}
    assert len(per_attempt) == 5
    assert services.for_attempt(attempts[2].id).code == earlier.code


def test_bulk_issuing_belongs_to_the_callers_transaction(make_user, make_attempt):
    attempts = [make_attempt(make_user()) for _ in range(3)]
    assert services.issue_for_attempts([a.id for a in attempts]) == 3
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


@pytest.mark.parametrize("alphabet", [rules.CODE_ALPHABET, "AB", "ABC"])
def test_the_buffered_chooser_draws_every_letter_and_only_letters_of_the_alphabet(alphabet):
    choose = services._BufferedChoice()
    drawn = Counter(choose(alphabet) for _ in range(6000))
    assert set(drawn) == set(alphabet)
    expected = 6000 / len(alphabet)
    assert all(abs(n - expected) < expected * 0.25 for n in drawn.values())  # no letter favoured (bias check)


def test_codes_issued_in_bulk_are_well_formed_and_distinct(make_user, make_attempt):
    attempts = [make_attempt(make_user()) for _ in range(40)]
    services.issue_for_attempts([a.id for a in attempts])
    codes = [c.code for c in _certificates()]
    assert len(set(codes)) == 40
    assert all(rules.normalise_code(code) == code for code in codes)
