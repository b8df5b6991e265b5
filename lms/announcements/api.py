"""Inbox JSON for a mobile or chat front end: list, unread count, open (read receipt) and acknowledge."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from lms.announcements import inbox, queries
from lms.announcements.models import InboxMessage
from lms.api import openapi
from lms.api.blueprint import api
from lms.core import numbers
from lms.core.markdown import render_markdown


def _message_json(item: InboxMessage, *, with_body: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id, "kind": item.kind, "title": item.title, "link": item.link,
        "created_at": item.created_at.isoformat(),
        "read_at": item.read_at.isoformat() if item.read_at else None,
        "acknowledged_at": item.acknowledged_at.isoformat() if item.acknowledged_at else None,
        "requires_ack": bool(item.announcement and item.announcement.requires_ack),
        "withdrawn": bool(item.announcement and item.announcement.is_withdrawn),
    }
    if with_body:
        withdrawn = data["withdrawn"]
        data["body_html"] = "" if withdrawn else render_markdown(item.body)
    return data


@api.route("/inbox")
def inbox_list() -> Any:
    unread_only = numbers.query_bool("unread")
    page = numbers.page_number()
    pagination = queries.inbox(current_user, unread_only=unread_only, page=page, per_page=50)
    return jsonify(unread=queries.unread_count(current_user), page=page, pages=pagination.pages,
                   messages=[_message_json(m) for m in pagination.items])


@api.route("/inbox/<int:message_id>")
def inbox_message(message_id: int) -> Any:
    return jsonify(_message_json(inbox.open_message(current_user, message_id), with_body=True))


@api.route("/inbox/<int:message_id>/ack", methods=["POST"])
def inbox_acknowledge(message_id: int) -> Any:
    return jsonify(_message_json(inbox.acknowledge(current_user, message_id)))


_MESSAGE = {"type": "object", "required": ["id", "kind", "title", "created_at", "read_at", "acknowledged_at"],
            "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"},
                           "link": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                           "read_at": {"type": "string", "format": "date-time", "nullable": True},
                           "acknowledged_at": {"type": "string", "format": "date-time", "nullable": True},
                           "requires_ack": {"type": "boolean"}, "withdrawn": {"type": "boolean"},
                           "body_html": {"type": "string"}}}
openapi.schema("InboxMessage", _MESSAGE)
_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/InboxMessage"}}}}
_MESSAGE_ID = openapi.id_parameter("message_id", "an inbox message of the caller's")
openapi.document("/inbox", "get", {
    "summary": "The caller's inbox (announcements, reminders, ledger messages), unread first",
    "parameters": [{"name": "unread", "in": "query", "required": False, "schema": {"type": "boolean"},
                    "description": "true: only unread messages"},
                   openapi.PAGE_PARAMETER],
    "responses": {"200": {"description": "50 messages a page", "content": {"application/json": {"schema": {
        "type": "object", "required": ["unread", "page", "pages", "messages"],
        "properties": {"unread": {"type": "integer", "description": "unread messages in the whole inbox"},
                       "page": {"type": "integer"}, "pages": {"type": "integer"},
                       "messages": {"type": "array", "items": {"$ref": "#/components/schemas/InboxMessage"}}}}}}},
                  **openapi.error_responses(400, 401)},
})
openapi.document("/inbox/{message_id}", "get", {
    "summary": "One message with its sanitized HTML body; the first open is the read receipt",
    "parameters": [_MESSAGE_ID],
    "responses": {"200": {"description": "the message", **_REF}, **openapi.error_responses(401, 404)},
})
openapi.document("/inbox/{message_id}/ack", "post", {
    "summary": "Acknowledge (已阅) an announcement",
    "parameters": [_MESSAGE_ID],
    "responses": {"200": {"description": "the message", **_REF}, **openapi.error_responses(401, 404, 409)},
})
