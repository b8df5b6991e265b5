"""Pages: the person's list of tests, and the trainers' question banks (upload, template download)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.attempts.services import standings_for
from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.quizzes import importers, services
from lms.quizzes.blueprint import bp
from lms.quizzes.definitions import spec_from_json

STAFF = ("trainer", "admin")


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
    return render_template("quizzes/detail.html", quiz=quiz, version=quiz.current_version, standing=standing)


@bp.route("/quizzes/banks", methods=["GET", "POST"])
@roles_required(*STAFF)
def banks() -> Any:
    problems: list[str] = []
    skipped: list[tuple[str, int | None, str]] = []
    if request.method == "POST":
        upload = request.files.get("file")
        bank_slug = (request.form.get("bank") or "").strip()
        if upload is None or not upload.filename:
            problems.append(_("请选择要导入的文件。"))
        else:
            try:
                report = services.import_questions(
                    upload.read(), upload.filename, bank_slug, title=request.form.get("title") or None,
                    max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"])
            except ValidationFailed as exc:
                problems = [exc.message, *exc.problems]
            except DomainError as exc:
                problems = [exc.message]
            else:
                skipped = report.skipped
                flash(_("已导入 %(new)d 道新题，更新 %(updated)d 道，跳过 %(skipped)d 道。", new=report.imported,
                        updated=report.updated, skipped=len(report.skipped)), "success")
                if not skipped:
                    return redirect(url_for("quizzes.bank", slug=bank_slug))
    return render_template("quizzes/banks.html", banks=services.list_banks(), problems=problems, skipped=skipped,
                           form=request.form)


@bp.route("/quizzes/banks/template.xlsx")
@roles_required(*STAFF)
def bank_template() -> Any:
    return Response(importers.xlsx_template(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=question-bank-template.xlsx"})


@bp.route("/quizzes/banks/<slug>")
@roles_required(*STAFF)
def bank(slug: str) -> Any:
    found = services.get_bank(slug)
    questions = [(q, spec_from_json(q.spec)) for q in found.questions if q.retired_at is None]
    return render_template("quizzes/bank.html", bank=found, questions=questions)
