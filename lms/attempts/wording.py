"""The system's own words inside a stored paper, in the reader's language.

A true-or-false question's options are written into the paper as 正确 / 错误 when it is drawn (the paper is
immutable evidence), so they are put into the reader's language where they are shown. Each has its own catalogue
entry: the bare word 错误 is also the UI's "Error".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale, gettext

from lms.core.i18n import N_

TRUE_FALSE_WORDS = {"正确": N_("判断题选项：正确"), "错误": N_("判断题选项：错误")}


def option_text(question: Mapping[str, Any], text: str) -> str:
    """An option's text as the reader should see it (only the true-or-false words change with the language)."""
    if question.get("type") != "truefalse" or text not in TRUE_FALSE_WORDS:
        return text
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return text
    return gettext(TRUE_FALSE_WORDS[text])
