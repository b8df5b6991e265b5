"""The accounts blueprint, on which both the sign-in pages (``views``) and the administrator's people pages
(``admin_views``) register; a module of its own so neither page module imports the other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
