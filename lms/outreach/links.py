"""A link's token and public address in a request: signed with the app's keys (lms.outreach.rules)."""

from __future__ import annotations

from flask import current_app, url_for

from lms.outreach import rules
from lms.outreach.models import ShopLink


def secret_keys() -> list[str]:
    """The fallbacks first, the current key last (the one that signs)."""
    return [*(current_app.config.get("SECRET_KEY_FALLBACKS") or ()), current_app.config["SECRET_KEY"]]


def token_of(link: ShopLink) -> str:
    return rules.make_token(secret_keys(), link.id, link.nonce)


def address_of(link: ShopLink) -> str:
    """The address a shop opens: under LMS_BASE_URL when set, else the address this request came to."""
    path = url_for("outreach.shop_page", token=token_of(link))
    base = str(current_app.config.get("LMS_BASE_URL") or "").strip().rstrip("/")
    return f"{base}{path}" if base else url_for("outreach.shop_page", token=token_of(link), _external=True)
