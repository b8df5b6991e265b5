"""Language choice: the person's saved preference, then ``?lang=``/cookie, then Simplified Chinese."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

LANG_COOKIE = "lms_lang"


def available() -> list[str]:
    return [code.strip() for code in current_app.config["LMS_LANGUAGES"].split(",") if code.strip()]


def select_locale() -> str:
    languages = available()
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if wanted in languages:
        return wanted
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return str(current_user.locale)
    return languages[0]


def N_(text: str) -> str:
    """Mark a string for the catalog where it is defined (``-k N_`` in scripts/i18n.py); it is translated later,
    where it is shown, with ``_(text)``."""
    return text
