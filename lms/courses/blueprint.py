"""The courses blueprint, shared by the lesson pages (``views``) and the trainers' pages;
no page module imports another."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("courses", __name__)
