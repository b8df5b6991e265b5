"""The one setting parser: text from the environment and Python values read alike."""

from __future__ import annotations

import pytest

from lms.core.settings import is_on, setting, typed


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("true", True), (" Yes ", True), ("ON", True), (True, True), (1, True),
    ("0", False), ("false", False), ("no", False), ("off", False), ("", False), (False, False), (0, False),
    (None, False),
])
def test_is_on(value, expected):
    assert is_on(value) is expected


def test_a_setting_takes_the_type_of_its_default():
    settings = {"N": "85", "RATE": "0.9", "FLAG": "false", "NAME": 7}
    assert setting(settings, "N", 80) == 85
    assert setting(settings, "RATE", 0.8) == 0.9
    assert setting(settings, "FLAG", True) is False
    assert setting(settings, "NAME", "x") == "7"
    assert setting(settings, "ABSENT", 3) == 3
    assert typed("anything", None) == "anything"
    with pytest.raises(ValueError, match="invalid literal"):
        setting({"N": "eighty"}, "N", 80)
