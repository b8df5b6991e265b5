"""The field blueprint, on which every field page module registers (shops, check-ins, visits, tickets, the daily
report, the supervisors' boards); a module of its own so no page module imports another."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("field", __name__)
