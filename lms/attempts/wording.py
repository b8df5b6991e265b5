"""The system's own words inside a stored paper, in the reader's language.

A true-or-false question's options are written into the paper as 正确 / 错误 when it is drawn (the paper is
immutable evidence), so they are put into the reader's language where they are shown. Each has its own catalogue
entry: the bare word 错误 is also the UI's "Error". Every page and API answer that shows a paper's options or its
right answer takes them from here, as HTML (``options_html``, ``answer_html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale, gettext

from lms.attempts import rules
from lms.core.i18n import N_
from lms.core.markdown import render_inline

TRUE_FALSE_WORDS = {"正确": N_("判断题选项：正确"), "错误": N_("判断题选项：错误")}


def option_text(question: Mapping[str, Any], text: str) -> str:
    """An option's text as the reader should see it (only the true-or-false words change with the language)."""
    if question.get("type") != "truefalse" or text not in TRUE_FALSE_WORDS:
        return text
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return text
    return gettext(TRUE_FALSE_WORDS[text])


def option_html(question: Mapping[str, Any], text: str) -> str:
    return render_inline(option_text(question, text))


def options_html(question: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The question's options as shown: their ids and their text in the reader's language, as HTML."""
    return [{"id": o["id"], "html": option_html(question, o["text"])} for o in question["options"]]


def answer_html(question: Mapping[str, Any]) -> list[str]:
    """The right answer in words (the right options' text, or the accepted fill-in answers), as HTML."""
    return [option_html(question, text) for text in rules.correct_answer_texts(question)]
