"""A shop's staff contacts (门店联系人), pure: a name, a mainland mobile number and a role. No Flask, no database.

Contacts are personal data: the shop's own manager keeps them, their supervisors read them; the shop's page shows
only the names (as suggestions for "who confirmed"), never the numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NAME = 50
MAX_PER_SHOP = 20  # a shop's staff, not an address book
SHOPKEEPER, CLERK, OTHER = "shopkeeper", "clerk", "other"  # 店长, 店员, 其他
ROLES = (SHOPKEEPER, CLERK, OTHER)
# Mainland mobile numbers: 11 digits, 1 then 3–9 (no landlines: the point is a number that reaches a phone).
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d would take any script's digits
_SEPARATORS = re.compile(r"[\s\-()]")

NAME_PROBLEM = "name"
PHONE_PROBLEM = "phone"
ROLE_PROBLEM = "role"


@dataclass(frozen=True)
class ContactInput:
    name: str
    phone: str  # 11 digits, no separators
    role: str


@dataclass(frozen=True)
class Cleaned:
    contact: ContactInput | None
    problems: tuple[str, ...]  # NAME_PROBLEM / PHONE_PROBLEM / ROLE_PROBLEM


def clean_name(text: str | None) -> str | None:
    """Required, at most 50 characters, inner spaces collapsed."""
    name = " ".join((text or "").split())
    return name if 0 < len(name) <= MAX_NAME else None


def clean_mobile(text: str | None) -> str | None:
    """The 11 digits of a mainland mobile as people write it (spaces, dashes, a +86 or 0086 in front), else None."""
    digits = _SEPARATORS.sub("", text or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if MOBILE_RE.match(digits) else None


def clean_contact(name: str | None, phone: str | None, role: str | None) -> Cleaned:
    """Every problem at once, so the form can say all of them."""
    clean = clean_name(name)
    number = clean_mobile(phone)
    kind = (role or "").strip()
    problems = tuple(problem for problem, bad in ((NAME_PROBLEM, clean is None), (PHONE_PROBLEM, number is None),
                                                  (ROLE_PROBLEM, kind not in ROLES)) if bad)
    if problems or clean is None or number is None:
        return Cleaned(None, problems)
    return Cleaned(ContactInput(clean, number, kind), ())

