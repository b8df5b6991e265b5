"""``GET /api/v1/certificates/<code>``: the public check another system (or a phone scanning the QR) can call."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from lms.api import openapi
from lms.api.blueprint import api, error, public
from lms.certificates import services
from lms.certificates.views import verify_limit


@api.route("/certificates/<code>")
@public
@verify_limit
def certificate_status(code: str) -> Any:
    certificate = services.find_by_code(code)
    if certificate is None:
        return error(404, "not_found", "证书不存在")
    return jsonify(services.public_status(certificate))


openapi.schema("CertificateStatus", {
    "type": "object",
    "required": ["valid", "name", "quiz", "score", "issued_at", "revoked"],
    "properties": {
        "valid": {"type": "boolean", "description": "issued and not revoked"},
        "code": {"type": "string", "example": "7KQM-4XTP-R9ZD-HC2W"},
        "name": {"type": "string", "description": "the holder, as on the certificate"},
        "quiz": {"type": "string"},
        "period": {"type": "string", "example": "2026-11"},
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "issued_at": {"type": "string", "format": "date-time"},
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
    },
})
openapi.document("/certificates/{code}", "get", {
    "summary": "Check a certificate by its verification code (public, rate-limited)",
    "security": [],
    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                    "description": "the code printed on the certificate; case, spaces and dashes do not matter"}],
    "responses": {
        "200": {"description": "the certificate as issued, and whether it still stands",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CertificateStatus"}}}},
        **openapi.error_responses(404, 429),
    },
})
openapi.document("/certificates/{code}.pdf", "get", {
    "summary": "Download a certificate's PDF: the `pdf_url` of an attempt's `certificate`",
    "description": "Served beside the API, at the address the API gives (`/certificates/{code}.pdf`), to the "
                   "bearer token of the holder, of a supervisor whose unit covers the holder, of a trainer or an "
                   "admin; anyone else gets 404, as for a code that does not exist. A page's session cookie works "
                   "too. `?inline=1` shows it instead of downloading it.",
    "servers": [{"url": "/", "description": "the site itself (outside /api/v1)"}],
    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                   {"name": "inline", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1"]}}],
    "responses": {
        "200": {"description": "the PDF (Content-Disposition names the file)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **openapi.error_responses(401, 404),
    },
})
