"""The quiz player's JSON API (described at /api/v1/openapi.json): start, save an answer, submit, read the state,
log events.

``STATE_EXTRAS`` lets other domains add keys to ``GET /attempts/<id>`` (the certificates domain adds
``"certificate": {"code", "pdf_url"}``) without this module knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import jsonify
from flask_login import current_user

from lms.api import openapi
from lms.api.blueprint import api, caller_id, one_connection, unthrottled
from lms.api.validation import checked_body
from lms.attempts import queries, rules, services
from lms.attempts.models import IN_PROGRESS, Attempt
from lms.attempts.wording import answer_html, options_html
from lms.core.clock import utcnow
from lms.core.errors import ValidationFailed
from lms.core.markdown import render_markdown
from lms.quizzes.question_types import MAX_FILL_LENGTH, TYPES

STATE_EXTRAS: list[Callable[[Attempt], dict[str, Any]]] = []


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def question_json(question: dict[str, Any], *, total: float, max_score: float) -> dict[str, Any]:
    public = rules.public_question(question)
    return {
        "id": public["id"], "type": public["type"], "answer": public["answer"], "section": public["section"],
        "points": public["points"],
        "scaled_points": rules.scaled_points(float(public["points"]), total, max_score),
        "stem_html": render_markdown(public["stem"]),
        "options": options_html(public),
    }


def attempt_state(attempt: Attempt, *, now: datetime) -> dict[str, Any]:
    """Everything the page needs to draw (or resume) an attempt; the key only once review is open."""
    version = attempt.quiz_version
    answers = queries.saved_answers(attempt.id)
    total = rules.paper_total(attempt.paper)
    state: dict[str, Any] = {
        "id": attempt.id,
        "quiz": {"slug": attempt.quiz.slug, "title": attempt.quiz.title, "kind": attempt.quiz.kind,
                 "period": attempt.quiz.period},
        "status": attempt.status,
        "official": attempt.official,
        "makeup": attempt.makeup,
        "started_at": _iso(attempt.started_at),
        "deadline": _iso(attempt.deadline_at),
        "server_time": _iso(now),
        "remaining_seconds": rules.remaining_seconds(now, attempt.deadline_at) if attempt.status == IN_PROGRESS
        else 0,
        "grace_seconds": services.grace_seconds(),
        "time_limit_seconds": version.time_limit_seconds,
        "tab_switch_limit": version.definition.get("tab_switch_limit"),
        "questions": [question_json(q, total=total, max_score=attempt.max_score) for q in attempt.paper["questions"]],
        "answers": {qid: {"choices": row.choices or [], "text": row.text, "seq": row.client_seq,
                          "saved_at": _iso(row.saved_at)} for qid, row in answers.items()},
        "result": None,
        "review": None,
    }
    if attempt.is_finished:
        state["result"] = {
            "score": attempt.score, "max_score": attempt.max_score, "passed": attempt.passed,
            "submitted_at": _iso(attempt.finished_at), "finish_reason": attempt.finish_reason,
            "wrong": [qid for qid, r in (attempt.results or {}).items() if not r["correct"]],
            "per_question": attempt.results,
        }
        review_open = queries.is_review_open(attempt, now=now)
        close = queries.review_close(attempt)
        state["review_opens_at"] = _iso(close) if version.review_policy == "after_close" else None
        if review_open:
            state["review"] = {
                q["id"]: {"correct": q["correct"], "accepted": q["accepted"],
                          "explanation_html": render_markdown(q["explanation"]) if q["explanation"] else "",
                          "lesson": q.get("lesson")}
                for q in attempt.paper["questions"]
            }
    for extra in STATE_EXTRAS:
        state.update(extra(attempt))
    return state


def _body() -> Any:
    """The JSON body, already checked against the operation's schema (lms.api.validation); {} when none was sent."""
    payload = checked_body()
    return payload if payload is not None else {}


