"""JSON for a phone front end (WeChat/DingTalk): the catalogue with the caller's progress, a lesson's stored HTML,
and marking a lesson studied."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user

from lms.api import openapi
from lms.api.blueprint import api, error
from lms.core.clock import utcnow
from lms.courses import queries, rules, services
from lms.courses.models import Lesson


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": "string", "nullable": True}
_WHEN = {"type": "string", "format": "date-time", "nullable": True}
_STUDIED = _json({"type": "object", "required": ["slug", "studied_at"],
                  "properties": {"slug": _TEXT, "studied_at": _WHEN}})


def _summary(lesson: Lesson, studied: set[int]) -> dict[str, Any]:
    return {"slug": lesson.slug, "title": lesson.title, "category": lesson.category,
            "category_label": lesson.category_label, "period": lesson.period, "summary": lesson.summary,
            "tags": list(lesson.tags or []), "studied": lesson.id in studied}


@api.route("/lessons")
def lessons_index() -> Any:
    lessons = queries.live_lessons()
    studied = queries.studied_lesson_ids(current_user)
    pack = queries.training_pack(current_user, utcnow(), lessons=lessons)
    query = request.args.get("q", "").strip()[:100]
    shown = queries.search_lessons(query) if query else lessons
    return jsonify(
        pack={"period": pack.period, "studied": pack.progress.studied, "total": pack.progress.total,
              "lessons": [lesson.slug for lesson in pack.lessons]},
        lessons=[_summary(lesson, studied) for lesson in shown],
    )


openapi.document("/lessons", "get", {
    "summary": "Live lessons with the caller's studied marks, and this month's training pack",
    "parameters": [{"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                    "description": "search terms (all required; Chinese matched as substrings)"}],
    "responses": {"200": {"description": "{pack: {period, studied, total, lessons}, lessons: [{slug, title, "
                                         "category, category_label, period, summary, tags, studied}]}",
                          **_json({"type": "object", "required": ["pack", "lessons"], "properties": {
                              "pack": {"type": "object", "required": ["period", "studied", "total", "lessons"],
                                       "properties": {"period": _MAYBE_TEXT, "studied": {"type": "integer"},
                                                      "total": {"type": "integer"},
                                                      "lessons": {"type": "array", "items": _TEXT}}},
                              "lessons": {"type": "array", "items": {
                                  "type": "object", "required": ["slug", "title", "studied"],
                                  "properties": {"slug": _TEXT, "title": _TEXT, "category": _MAYBE_TEXT,
                                                 "period": _MAYBE_TEXT, "studied": {"type": "boolean"},
                                                 "tags": {"type": "array", "items": _TEXT}}}}}})},
                  **openapi.error_responses(401)},
})


@api.route("/lessons/<slug>")
def lesson_detail(slug: str) -> Any:
    lesson, revision = services.lesson_for_reader(slug, current_user)
    progress = services.record_visit(lesson, current_user) if lesson.is_live else None
    return jsonify(
        slug=lesson.slug, title=revision.title, category=revision.category,
        category_label=rules.category_label(revision.category), period=revision.period, revision=revision.number,
        html=revision.html, toc_html=revision.toc_html, quiz=revision.quiz_slug,
        updated_at=revision.created_at.isoformat(),
        studied_at=progress.studied_at.isoformat() if progress and progress.studied_at else None,
    )


openapi.document("/lessons/{slug}", "get", {
    "summary": "A live lesson: its sanitized HTML (stored per revision) and the caller's studied time",
    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "{slug, title, category, category_label, period, revision, html, toc_html, "
                                         "quiz, updated_at, studied_at}",
                          **_json({"type": "object", "required": ["slug", "title", "revision", "html", "studied_at"],
                                   "properties": {"slug": _TEXT, "title": _TEXT, "revision": {"type": "integer"},
                                                  "html": _TEXT, "toc_html": _MAYBE_TEXT, "quiz": _MAYBE_TEXT,
                                                  "updated_at": {"type": "string", "format": "date-time"},
                                                  "studied_at": _WHEN}})},
                  **openapi.error_responses(401, 404)},
})


@api.route("/lessons/<slug>/studied", methods=["PUT", "DELETE"])
def lesson_studied(slug: str) -> Any:
    progress = services.mark_studied(slug, current_user, studied=request.method == "PUT")
    if progress.studied_at is None and request.method == "PUT":
        return error(409, "conflict", "无法标记")
    return jsonify(slug=slug, studied_at=progress.studied_at.isoformat() if progress.studied_at else None)


openapi.document("/lessons/{slug}/studied", "put", {
    "summary": "Mark a live lesson studied by the caller (repeating it keeps the first time)",
    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "{slug, studied_at}", **_STUDIED}, **openapi.error_responses(401, 404, 409)},
})
openapi.document("/lessons/{slug}/studied", "delete", {
    "summary": "Remove the caller's studied mark",
    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "{slug, studied_at: null}", **_STUDIED},
                  **openapi.error_responses(401, 404, 409)},
})
