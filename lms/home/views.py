from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy import text

from lms.extensions import db
from lms.home import panels

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> Any:
    return render_template("home/index.html", panels=panels.render_for(current_user))


@bp.route("/healthz")
def healthz() -> Any:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon() -> Any:
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links; the file lives with the other icons
    (``static/icons``, built by scripts/make_icons.py)."""
    return send_from_directory(current_app.static_folder + "/icons", "favicon.ico",  # type: ignore[operator]
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 86400)
