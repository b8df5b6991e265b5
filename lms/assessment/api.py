"""JSON for payroll, the wider assessment and supervisors (described at /api/v1/openapi.json), scoped to the
caller's unit."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_login import current_user

from lms.api import openapi
from lms.api.blueprint import api, error
from lms.assessment import queries, rules

PERIOD_PARAMETER = {"name": "period", "in": "query", "required": True,
                    "schema": {"type": "string", "pattern": openapi.PERIOD_PATTERN, "example": "2026-11"},
                    "description": "assessment period YYYY-MM (month 01 to 12)"}


def _list_of(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    """A 200 answering a JSON array of objects with these keys (keys not typed here may be null)."""
    return {"content": {"application/json": {"schema": {"type": "array", "items": {
        "type": "object", "required": required, "properties": properties}}}}}


_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": "string", "nullable": True}
_MAYBE_NUMBER = {"type": "number", "nullable": True}


def _period_argument() -> str | None:
    period = request.args.get("period", "")
    return period if rules.is_period(period) else None


@api.route("/periods/<period>/results")
def period_results(period: str) -> Any:
    if not rules.is_period(period):
        return error(400, "bad_request", "考核期格式应为 YYYY-MM")
    return jsonify([row.as_api() for row in queries.period_results(period, current_user)])


openapi.document("/periods/{period}/results", "get", {
    "summary": "Each person's result for a closed period (managers see only themselves)",
    "parameters": [{**PERIOD_PARAMETER, "in": "path"}],
    "responses": {"200": {"description": "[{employee_no, name, county, grid, score, passed, absent, status, "
                                         "unified_score, position, group_size, band}]",
                          **_list_of(["employee_no", "name", "status"], employee_no=_TEXT, name=_TEXT,
                                     county=_MAYBE_TEXT, grid=_MAYBE_TEXT, score=_MAYBE_NUMBER,
                                     status=_TEXT, unified_score=_MAYBE_NUMBER)},
                  **openapi.error_responses(400, 401)},
})


@api.route("/ledger")
def ledger() -> Any:
    period = request.args.get("period")
    if period is not None and not rules.is_period(period):
        return error(400, "bad_request", "考核期格式应为 YYYY-MM")
    view = queries.ledger(current_user, period=period, limit=None if period else 5000)
    return jsonify([queries.entry_as_api(entry, view) for entry in view.entries])


openapi.document("/ledger", "get", {
    "summary": "Ledger entries (criticism, cash_penalty, deduction, yellow_card, reward, improvement_plan, "
               "post_adjustment, reversal), scoped to the caller",
    "parameters": [{**PERIOD_PARAMETER, "required": False}],
    "responses": {"200": {"description": "[{id, employee_no, period, kind, amount_yuan, points, reason, created_at, "
                                         "created_by, reverses, reversed_by, rule, rule_version, appeal}]; appeal is "
                                         "null or the person's appeal of the entry: {id, state (open, upheld, "
                                         "rejected), opened_at, decided_at}",
                          **_list_of(["id", "employee_no", "period", "kind", "created_at"], id={"type": "integer"},
                                     employee_no=_TEXT, period=_TEXT, kind=_TEXT,
                                     created_at={"type": "string", "format": "date-time"},
                                     reverses={"type": "integer", "nullable": True},
                                     reversed_by={"type": "integer", "nullable": True},
                                     appeal={"type": "object", "nullable": True, "required": ["state", "opened_at"],
                                             "properties": {
                                                 "id": {"type": "integer"},
                                                 "state": {"type": "string", "enum": ["open", "upheld", "rejected"]},
                                                 "opened_at": {"type": "string", "format": "date-time"},
                                                 "decided_at": {"type": "string", "format": "date-time",
                                                                "nullable": True}}})},
                  **openapi.error_responses(400, 401)},
})


@api.route("/reports/failed-twice")
def failed_twice() -> Any:
    period = _period_argument()
    if period is None:
        return error(400, "bad_request", "请提供 period=YYYY-MM")
    return jsonify(queries.failed_twice(period, current_user,
                                        absent_counts_as_fail=current_app.config["LMS_ABSENT_COUNTS_AS_FAIL"]))


openapi.document("/reports/failed-twice", "get", {
    "summary": "People who failed the period and the tested period before it",
    "parameters": [PERIOD_PARAMETER],
    "responses": {"200": {"description": "[{employee_no, name, county, grid, period, previous_period, score, "
                                         "previous_score}]",
                          **_list_of(["employee_no", "name", "period", "previous_period"], employee_no=_TEXT,
                                     name=_TEXT, county=_MAYBE_TEXT, grid=_MAYBE_TEXT, period=_TEXT,
                                     previous_period=_TEXT, score=_MAYBE_NUMBER, previous_score=_MAYBE_NUMBER)},
                  **openapi.error_responses(400, 401)},
})
