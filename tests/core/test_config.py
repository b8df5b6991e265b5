"""Every setting has one default, in ``lms/config.py``, listed in the README's table; the domains' own dataclass
defaults (what the pure rules use when given no settings) agree with it; a bad environment value names itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lms import config
from lms.announcements.channels import SmtpSettings
from lms.announcements.rules import ReminderSettings, RetryPolicy
from lms.assessment.rules import Policy
from lms.field.checkin_rules import CheckinSettings
from lms.field.visit_rules import TicketSettings
from lms.outreach.session_rules import WindowSettings
from lms.reports.rules import SuggestionSettings, suggestion_settings

ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r"LMS_[A-Z0-9_]+")


def _settings_named_in_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "lms").rglob("*.py"):
        if path == ROOT / "lms" / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SETTING.fullmatch(node.value):
                names.add(node.value)
    return names


def _settings_in_readme() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Configuration"):text.index("## Command line")]
    return [match.group(1) for match in re.finditer(r"^\| `(LMS_[A-Z0-9_]+)` \|", table, flags=re.MULTILINE)]


def _product_defaults() -> set[str]:
    return {key for key in config.DEFAULTS if key.startswith("LMS_")}


def test_every_setting_the_code_reads_has_its_default_in_config() -> None:
    assert _settings_named_in_code() - _product_defaults() == set()


def test_no_default_in_config_is_left_unread() -> None:
    assert _product_defaults() - _settings_named_in_code() == set()


def test_the_readme_lists_each_setting_once() -> None:
    listed = _settings_in_readme()
    assert sorted(listed) == sorted(set(listed))
    assert set(listed) == _product_defaults()


@pytest.mark.parametrize(("built", "plain"), [
    (Policy.from_settings(config.DEFAULTS), Policy()),
    (ReminderSettings.from_settings(config.DEFAULTS), ReminderSettings()),
    (RetryPolicy.from_settings(config.DEFAULTS), RetryPolicy()),
    (SmtpSettings.from_settings(config.DEFAULTS), SmtpSettings()),
    (suggestion_settings(config.DEFAULTS), SuggestionSettings()),
    (CheckinSettings.from_settings(config.DEFAULTS), CheckinSettings()),
    (TicketSettings.from_settings(config.DEFAULTS), TicketSettings()),
    (WindowSettings.from_settings(config.DEFAULTS), WindowSettings()),
], ids=["assessment policy", "reminders", "outbox retries", "smtp", "suggestions", "check-ins", "visit tickets",
        "shop sessions' check-in window"])
def test_the_rules_own_defaults_are_the_configured_ones(built: object, plain: object) -> None:
    assert built == plain


def test_environment_values_are_typed_like_their_defaults() -> None:
    found = config.from_environment({"LMS_SMTP_PORT": "587", "LMS_SMTP_SSL": "yes", "LMS_REPORTS_TREND_DROP": "7.5",
                                     "LMS_SMTP_HOST": "mail.example.cn"}, config.DEFAULTS)
    assert found == {"LMS_SMTP_PORT": 587, "LMS_SMTP_SSL": True, "LMS_REPORTS_TREND_DROP": 7.5,
                     "LMS_SMTP_HOST": "mail.example.cn"}


def test_a_number_that_does_not_parse_names_the_variable() -> None:
    with pytest.raises(ValueError, match=r"LMS_GRACE_SECONDS='sixty': expected int"):
        config.from_environment({"LMS_GRACE_SECONDS": "sixty"}, config.DEFAULTS)
