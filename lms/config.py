"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Every ``LMS_*`` default below can be overridden by an environment variable of the same name; values are parsed
as the default's type (bool, int, float or str).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lms.core.settings import typed

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required outside development; generated per instance otherwise (see create_app)
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{REPO_ROOT / 'instance' / 'lms.sqlite3'}",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Sessions: the cookie outlives the longest test comfortably; see docs/architecture.md.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # A CSRF token must stay valid through a whole timed test plus its grace period.
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "translations"),
    # --- product settings (LMS_*): each is listed in the README's Configuration table ---
    "LMS_TIMEZONE": "Asia/Shanghai",
    "LMS_LANGUAGES": "zh_Hans_CN,en",
    "LMS_CONTENT_DIR": str(REPO_ROOT / "content"),
    "LMS_QUIZZES_DIR": str(REPO_ROOT / "quizzes"),
    "LMS_COMPANY_NAME": "中国电信示例市分公司",
    # Empty: certificate links use the address each request came to; outbound messages carry no link.
    "LMS_BASE_URL": "",
    "LMS_PRODUCTION": False,
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    "LMS_LOGIN_LIMIT_PER_USER": "5 per minute;30 per hour",
    "LMS_LOGIN_LIMIT_PER_IP": "300 per minute",
    "LMS_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    "LMS_ROSTER_MAX_ROWS": 20000,
    # --- lesson media: screenshots and attachments uploaded in the lesson editor (lms.courses.media) ---
    "LMS_MEDIA_DIR": str(REPO_ROOT / "instance" / "media"),
    "LMS_MEDIA_MAX_BYTES": 15 * 1024 * 1024,  # below MAX_CONTENT_LENGTH, so the editor names the limit itself
    "LMS_MEDIA_IMAGE_MAX_WIDTH": 1600,
    "LMS_MEDIA_IMAGE_MAX_PIXELS": 40_000_000,
    # --- assessment policy (lms.assessment.rules.Policy; docs/domain.md, "Assessment": what each changes) ---
    "LMS_PASS_SCORE": 80.0,
    "LMS_MAX_SCORE": 100.0,
    "LMS_FIRST_FAIL_ACTION": "criticism",  # or "none"
    "LMS_CONSECUTIVE_FAIL_PENALTY_YUAN": 200,
    "LMS_SYSTEM_OPS_DEDUCTION_POINTS": 2.0,
    "LMS_ABSENT_COUNTS_AS_FAIL": True,
    "LMS_MAKEUP_CLEARS_FAIL": True,
    "LMS_YELLOW_CARD_BOTTOM_N": 3,
    "LMS_REWARD_TOP_N": 3,
    "LMS_WINDOW_FIRST_DAY": 1,
    "LMS_WINDOW_LAST_DAY": 8,
    "LMS_GRACE_SECONDS": 60,
    "LMS_ASSIGN_LATE_JOINERS": False,  # people who join after a window opened are not assigned that test
    "LMS_RANKING_SCOPE": "county",  # or "city"
    "LMS_QUARTER_YELLOW_CARDS": 2,  # yellow cards in one quarter that make the next a focused-improvement quarter
    # Answer sheets of running attempts kept per worker for autosaves (~3 KB each; lms.attempts).
    "LMS_ANSWER_SHEET_CACHE": 4096,
    # --- the field day (lms.field): the progress report's deadline; process indicators written by the close ---
    "LMS_FIELD_PROGRESS_DUE": "17:00",
    "LMS_FIELD_INDICATORS": True,
    # --- appeals (lms.assessment.appeal_rules): the window after an entry (or its notice), the decision's due date ---
    "LMS_APPEAL_DAYS": 7,
    "LMS_APPEAL_DECISION_DAYS": 7,
    # --- shop visits' tickets (lms.field.visit_rules.TicketSettings): days to handle each kind; the terminal supervisor
    "LMS_FIELD_DUE_DAYS_REMUNERATION": 7,
    "LMS_FIELD_DUE_DAYS_SYSTEM_OPS": 3,
    "LMS_FIELD_DUE_DAYS_AFTER_SALES": 7,
    "LMS_FIELD_TERMINAL_SUPERVISOR": "",  # an employee number; empty: the county supervisor answers after-sales
    # --- point-to-point training suggestions (lms.reports.rules.SuggestionSettings) ---
    "LMS_REPORTS_GRID_PASS_RATE": 0.8,
    "LMS_REPORTS_PERSON_PASS_RATE": 0.5,
    "LMS_REPORTS_TREND_DROP": 5.0,
    "LMS_REPORTS_WINDOW": 6,
    "LMS_REPORTS_MIN_ASSESSED": 3,
    # --- check-ins on the phone (lms.field.checkin_rules.CheckinSettings) and the field data's retention (PIPL) ---
    "LMS_CHECKIN_RADIUS_M": 300.0,
    "LMS_CHECKIN_GRACE_MINUTES": 10,
    "LMS_FIELD_RETENTION_DAYS": 180,
    # --- reminders (lms.announcements.rules.ReminderSettings) ---
    "LMS_REMINDER_WINDOW_OPEN": True,
    "LMS_REMINDER_CLOSING_DAYS": 2,
    "LMS_REMINDER_MAKEUP": True,
    "LMS_REMINDER_LEDGER": True,
    "LMS_REMINDER_APPEAL_CONTACT": "所在县区主管",
    # --- outbound messages: retries (lms.announcements.rules.RetryPolicy) and channels ---
    "LMS_OUTBOX_MAX_ATTEMPTS": 6,
    "LMS_OUTBOX_BACKOFF_SECONDS": 60,
    "LMS_OUTBOX_BACKOFF_MAX_SECONDS": 3600,
    "LMS_OUTBOX_LEASE_SECONDS": 300,
    "LMS_OUTBOX_TIMEOUT_SECONDS": 10.0,
    # E-mail (lms.announcements.channels.SmtpSettings); no host: e-mail is off.
    "LMS_SMTP_HOST": "",
    "LMS_SMTP_PORT": 25,
    "LMS_SMTP_USERNAME": "",
    "LMS_SMTP_PASSWORD": "",
    "LMS_SMTP_STARTTLS": False,
    "LMS_SMTP_SSL": False,
    "LMS_SMTP_SENDER": "lms@localhost",
    "LMS_SMTP_SENDER_NAME": "渠道经理培训考核",
    "LMS_SMTP_TIMEOUT": 10.0,
    # --- certificates ---
    "LMS_CERT_CACHE_DIR": str(REPO_ROOT / "instance" / "certificates"),
    "LMS_CERT_FONT_DIR": "",  # empty: <LMS_CERT_CACHE_DIR>/fonts
    "LMS_CERT_TEMPLATE": str(REPO_ROOT / "templates" / "certificates" / "certificate.html"),
    "LMS_CERT_STYLESHEET": str(REPO_ROOT / "static" / "css" / "certificate-pdf.css"),
    "LMS_CERT_RENDER_WORKERS": 0,  # 0: one per CPU
    "LMS_CERT_VERIFY_LIMIT": "30 per minute;300 per hour",
    # Shop links (lms.outreach): how long a link is honoured, and the shop page's budget per address (its lesson
    # pictures on a budget of their own); the shops' problem reports: per address, and per shop in a day.
    "LMS_SHOP_LINK_DAYS": 90,
    "LMS_SHOP_PAGE_LIMIT": "60 per minute;600 per hour",
    # Training sessions for shops (lms.outreach.session_rules): the check-in QR code works from this many minutes
    # before the start to this many after the end; the check-in page's budget per address (a room of phones on one
    # Wi-Fi shares an address, hence more than a shop page's).
    "LMS_SHOP_SESSION_OPENS_MINUTES": 30,
    "LMS_SHOP_SESSION_CLOSES_MINUTES": 120,
    "LMS_SHOP_SESSION_LIMIT": "120 per minute;1200 per hour",
    "LMS_SHOP_MEDIA_LIMIT": "240 per minute;2400 per hour",
    "LMS_SHOP_REPORT_LIMIT": "5 per minute;30 per hour",
    "LMS_SHOP_REPORTS_PER_DAY": 10,
}


def _coerce(key: str, raw: str, default: Any) -> Any:
    if not isinstance(default, bool | int | float):
        return raw
    try:
        return typed(raw, default)
    except ValueError:
        raise ValueError(f"{key}={raw!r}: expected {type(default).__name__}, like the default {default!r}") from None


def from_environment(environ: os._Environ[str] | dict[str, str], current: dict[str, Any]) -> dict[str, Any]:
    """Values from the environment, typed like the settings they override."""
    found: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    for key, value in environ.items():
        if key.startswith("LMS_"):
            found[key] = _coerce(key, value, current.get(key, ""))
    return found


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
