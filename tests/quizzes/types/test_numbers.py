"""Numbers as people type them on a phone, and keys as trainers write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.quizzes.types.numbers import format_key, format_number, matches, parse_key, parse_number


@pytest.mark.parametrize(("typed", "value"), [
    ("3", 3.0), (" 3.0 ", 3.0), ("-2.5", -2.5), ("−2.5", -2.5), ("+4", 4.0), (".5", 0.5), ("1e3", 1000.0),
    ("３．１４", 3.14), ("１２", 12.0), ("3,5", 3.5), ("0,25", 0.25), ("1,000", 1000.0), ("1,234,567.5", 1234567.5),
    ("１，０００", 1000.0), ("1 000", 1000.0),
])
def test_a_typed_number_reads_as_people_mean_it(typed: str, value: float) -> None:
    assert parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize("typed", ["", "abc", "1..2", "3,5,7", "nan", "inf", "1e999", "3。5", "1,2.3", "--1", "1" * 60])
def test_what_is_not_a_number_is_none(typed: str) -> None:
    assert parse_number(typed) is None


@pytest.mark.parametrize(("written", "key"), [
    ("3", (3.0, 0.0)), ("3±0.5", (3.0, 0.5)), ("3:0.5", (3.0, 0.5)), ("3+-0.5", (3.0, 0.5)),
    ("1..5", (3.0, 2.0)), ("1~5", (3.0, 2.0)), ("１至５", (3.0, 2.0)), ("-1..1", (0.0, 1.0)),
])
def test_a_key_is_a_value_and_a_tolerance(written: str, key: tuple[float, float]) -> None:
    assert parse_key(written) == key


@pytest.mark.parametrize("written", ["", "x", "5..1", "3±-1", "3:", "1..", "3±x"])
def test_a_bad_key_is_none(written: str) -> None:
    assert parse_key(written) is None


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.floats(min_value=0, max_value=1e6))
def test_a_written_key_reads_back_as_itself(value: float, tolerance: float) -> None:
    assert parse_key(format_key(value, tolerance)) == (value, tolerance)
    assert parse_number(format_number(value)) == value


def test_floating_point_noise_is_not_the_persons_error() -> None:
    assert matches(0.1 + 0.2, 0.3, 0.0)
    assert not matches(0.31, 0.3, 0.0)
    assert matches(3.5, 3.0, 0.5)
    assert not matches(3.51, 3.0, 0.5)
