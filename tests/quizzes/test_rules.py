"""The quiz rules that are not about a file's format: who a make-up window invites."""

from __future__ import annotations

import pytest

from lms.quizzes import rules


@pytest.mark.parametrize(("audience", "sat", "passed", "chosen", "invited"), [
    ("failed_or_absent", False, False, False, True),   # absent
    ("failed_or_absent", True, False, False, True),    # failed
    ("failed_or_absent", True, True, True, False),     # passed: never, even if named
    ("failed", True, False, False, True),
    ("failed", False, False, False, False),
    ("absent", False, False, False, True),
    ("absent", True, False, False, False),
    ("chosen", True, True, True, True),                # a chosen list is the trainer's call, whatever the result
    ("chosen", False, False, False, False),
])
def test_who_a_make_up_window_invites(audience, sat, passed, chosen, invited):
    assert rules.makeup_invited(audience, sat=sat, passed=passed, chosen=chosen) is invited


def test_every_audience_has_a_rule():
    assert set(rules.MAKEUP_AUDIENCES) == {"failed_or_absent", "failed", "absent", "chosen"}
