"""Pages: the person's list of tests and a test's page. The trainers' question banks are in ``bank_views``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.attempts.services import standings_for
from lms.core.clock import utcnow
from lms.quizzes import (
    bank_views,  # noqa: F401 - registers the question-bank pages on bp
    builder_views,  # noqa: F401 - registers the test builder's pages on bp
    import_views,  # noqa: F401 - registers the import preview, question pictures and exports on bp
    services,
)
from lms.quizzes.blueprint import bp


@bp.route("/quizzes")
@roles_required()
def index() -> Any:
    now = utcnow()
    standings = standings_for(current_user, now=now)
    return render_template(
        "quizzes/index.html", now=now,
        official=[s for s in standings if s.quiz.kind != "practice"],
        practice=[s for s in standings if s.quiz.kind == "practice"],
        all_quizzes=services.live_quizzes() if current_user.role in ("trainer", "admin", "supervisor") else [],
    )


@bp.route("/quizzes/<slug>")
@roles_required()
def detail(slug: str) -> Any:
    quiz = services.get_quiz(slug)
    standing = next((s for s in standings_for(current_user, now=utcnow()) if s.quiz.id == quiz.id), None)
    frozen = quiz.current_version.definition or {} if quiz.current_version else {}
    opens, closes = frozen.get("makeup_opens_at"), frozen.get("makeup_closes_at")
    makeup = (datetime.fromisoformat(opens), datetime.fromisoformat(closes)) if opens and closes else None
    return render_template("quizzes/detail.html", quiz=quiz, version=quiz.current_version, standing=standing,
                           makeup_window=makeup)
