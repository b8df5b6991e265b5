"""The token, a link's state, the check's pass mark, the staff fields and the log redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.outreach import rules

KEYS = ["secret-one"]
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def test_a_token_carries_its_link_and_nonce_and_is_signed() -> None:
    token = rules.make_token(KEYS, 42, "n0nce")
    assert rules.read_token(KEYS, token) == (42, "n0nce")
    assert "n0nce" not in token or "." in token  # signed, not a bare value
    assert rules.read_token(["another-key"], token) is None
    assert rules.read_token(KEYS, token[:-2] + "xx") is None
    assert rules.read_token(KEYS, "") is None
    assert rules.read_token(KEYS, "zz-missing") is None
    assert rules.read_token(KEYS, "x" * 500) is None


def test_a_token_signed_with_a_fallback_key_still_reads() -> None:
    old = rules.make_token(["old-key"], 7, "abc")
    assert rules.read_token(["old-key", "new-key"], old) == (7, "abc")


def test_a_token_of_another_shape_is_refused() -> None:
    from itsdangerous import URLSafeSerializer

    for payload in ({"id": 1}, [True, "x"], ["1", "x"], [1, 2], [1, "x", 3]):
        forged = URLSafeSerializer(KEYS, salt=rules.SALT).dumps(payload)
        assert rules.read_token(KEYS, forged) is None


def test_link_state_and_expiry() -> None:
    expires = rules.expiry(NOW, 90)
    assert expires == NOW + timedelta(days=90)
    assert rules.expiry(NOW, 0) == NOW + timedelta(days=1)
    assert rules.link_state(NOW, expires, None) == rules.ACTIVE
    assert rules.link_state(expires, expires, None) == rules.EXPIRED
    assert rules.link_state(NOW, expires, NOW) == rules.REVOKED


def test_the_pack_is_the_months_lessons_and_those_without_a_month() -> None:
    assert rules.pack_applies("2026-12", "2026-12")
    assert rules.pack_applies(None, "2026-12")
    assert not rules.pack_applies("2026-11", "2026-12")


def test_a_check_passes_all_right_or_at_80_percent() -> None:
    assert rules.check_result({"a": True, "b": True, "c": True}).passed
    three_of_four = rules.check_result({"a": True, "b": True, "c": True, "d": False})
    assert three_of_four.percent == 75.0
    assert not three_of_four.passed
    four_of_five = rules.check_result({str(i): i < 4 for i in range(5)})
    assert four_of_five.percent == 80.0
    assert four_of_five.passed
    assert not rules.check_result({"a": True, "b": False, "c": True}).passed


def test_staff_name_and_phone() -> None:
    assert rules.clean_name("  张  三 ") == "张 三"
    assert rules.clean_name("") is None
    assert rules.clean_name("长" * 51) is None
    assert rules.clean_phone("") is None
    assert rules.clean_phone("138 0000 0000") == "138 0000 0000"
    assert rules.clean_phone("call me") is False


def test_redact_hides_tokens_in_paths_and_quoted_addresses() -> None:
    line = '127.0.0.1 - - "GET /s/WzEsImFiYyJd.sig-_x HTTP/1.1" 200 -'
    assert rules.redact(line) == '127.0.0.1 - - "GET /s/… HTTP/1.1" 200 -'
    assert rules.redact("POST /s/abc.def/check") == "POST /s/…/check"
    assert rules.redact("GET /lang/en?next=%2Fs%2FWzEs.sig%3F") == "GET /lang/en?next=%2Fs%2F…%3F"
    assert rules.redact("GET /courses/s/x") == "GET /courses/s/…"  # harmless over-redaction
    assert rules.redact("GET /outreach") == "GET /outreach"


def test_a_shops_stage_with_the_pack() -> None:
    assert rules.stage(None, opened=False, confirmed=False) == rules.UNSHARED
    assert rules.stage(rules.EXPIRED, opened=False, confirmed=False) == rules.UNSHARED
    assert rules.stage(rules.ACTIVE, opened=False, confirmed=False) == rules.UNOPENED
    assert rules.stage(rules.ACTIVE, opened=True, confirmed=False) == rules.OPENED
    assert rules.stage(rules.EXPIRED, opened=True, confirmed=True) == rules.CONFIRMED  # read before it expired
