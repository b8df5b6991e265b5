"""The OpenAPI document, assembled from what each domain's ``api.py`` declares next to its routes.

The document is also the API's request check (lms.api.validation): a parameter or body schema declared here is
enforced before the view runs. ``build`` completes every operation with the answers any operation of its shape can
give (400 for a parameter or body it cannot read, 422 for a body that does not fit, 401/403 for a secured one, 404
where a path names an object), so the document lists every status the server can send.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lms.core.numbers import DB_INT_MAX, MAX_PAGE

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"  # an assessment period YYYY-MM, month 01 to 12
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
PAGE_PARAMETER: dict[str, Any] = {"name": "page", "in": "query", "required": False,
                                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                                  "description": f"1 to {MAX_PAGE}; past the last page: an empty page"}

_PATHS: dict[str, dict[str, Any]] = {}
_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
}


def document(path: str, method: str, operation: dict[str, Any]) -> None:
    """Declare one operation, e.g. ``document("/quizzes/{slug}/attempts", "post", {...})``."""
    _PATHS.setdefault(path, {})[method.lower()] = operation


def schema(name: str, body: dict[str, Any]) -> None:
    _SCHEMAS[name] = body


def schemas() -> dict[str, Any]:
    """The named schemas (``#/components/schemas/…``) declared so far."""
    return _SCHEMAS


def id_parameter(name: str, description: str = "") -> dict[str, Any]:
    """A path parameter naming a row by id (the route's ``<int:…>``)."""
    parameter: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": dict(ID_SCHEMA)}
    if description:
        parameter["description"] = description
    return parameter


_ERROR_WORDS = {400: "the request cannot be read: a parameter or body that is not what this operation takes",
                401: "no valid API token or session", 403: "not allowed (or a temporary password to change first)",
                404: "not found, or not visible to the caller", 405: "method not allowed (see Allow)",
                409: "conflicts with the object's state", 415: "unsupported media type",
                422: "the body does not fit the schema or a rule refused it (message and problems say why)",
                429: "too many requests: wait and retry (Retry-After)"}


def error_responses(*statuses: int) -> dict[str, Any]:
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {str(status): {"description": _ERROR_WORDS.get(status, "error"), **ref} for status in statuses}


def operation(path: str, method: str) -> dict[str, Any] | None:
    """The declared operation (``"/attempts/{attempt_id}", "get"``), completed as in the document."""
    declared = _PATHS.get(path, {}).get(method)
    return _complete(path, declared) if declared is not None else None


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` to ``#/components/schemas/…`` followed."""
    while "$ref" in schema:
        schema = _SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


_TEMPLATE_PARAMETER = re.compile(r"{(\w+)}")
_COMPLETED: dict[tuple[str, int], dict[str, Any]] = {}


def _complete(path: str, declared: dict[str, Any]) -> dict[str, Any]:
    """Every path parameter declared (a string unless the domain said otherwise) and the generic answers listed."""
    key = (path, id(declared))
    if key in _COMPLETED:
        return _COMPLETED[key]
    done = copy.deepcopy(declared)
    parameters = done.setdefault("parameters", [])
    named = {(p["name"], p["in"]) for p in parameters}
    for name in _TEMPLATE_PARAMETER.findall(path):
        if (name, "path") not in named:
            parameters.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    if not parameters:
        del done["parameters"]
    statuses = set()
    if parameters or "requestBody" in done:
        statuses.add(400)
    if "requestBody" in done:
        statuses.add(422)
    if done.get("security") != []:
        statuses |= {401, 403}
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    responses = done.setdefault("responses", {})
    for status, answer in error_responses(*sorted(statuses)).items():
        responses.setdefault(status, answer)
    _COMPLETED[key] = done
    return done


def build(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Channel manager training & assessment API",
            "version": "1",
            "description": "Session cookie (with X-CSRFToken on writes) or `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": dict(_SCHEMAS),
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {path: {method: _complete(path, op) for method, op in ops.items()}
                  for path, ops in sorted(_PATHS.items())},
    }