@api.route("/quizzes/<slug>/attempts", methods=["POST"])
def start_attempt(slug: str) -> Any:
    now = utcnow()
    body = _body()
    arrival = body.get("arrival") if isinstance(body, dict) else None
    attempt, created = services.start_attempt(current_user, slug, now=now,
                                              arrival=arrival if isinstance(arrival, dict) else None)
    return jsonify(attempt_state(attempt, now=now)), 201 if created else 200


@api.route("/attempts/<int:attempt_id>", methods=["GET"])
def get_attempt(attempt_id: int) -> Any:
    now = utcnow()
    attempt = services.finish_if_expired(queries.own_attempt(current_user, attempt_id), now=now)
    return jsonify(attempt_state(attempt, now=now))


@api.route("/attempts/<int:attempt_id>/answers/<question_id>", methods=["PUT"])
@unthrottled
@one_connection
def save_answer(attempt_id: int, question_id: str) -> Any:
    now = utcnow()
    saved = services.save_answer(caller_id(), attempt_id, question_id, _body(), now=now)
    return jsonify(saved_at=_iso(saved.saved_at), seq=saved.seq, question_id=question_id,
                   remaining_seconds=rules.remaining_seconds(now, saved.deadline_at))


@api.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit_attempt(attempt_id: int) -> Any:
    attempt = services.submit_attempt(current_user, attempt_id, _body(), now=utcnow())
    return jsonify(score=attempt.score, max_score=attempt.max_score, passed=attempt.passed,
                   submitted_at=_iso(attempt.finished_at), status=attempt.status,
                   finish_reason=attempt.finish_reason)


@api.route("/attempts/<int:attempt_id>/events", methods=["POST"])
def record_event(attempt_id: int) -> Any:
    body = _body()
    if not isinstance(body, dict):
        raise ValidationFailed("事件格式错误")
    attempt = services.record_client_event(current_user, attempt_id, str(body.get("kind", "")), now=utcnow(),
                                           detail=body.get("detail") if isinstance(body.get("detail"), dict)
                                           else None)
    return jsonify(status=attempt.status, finish_reason=attempt.finish_reason), 201


