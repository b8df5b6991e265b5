"""The assessment blueprint, shared by the assessment pages (``views``) and the appeal pages (``appeal_views``);
no page module imports another."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
