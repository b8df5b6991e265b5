"""Pure rules about certificates: codes, eligibility, what a verifier may see. No Flask, no SQLAlchemy."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# No 0/O, 1/I/L or U: a code read aloud or typed from paper must not be misread (Crockford's choice, minus U).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 30**16 ≈ 2**78: far beyond enumeration, even without the rate limit
GROUP = 4
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTHLY = "monthly"


def generate_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A new verification code, e.g. ``7KQM-4XTP-R9ZD-HC2W``. ``choose`` picks one character (secrets by default)."""
    return format_code("".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(text: str) -> str | None:
    """The canonical form of what someone typed or scanned (any case, spaces or dashes), or None if it cannot be one."""
    raw = re.sub(r"[\s\-_]", "", text or "").upper()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return format_code(raw)


def is_eligible(*, passed: bool | None, finished: bool, quiz_kind: str, issues_certificate: bool) -> bool:
    """A finished, passed attempt earns a certificate on a monthly test or on a quiz whose version says so."""
    return bool(passed) and finished and (quiz_kind == MONTHLY or issues_certificate)


def parse_period(text: str) -> str:
    """``YYYY-MM`` or ValueError with a message a person can act on."""
    if not PERIOD_RE.match(text or ""):
        raise ValueError(f"考核周期格式应为 YYYY-MM（例如 2026-11），收到：{text!r}")
    return text


def format_score(score: float) -> str:
    """92.0 → "92", 92.5 → "92.5": a certificate shows what the person scored, without noise."""
    rounded = round(score, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate: the facts as issued, plus the settings of the issuing company."""

    code: str
    holder_name: str
    employee_no: str
    quiz_title: str
    period: str
    score: float
    max_score: float
    issued_at: datetime  # in local time (Asia/Shanghai): the date printed is the local date
    company_name: str
    verify_url: str
    revoked: bool

    @property
    def score_text(self) -> str:
        return format_score(self.score)

    @property
    def max_score_text(self) -> str:
        return format_score(self.max_score)

    @property
    def period_text(self) -> str:
        year, month = self.period.split("-")
        return f"{year}年{int(month)}月"

    def fingerprint(self) -> str:
        """Changes whenever anything printed changes (a revocation, a new company name or base URL)."""
        fields = "\x1f".join(str(getattr(self, name)) for name in self.__dataclass_fields__)
        return hashlib.sha256(fields.encode()).hexdigest()[:12]


def cache_file_name(code: str, template_checksum: str, document_fingerprint: str) -> str:
    """``<code>/<template>-<document>.pdf``: a template change or a changed fact makes a new file.

    One folder per certificate, so replacing its stale versions never scans thousands of other files.
    """
    return f"{code}/{template_checksum[:12]}-{document_fingerprint[:12]}.pdf"


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/certificates/verify/{code}"
