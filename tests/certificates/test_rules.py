from __future__ import annotations

import dataclasses
import random
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.certificates import rules
from lms.core.clock import SHANGHAI


def test_a_code_is_sixteen_unambiguous_characters_in_groups_of_four():
    code = rules.generate_code()
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(rules.CODE_ALPHABET)
    assert not set("01OIL") & set(rules.CODE_ALPHABET)


def test_codes_do_not_repeat():
    assert len({rules.generate_code() for _ in range(2000)}) == 2000


@given(st.randoms(use_true_random=False))
def test_a_code_survives_being_typed_in_lower_case_with_spaces(rnd: random.Random):
    code = rules.generate_code(rnd.choice)
    typed = code.lower().replace("-", " ")
    assert rules.normalise_code(typed) == code
    assert rules.normalise_code(code.replace("-", "")) == code


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQR0", "ABCD-EFGH-JKMN-PQRS-T", "../../etc/passwd",
                                   "ABCD-EFGH-JKMN-PQRI", "<script>"])
def test_what_cannot_be_a_code_is_refused(typed):
    assert rules.normalise_code(typed) is None


@pytest.mark.parametrize(("passed", "finished", "kind", "flag", "earns"), [
    (True, True, "monthly", False, True),
    (True, True, "practice", True, True),
    (True, True, "system-ops", True, True),
    (True, True, "practice", False, False),
    (False, True, "monthly", True, False),
    (None, True, "monthly", False, False),
    (True, False, "monthly", False, False),
])
def test_who_earns_a_certificate(passed, finished, kind, flag, earns):
    assert rules.is_eligible(passed=passed, finished=finished, quiz_kind=kind, issues_certificate=flag) is earns


@pytest.mark.parametrize(("score", "text"), [(92.0, "92"), (92.5, "92.5"), (80, "80"), (99.96, "100"),
                                             (85.25, "85.2"), (100.0, "100")])
def test_score_is_printed_without_noise(score, text):
    assert rules.format_score(score) == text


@pytest.mark.parametrize("period", ["2026-1", "2026-13", "26-11", "2026/11", "", "2026-00"])
def test_a_bad_period_names_the_expected_form(period):
    with pytest.raises(ValueError, match="YYYY-MM"):
        rules.parse_period(period)


def _document(**changes):
    base = rules.CertificateDocument(
        code="ABCD-EFGH-JKMN-PQRS", holder_name="张三", employee_no="M1", quiz_title="月考", period="2026-11",
        score=90, max_score=100, issued_at=datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), company_name="示例",
        verify_url="https://x/certificates/verify/ABCD", revoked=False)
    return dataclasses.replace(base, **changes)


def test_anything_printed_changes_the_fingerprint_and_so_the_cached_file():
    original = _document()
    for change in ({"revoked": True}, {"company_name": "另一公司"}, {"verify_url": "https://y/v"}, {"score": 91}):
        changed = _document(**change)
        assert changed.fingerprint() != original.fingerprint(), change
        assert (rules.cache_file_name(original.code, "t" * 64, changed.fingerprint())
                != rules.cache_file_name(original.code, "t" * 64, original.fingerprint()))
    assert _document().fingerprint() == original.fingerprint()


def test_period_text_is_chinese():
    assert _document(period="2026-03").period_text == "2026年3月"


def test_verify_url_joins_the_base_without_doubling_slashes():
    assert rules.verify_url("https://lms.example.cn/", "AB") == "https://lms.example.cn/certificates/verify/AB"