@api.route("/wrong-answers/check", methods=["POST"])
def check_wrong_answer() -> Any:
    """Practice one item of the caller's wrong-answer book: is this answer right, what is the right one in words."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("attempt_id"), int) \
            or not isinstance(body.get("question_id"), str):
        raise ValidationFailed("需要 attempt_id（整数）和 question_id（文本）")
    payload = {k: v for k, v in body.items() if k in ("choices", "text")}
    result = services.check_practice_answer(current_user, body["attempt_id"], body["question_id"], payload,
                                            now=utcnow())
    question = result.question
    return jsonify(
        correct=result.grade.correct,
        correct_choices=list(question["correct"]),
        answer_html=answer_html(question),
        explanation_html=render_markdown(question["explanation"]) if question["explanation"] else "",
        correct_days=result.correct_days, mastery_days=rules.MASTERY_DAYS, mastered=result.mastered,
        newly_mastered=result.newly_mastered)


# --- OpenAPI ---------------------------------------------------------------------------------------------------------

openapi.schema("PaperQuestion", {
    "type": "object", "required": ["id", "type", "stem_html", "points", "options"],
    "properties": {
        "id": {"type": "string"}, "type": {"type": "string", "enum": list(TYPES)},
        "answer": {"type": "string", "enum": ["choice", "choices", "text"],
                   "description": "what the question takes: one option id, several, or typed text (fill-in, numeric)"},
        "section": {"type": "string"}, "stem_html": {"type": "string"},
        "points": {"type": "number", "description": "raw points of the question file"},
        "scaled_points": {"type": "number", "description": "the question's share of max_score, two decimals (what "
                                                           "the page shows; a paper's add up to max_score)"},
        "options": {"type": "array", "items": {"type": "object", "required": ["id", "html"],
                                               "properties": {"id": {"type": "string"}, "html": {"type": "string"}}}},
    },
})
openapi.schema("AttemptState", {
    "type": "object", "required": ["id", "deadline", "time_limit_seconds", "questions", "status",
                                   "remaining_seconds", "answers"],
    "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["in_progress", "submitted", "expired"]},
        "deadline": {"type": "string", "format": "date-time"},
        "server_time": {"type": "string", "format": "date-time"},
        "remaining_seconds": {"type": "integer", "description": "computed by the server; the page's timer shows it"},
        "grace_seconds": {"type": "integer"}, "time_limit_seconds": {"type": "integer"},
        "official": {"type": "boolean"},
        "questions": {"type": "array", "items": {"$ref": "#/components/schemas/PaperQuestion"}},
        "answers": {"type": "object", "additionalProperties": {"type": "object"}},
        "result": {"type": "object", "nullable": True,
                   "description": "score, max_score, passed, submitted_at, wrong (question ids), per_question"},
        "review": {"type": "object", "nullable": True,
                   "description": "per question: correct option ids, accepted texts, explanation_html — only once "
                                  "the quiz's review policy allows"},
        "certificate": {"type": "object", "required": ["code", "pdf_url"], "properties": {
            "code": {"type": "string"}, "valid": {"type": "boolean"},
            "pdf_url": {"type": "string", "description": "GET it with the same bearer token (or session): the PDF"},
            "verify_url": {"type": "string", "description": "the public check page"}},
            "description": "present once a certificate is issued for this attempt"},
    },
})
_SEQ = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1,
        "description": "the page's change counter; an older change never overwrites a newer one (offline replay)"}
_CHOICES = {"type": "array", "maxItems": 26, "items": {"type": "string", "maxLength": 10}}
_TEXT = {"type": "string", "maxLength": MAX_FILL_LENGTH}
openapi.schema("Answer", {
    "description": "one answer: the chosen option ids (single, multiple, true/false) or the text (fill-in, numeric); "
                   "an empty list or text clears it",
    "oneOf": [
        {"type": "object", "required": ["choices"], "additionalProperties": False, "properties": {
            "choices": _CHOICES, "seq": _SEQ}},
        {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
            "text": _TEXT, "seq": _SEQ}},
    ],
})
_state = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AttemptState"}}}}
_attempt_id = openapi.id_parameter("attempt_id")
openapi.document("/quizzes/{slug}/attempts", "post", {
    "summary": "Start an attempt (or get back the unfinished one)",
    "description": "The paper never contains answers. Outside the window, attempts used up, exempt or not assigned "
                   "→ 403/409 with a clear message.",
    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"arrival": {
            "type": "object", "required": ["kind"], "nullable": True,
            "description": "how the page came back to a running attempt, recorded as that event instead of "
                           "'resumed' (never counted as a tab switch)",
            "properties": {
                "kind": {"type": "string", "maxLength": 40,
                         "description": "page_reload or page_return; another kind is recorded as 'resumed' (a "
                                        "newer page's hint is never a reason to refuse its attempt)"},
                "away_seconds": {"type": "number", "description": "since the page was left or hidden"},
                "hidden_seconds": {"type": "number",
                                   "description": "the page was hidden this long before the new load: a hidden "
                                                  "spell that ends with a page load is a leave, not a switch"},
                "navigation": {"type": "string", "description": "reload | navigate | back_forward"}}}}}}}},
    "responses": {"201": {"description": "started", **_state}, "200": {"description": "resumed", **_state},
                  **openapi.error_responses(401, 403, 404, 409)},
})
openapi.document("/attempts/{attempt_id}", "get", {
    "summary": "An attempt's state: remaining seconds, saved answers; result and review when available",
    "parameters": [_attempt_id],
    "responses": {"200": {"description": "state", **_state}, **openapi.error_responses(401, 404)},
})
openapi.document("/attempts/{attempt_id}/answers/{question_id}", "put", {
    "summary": "Save one answer (autosave); saving the same answer again is harmless",
    "parameters": [_attempt_id, {"name": "question_id", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Answer"}}}},
    "responses": {"200": {"description": "saved", "content": {"application/json": {"schema": {
        "type": "object", "required": ["saved_at", "seq", "question_id", "remaining_seconds"],
        "properties": {"saved_at": {"type": "string", "format": "date-time"}, "seq": {"type": "integer"},
                       "question_id": {"type": "string"}, "remaining_seconds": {"type": "integer"}}}}}},
        **openapi.error_responses(401, 404, 409, 422)},
})
openapi.document("/attempts/{attempt_id}/submit", "post", {
    "summary": "Submit (idempotent: a repeated submit returns the same result and never grades twice)",
    "parameters": [_attempt_id],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "answers": {"type": "object", "description": "final answers by question id, saved before grading",
                        "additionalProperties": {"$ref": "#/components/schemas/Answer"}},
            "reason": {"type": "string", "enum": ["submit", "timer"]}}}}}},
    "responses": {"200": {"description": "graded", "content": {"application/json": {"schema": {
        "type": "object", "required": ["score", "max_score", "passed", "submitted_at"],
        "properties": {"score": {"type": "number"}, "max_score": {"type": "number"}, "passed": {"type": "boolean"},
                       "submitted_at": {"type": "string", "format": "date-time"}}}}}},
        **openapi.error_responses(401, 404, 409, 422)},
})
openapi.document("/attempts/{attempt_id}/events", "post", {
    "summary": "Log what the page saw (a tab switch, leaving the page, going offline …) with the server's time",
    "description": "Kinds: tab_switch — hidden, then visible again in the same page (the only kind that counts "
                   "toward tab_switch_limit, with the legacy tab_hidden and fullscreen_exit); page_hidden — the "
                   f"start of a hidden spell; screen_off — a spell that began after {rules.SCREEN_TIMEOUT_SECONDS} s "
                   "without input and without "
                   "a screen wake lock (the screen timed out); page_leave — unloaded (reload, link, closing); "
                   "page_reload, page_return — loaded again; offline, online. Legacy kinds tab_hidden, "
                   "tab_visible, fullscreen_exit and resumed are still accepted.",
    "parameters": [_attempt_id],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["kind"], "properties": {
            "kind": {"type": "string", "enum": list(services.CLIENT_EVENT_KINDS)},
            "detail": {"type": "object", "nullable": True,
                       "description": "numbers, booleans or short texts, e.g. seconds away; 'delay': seconds "
                                      "the page waited to send it (offline), the event is then dated that much "
                                      "earlier"}}}}}},
    "responses": {"201": {"description": "logged; the attempt's status after it (a tab limit may have submitted it)",
                          "content": {"application/json": {"schema": {
                              "type": "object", "required": ["status"], "properties": {
                                  "status": {"type": "string", "enum": ["in_progress", "submitted", "expired"]},
                                  "finish_reason": {"type": "string", "nullable": True}}}}}},
                  **openapi.error_responses(401, 404, 409, 422)},
})
openapi.document("/wrong-answers/check", "post", {
    "summary": "Practice an item of the caller's wrong-answer book (错题本): grade a fresh answer",
    "description": f"Only for a question the caller got wrong in a finished attempt whose review is open. A right "
                   f"answer counts once a day, a wrong one starts the count over; right on {rules.MASTERY_DAYS} "
                   f"different days in a row, the item is mastered and leaves the book.",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [{"type": "object", "required": ["attempt_id", "question_id", answer], "additionalProperties": False,
                   "properties": {"attempt_id": openapi.ID_SCHEMA, "question_id": {"type": "string", "maxLength": 100},
                                  answer: schema}}
                  for answer, schema in (("choices", _CHOICES), ("text", _TEXT))]}}}},
    "responses": {"200": {"description": "graded", "content": {"application/json": {"schema": {
        "type": "object", "required": ["correct", "answer_html"], "properties": {
            "correct": {"type": "boolean"},
            "correct_choices": {"type": "array", "items": {"type": "string"}},
            "answer_html": {"type": "array", "items": {"type": "string"},
                            "description": "the right answer in words: the right options' texts, or the accepted "
                                           "answers of a fill-in"},
            "explanation_html": {"type": "string"}, "correct_days": {"type": "integer"},
            "mastery_days": {"type": "integer"}, "mastered": {"type": "boolean"},
            "newly_mastered": {"type": "boolean"}}}}}},
        **openapi.error_responses(401, 403, 404, 422)},
})
