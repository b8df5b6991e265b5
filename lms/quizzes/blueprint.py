"""The quizzes blueprint, shared by the person's list of tests (``views``) and the trainers' pages;
no page module imports another."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quizzes", __name__)
