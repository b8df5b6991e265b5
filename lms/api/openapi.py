"""The OpenAPI document, assembled from what each domain's ``api.py`` declares next to its routes."""

from __future__ import annotations

from typing import Any

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


def error_responses(*statuses: int) -> dict[str, Any]:
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {str(status): {"description": "error", **ref} for status in statuses}


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
        "paths": {path: dict(ops) for path, ops in sorted(_PATHS.items())},
    }
