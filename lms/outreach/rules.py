"""The shop link's token, its state, the shop check's score and what the logs may show. Pure: no Flask, no database.

The token (chosen design): ``URLSafeSerializer(SECRET_KEY, salt="shop-link").dumps([link_id, nonce])`` — signed,
not stored. The link's row keeps only the random ``nonce`` (``secrets.token_urlsafe(12)``); without the app's
secret key a copy of the database makes no token. Because the token can be derived again from the row, the
manager can show the same link and QR code any time (the WeChat group, a reprinted poster) instead of only once.
A token is honoured while its row says so: bound to the row's shop, refused once ``revoked_at`` is set or
``expires_at`` has passed (setting ``LMS_SHOP_LINK_DAYS``), and re-making a shop's link revokes the old one. Secret
key rotation: tokens signed with a key in ``SECRET_KEY_FALLBACKS`` still load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "shop-link"
NONCE_BYTES = 12
ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"
PASS_PERCENT = 80.0
MAX_CHECK_QUESTIONS = 5
MAX_NAME = 50
MAX_PHONE = 20
PHONE_RE = re.compile(r"^[0-9+\- ]{5,20}$")


def _serializer(secret_keys: Sequence[str], salt: str) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any of them: the fallbacks first, the current key last.
    return URLSafeSerializer(list(secret_keys), salt=salt)


def sign_row(secret_keys: Sequence[str], row_id: int, nonce: str, *, salt: str) -> str:
    """A token for a row (a shop link, a training session): its id and random nonce, signed; ``salt`` keeps one
    kind's token from opening another kind's page."""
    return str(_serializer(secret_keys, salt).dumps([row_id, nonce]))


def read_row(secret_keys: Sequence[str], token: str, *, salt: str) -> tuple[int, str] | None:
    """The (row id, nonce) a token carries, or None when it is not one of ours (bad signature, another salt, wrong
    shape)."""
    if not token or len(token) > 200:
        return None
    try:
        payload = _serializer(secret_keys, salt).loads(token)
    except (BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)
            and not isinstance(payload[0], bool) and isinstance(payload[1], str)):
        return None
    return payload[0], payload[1]


def make_token(secret_keys: Sequence[str], link_id: int, nonce: str) -> str:
    return sign_row(secret_keys, link_id, nonce, salt=SALT)


def read_token(secret_keys: Sequence[str], token: str) -> tuple[int, str] | None:
    """The (link id, nonce) a shop link's token carries, or None."""
    return read_row(secret_keys, token, salt=SALT)


# Where a shop is with the month's pack, for the manager's filter: no link in force, link not opened, opened but
# not confirmed, confirmed. Confirmed wins over a link that expired after it.
UNSHARED, UNOPENED, OPENED, CONFIRMED = "unshared", "unopened", "opened", "confirmed"
STAGES = (UNSHARED, UNOPENED, OPENED, CONFIRMED)


def stage(link_state: str | None, opened: bool, confirmed: bool) -> str:
    if confirmed:
        return CONFIRMED
    if opened:
        return OPENED
    return UNOPENED if link_state == ACTIVE else UNSHARED


def expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=max(1, days))


def link_state(now: datetime, expires_at: datetime, revoked_at: datetime | None) -> str:
    if revoked_at is not None:
        return REVOKED
    if now >= expires_at:
        return EXPIRED
    return ACTIVE


def pack_applies(lesson_period: str | None, period: str) -> bool:
    """A lesson for shops is in the month's pack when it is that month's, or has no month (always)."""
    return lesson_period is None or lesson_period == period


@dataclass(frozen=True)
class CheckResult:
    right: int
    total: int
    results: dict[str, bool]  # question key -> answered right

    @property
    def percent(self) -> float:
        return round(100.0 * self.right / self.total, 1) if self.total else 100.0

    @property
    def passed(self) -> bool:
        """All right, or at least 80 %."""
        return self.right == self.total or self.percent >= PASS_PERCENT


def check_result(results: dict[str, bool]) -> CheckResult:
    return CheckResult(right=sum(1 for ok in results.values() if ok), total=len(results), results=dict(results))


def clean_name(text: str | None) -> str | None:
    """The staff member's name as confirmed: required, at most 50 characters, inner spaces collapsed."""
    name = " ".join((text or "").split())
    return name if 0 < len(name) <= MAX_NAME else None


def clean_phone(text: str | None) -> str | bool | None:
    """An optional phone: None when empty, the number when it looks like one, False when it does not."""
    phone = (text or "").strip()
    if not phone:
        return None
    return phone if PHONE_RE.match(phone) else False


# A shop link in a logged line: the path itself (``/s/<token>``) or quoted in another address (``next=%2Fs%2F…``).
_TOKEN_IN_PATH = re.compile(r"(/s/|%2[Ff]s%2[Ff])[A-Za-z0-9_\-.]+")


def redact(text: str) -> str:
    """The line with every shop token replaced by ``…``."""
    return _TOKEN_IN_PATH.sub(lambda match: f"{match.group(1)}…", text)
