"""Pages: the quiz player, the result page, the wrong-answer book, and the supervisors' view of a quiz's people."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.access import roles_required, user_scope_clause
from lms.accounts.models import User
from lms.accounts.queries import managers_in_scope
from lms.attempts import evidence, queries, rules, services
from lms.attempts.models import ACCOMMODATION_KINDS, Accommodation, Attempt
from lms.attempts.wording import answer_html, options_html
from lms.core import numbers
from lms.core.clock import utcnow
from lms.core.errors import DomainError
from lms.core.markdown import render_markdown
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.question_types import question_type

bp = Blueprint("attempts", __name__)

STAFF = ("trainer", "supervisor", "admin")


@bp.route("/quizzes/<slug>/take")
@roles_required()
def take(slug: str) -> Any:
    """The player shell; static/js/quiz/main.js starts or resumes the attempt through the JSON API."""
    trainer = current_user.role in ("trainer", "admin")
    quiz = quizzes.get_quiz(slug, drafts=trainer)  # a trainer previews drafts on this page
    running = queries.in_progress_attempt(current_user.id, quiz.id) if trainer else None
    return render_template("attempts/take.html", quiz=quiz, version=quiz.current_version,
                           screen_timeout=rules.SCREEN_TIMEOUT_SECONDS,
                           preview=running is not None and running.is_preview)


@bp.route("/attempts/<int:attempt_id>")
@roles_required()
def result(attempt_id: int) -> Any:
    now = utcnow()
    attempt = services.finish_if_expired(queries.attempt_for_viewer(current_user, attempt_id), now=now)
    if not attempt.is_finished and attempt.user_id == current_user.id:
        return redirect(url_for("attempts.take", slug=attempt.quiz.slug))
    review = queries.is_review_open(attempt, now=now) or current_user.role in ("trainer", "admin")
    answers = queries.saved_answers(attempt.id)
    total = rules.paper_total(attempt.paper)
    rows = []
    for number, question in enumerate(attempt.paper["questions"], start=1):
        outcome = (attempt.results or {}).get(question["id"])
        given = answers.get(question["id"])
        rows.append({
            "number": number, "question": question, "outcome": outcome,
            # People see each question's share of the max score (5 of 100), never the file's raw points.
            "points": rules.scaled_points(float(question["points"]), total, attempt.max_score),
            "earned": rules.scaled_points(float(outcome["earned"]), total, attempt.max_score) if outcome else None,
            "stem_html": render_markdown(question["stem"]),
            "options": options_html(question),
            "given": given,
            "explanation_html": render_markdown(question["explanation"]) if question["explanation"] else "",
            "key_texts": rules.correct_answer_texts(question),  # fully right answers; partial ones are not "the" key
            "feedback_html": [render_markdown(text) for text in question_type(question["type"]).feedback_for(
                question, services.as_answer(given) if given else None)] if review else [],
        })
    is_staff = attempt.user_id != current_user.id
    events = queries.attempt_events(attempt.id)
    return render_template(
        "attempts/result.html", attempt=attempt, rows=rows, review=review,
        review_close=queries.review_close(attempt), is_staff=is_staff,
        timeline=evidence.timeline(events, attempt.paper) if is_staff else [],
        switches=sum(1 for e in events if rules.is_switch(e.kind)),
        away=evidence.away_summary(e.kind for e in events))


def book_anchor(attempt_id: int, question_id: str) -> str:
    """The id of a wrong-answer book item on the page (its form returns there)."""
    return f"w-{attempt_id}-{re.sub(r'[^A-Za-z0-9_-]', '-', question_id)}"


def _practice_payload(form: Any) -> dict[str, Any]:
    return {"text": form.get("text", "")} if "text" in form else {"choices": form.getlist("choice")}


def _book_entry(entry: queries.WrongAnswer) -> dict[str, Any]:
    question = entry.question
    return {
        "entry": entry, "anchor": book_anchor(entry.attempt.id, question["id"]),
        "stem_html": render_markdown(question["stem"]),
        "options": [{**o, "correct": o["id"] in question["correct"]} for o in options_html(question)],
        "answer_html": answer_html(question),
        "explanation_html": render_markdown(question["explanation"]) if question["explanation"] else "",
    }


@bp.route("/wrong-answers", methods=["GET", "POST"])
@roles_required()
def wrong_answers() -> Any:
    """The wrong-answer book. 检查 works without JavaScript: the form posts here and the page comes back at the same
    item (the form's action ends with its anchor) with the answer kept; static/js/quiz/wrong-answers.js checks in place
    instead (POST /api/v1/wrong-answers/check)."""
    now = utcnow()
    checked: dict[str, Any] | None = None
    if request.method == "POST":
        attempt_id = numbers.to_id(request.form.get("attempt_id"))
        if attempt_id is None:
            abort(400)
        question_id = request.form.get("question_id", "")
        payload = _practice_payload(request.form)
        result = services.check_practice_answer(current_user, attempt_id, question_id, payload, now=now)
        checked = {"anchor": book_anchor(attempt_id, question_id), "correct": result.grade.correct,
                   "choices": payload.get("choices", []), "text": payload.get("text"),
                   "newly_mastered": result.newly_mastered}
    entries = [_book_entry(e) for e in queries.wrong_answer_book(current_user, now=now)]
    return render_template("attempts/wrong_answers.html", checked=checked, mastery_days=rules.MASTERY_DAYS,
                           active=[e for e in entries if not e["entry"].mastered],
                           mastered=[e for e in entries if e["entry"].mastered])


@bp.route("/wrong-answers/mastered", methods=["POST"])
@roles_required()
def wrong_answer_mastered() -> Any:
    """Mark a book item mastered (it moves to 已掌握), or put it back; the page returns to where the person was."""
    attempt_id = numbers.to_id(request.form.get("attempt_id"))
    if attempt_id is None:
        abort(400)
    mastered = request.form.get("mastered") == "1"
    services.set_mastered(current_user, attempt_id, request.form.get("question_id", ""), mastered=mastered,
                          now=utcnow())
    flash(_("已移到“已掌握”。") if mastered else _("已移回错题本。"), "success")
    back = request.form.get("next", "")
    anchor = back if re.fullmatch(r"[A-Za-z0-9_-]{1,200}", back) else "wa-list"
    return redirect(url_for("attempts.wrong_answers", _anchor=anchor))


def _people_evidence(kinds: dict[int, list[str]]) -> dict[int, dict[str, Any]]:
    """Per attempt: real switches (counted, a warning) and the other ways the person was away, in words."""
    return {attempt_id: {"switches": sum(1 for kind in found if rules.is_switch(kind)),
                         "away": evidence.away_summary(found)} for attempt_id, found in kinds.items()}


@bp.route("/quizzes/<slug>/people", methods=["GET", "POST"])
@roles_required(*STAFF)
def people(slug: str) -> Any:
    """Who took the quiz in the viewer's scope, with evidence counts and per-person accommodations."""
    quiz = quizzes.get_quiz(slug)
    now = utcnow()
    if request.method == "POST":
        person = db.session.scalar(select(User).where(User.employee_no == request.form.get("employee_no", ""),
                                                      user_scope_clause(current_user)))
        if person is None:
            flash(_("找不到该工号，或不在您的管理范围内。"), "error")
        else:
            minutes_text = request.form.get("minutes", "").strip()
            try:
                services.grant_accommodation(
                    current_user, person, quiz, kind=request.form.get("kind", ""),
                    reason=request.form.get("reason", ""),
                    minutes=int(minutes_text) if minutes_text.isdigit() else None, now=now)
            except DomainError as exc:
                flash(exc.message, "error")
            else:
                flash(_("已记录。"), "success")
        return redirect(url_for("attempts.people", slug=slug))
    managers = managers_in_scope(current_user)
    ids = [m.id for m in managers]
    attempts: dict[int, Attempt] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id.in_(ids))
                                      .order_by(Attempt.number)):
        attempts[attempt.user_id] = attempt
    accommodations = list(db.session.scalars(
        select(Accommodation).where(Accommodation.quiz_id == quiz.id, Accommodation.user_id.in_(ids))
        .order_by(Accommodation.created_at)))
    return render_template(
        "attempts/people.html", quiz=quiz, managers=managers, attempts=attempts,
        evidence=_people_evidence(queries.away_kinds([a.id for a in attempts.values()])),
        accommodations=accommodations, kinds=ACCOMMODATION_KINDS)
