from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lms.home import panels

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> Any:
    return render_template("home/index.html", panels=panels.render_for(current_user))


@bp.route("/healthz")
def healthz() -> Any:
    from sqlalchemy import text

    from lms.extensions import db

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
