"""The password policy, after NIST SP 800-63B (5.1.1.2): long enough, not a common or breached password, not
built from what an attacker knows about the person, not the current one; no composition rules (no "one capital,
one digit, one symbol"), which make passwords harder to remember and no harder to guess. Pure: no Flask, no
SQLAlchemy.

The common-password check is zxcvbn's: its list of 30,000 passwords most often found in breaches (offline, in the
package), and its estimate of how many guesses a password needs, which catches what a list cannot (``aaaaaaaa``,
``Password2026``, a keyboard row, a word and a year)."""

from __future__ import annotations

import secrets

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 200  # NIST asks for at least 64; the form refuses more than this
# Fewer estimated guesses than this: the password falls to an online guessing attack on a common-passwords list.
MIN_GUESSES = 10**6
_ESTIMATE_LENGTH = 72  # zxcvbn's own limit: beyond it the estimate is slow and the password long enough anyway

# Passwords common in China that zxcvbn's English-language lists miss (from published breach rankings), and the
# words of this platform's own trade, which an attacker would try first.
_LOCAL_COMMON = frozenset({
    "woaini1314", "5201314", "1314520", "woaini520", "woaini123", "iloveyou1314", "a123456789", "qq123456",
    "aa123456", "a12345678", "123456aa", "123456qq", "1qaz2wsx", "1q2w3e4r", "zxcvbnm123", "qwe123456",
    "chinamobile", "chinatelecom", "chinaunicom", "zhongguo", "dianxin", "yidong", "liantong", "dianxin123",
    "10086", "10000", "10010",
})
_COMMON = frozenset(FREQUENCY_LISTS["passwords"]) | _LOCAL_COMMON

TOO_SHORT = f"新密码至少需要{MIN_LENGTH}个字符"
TOO_LONG = f"新密码不能超过{MAX_LENGTH}个字符"
COMMON = "新密码是常见或已泄露的密码，请换一个"
GUESSABLE = "新密码太容易猜到（重复或连续的字符、键盘上相邻的键、常见单词加年份等），请换一个更长、更少见的"
HAS_EMPLOYEE_NO = "新密码不能包含您的工号"
HAS_NAME = "新密码不能包含您的姓名"
SAME_AS_CURRENT = "新密码不能与当前密码相同"
# Every reason, for the translation catalogue.
REASONS = (TOO_SHORT, TOO_LONG, COMMON, GUESSABLE, HAS_EMPLOYEE_NO, HAS_NAME, SAME_AS_CURRENT)


def problems(password: str, *, employee_no: str = "", name: str = "", is_current: bool = False) -> list[str]:
    """Every reason ``password`` may not be chosen by the person with ``employee_no`` and ``name`` (``is_current``:
    it is their current password); an empty list when it may."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        found.append(TOO_LONG)
    lowered = password.lower()
    if employee_no.strip() and employee_no.strip().lower() in lowered:
        found.append(HAS_EMPLOYEE_NO)
    if len(name.strip()) >= 2 and name.strip().lower() in lowered:
        found.append(HAS_NAME)
    if lowered in _COMMON:
        found.append(COMMON)
    elif password and len(password) >= MIN_LENGTH and _guesses(password, employee_no, name) < MIN_GUESSES:
        found.append(GUESSABLE)
    if is_current:
        found.append(SAME_AS_CURRENT)
    return found


def _guesses(password: str, employee_no: str, name: str) -> float:
    inputs = [word for word in (employee_no.strip(), name.strip()) if word]
    return float(zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=inputs)["guesses"])


def temporary_password() -> str:
    """A one-time password an administrator hands over: 12 random URL-safe characters after a readable prefix."""
    return "Tmp-" + secrets.token_urlsafe(9)
