"""The OpenAPI document and the API agree: every route is documented with its parameters, and what the document
calls valid is what the server accepts (and the reverse), for the cases the issue found."""

from __future__ import annotations

import json
import re

import pytest

from lms.api import validation
from lms.assessment import rules as assessment_rules
from tests.support.quiz_files import PRACTICE, sync, write_quiz
from tests.support.tokens import bearer_headers

METHODS = {"get", "post", "put", "delete", "patch"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def test_every_api_route_is_an_operation_and_every_operation_a_route(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_document":
            for method in (rule.methods or set()) & {m.upper() for m in METHODS}:
                routes.add((validation.openapi_path(rule.rule), method.lower()))
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops
                  if not ops[method].get("servers")}  # served beside the API: the certificate PDF
    assert routes == documented


def test_every_path_parameter_is_declared_and_typed_like_its_route(app, document):
    converters = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
                converters[(validation.openapi_path(rule.rule), name)] = converter or "default"
    for path, ops in document["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        for method, operation in ops.items():
            declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
            assert set(declared) == set(names), (method, path)
            for name, parameter in declared.items():
                assert parameter["required"] is True
                if converters.get((path, name)) == "int":
                    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert document["paths"]["/inbox/{message_id}"]["get"]["parameters"][0]["name"] == "message_id"
    assert document["paths"]["/inbox/{message_id}/ack"]["post"]["parameters"][0]["schema"]["type"] == "integer"


def test_every_error_is_documented_as_json_error_and_every_input_can_be_refused(document):
    for path, ops in document["paths"].items():
        for method, operation in ops.items():
            responses = operation["responses"]
            for status, answer in responses.items():
                if int(status) >= 400:
                    assert answer["content"] == {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Error"}}}, (method, path, status)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in responses, (method, path)
            if operation.get("requestBody"):
                assert "422" in responses, (method, path)
            if operation.get("security") != []:
                assert {"401", "403"} <= set(responses), (method, path)
            for status, answer in responses.items():
                if status.startswith("2") and method != "delete":
                    assert answer.get("content"), (method, path, status)


@pytest.mark.parametrize("period", ["0000-00", "2026-13", "2026-00", "2026-1", "202611", "2026-11", "0000-01"])
def test_the_period_pattern_is_the_servers_rule(document, period):
    pattern = document["paths"]["/ledger"]["get"]["parameters"][0]["schema"]["pattern"]
    assert bool(re.search(pattern, period)) == assessment_rules.is_period(period)


def test_what_the_issue_found_is_refused_or_accepted_as_documented(app, client, runner, make_user):
    manager = make_user("manager")
    headers = bearer_headers(runner, manager, "spec")
    write_quiz(app, "practice", PRACTICE)
    sync(app)
    attempt = client.post("/api/v1/quizzes/practice/attempts", headers=headers).json["id"]
    as_json = {**headers, "Content-Type": "application/json"}

    refused = client.get("/api/v1/ledger?period=0000-00", headers=headers)
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == "参数 period：格式不对，例如 2026-11"
    assert client.get("/api/v1/ledger?period=2026-11", headers=headers).status_code == 200
    assert client.get("/api/v1/periods/0000-00/results", headers=headers).status_code == 400
    for unread in ("null", "1", "yes", ""):
        response = client.get(f"/api/v1/inbox?unread={unread}", headers=headers)
        assert response.status_code == 400, unread
        assert "unread" in response.json["error"]["message"]
    assert client.get("/api/v1/inbox?unread=true", headers=headers).status_code == 200

    answer = f"/api/v1/attempts/{attempt}/answers/q1"
    both = client.put(answer, headers=as_json, data=json.dumps({"choices": ["A"], "text": "A"}))
    assert both.status_code == 422  # the document says one or the other (oneOf): refused as documented
    assert client.put(answer, headers=as_json, data=json.dumps({"choices": ["A"], "seq": 1})).status_code == 200
    assert client.put(answer, headers=as_json, data="{not json").status_code == 400
    assert client.put(answer, headers=as_json, data=json.dumps({"choices": ["A"], "seq": 2**40})).status_code == 422

    submit = f"/api/v1/attempts/{attempt}/submit"
    for body in ("579", '"text"', "[]", '{"answers": null}', '{"answers": {"q1": 5}}', '{"reason": "later"}'):
        response = client.post(submit, headers=as_json, data=body)
        assert response.status_code == 422, body
        assert response.json["error"]["code"] == "validation_failed"
    assert client.get(f"/api/v1/attempts/{attempt}", headers=headers).json["status"] == "in_progress"
    assert client.post(submit, headers=as_json, data='{"reason": "submit"}').status_code == 200

    check = client.post("/api/v1/wrong-answers/check", headers=as_json,
                        data=json.dumps({"attempt_id": 2**31, "question_id": "q1", "choices": ["A"]}))
    assert check.status_code == 422  # beyond the database's integers: refused, never an overflow


def test_problem_messages_say_where_and_what():
    schema = {"type": "object", "required": ["answers"], "properties": {
        "answers": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
    assert validation.problem_with({"answers": {"q1": ["A", 3]}}, schema) == "answers.q1[1]: 应为文本"
    assert validation.problem_with({}, schema) == "answers: 必填"
    assert validation.problem_with(579, schema) == "应为对象"
    assert validation.problem_with({"answers": {}}, schema) is None
    # OpenAPI 3.0's nullable, which JSON Schema writes as a null type, is honoured; other keywords are the library's.
    assert validation.problem_with(None, {"type": "string", "nullable": True}) is None
    assert validation.problem_with(None, {"type": "string"}) == "不能为空"
    assert validation.problem_with("c", {"enum": ["a", "b"]}) == "应为 a、b 之一"
    assert validation.problem_with({"a": 1, "b": 2}, {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}) == (
        "应符合且只符合一种写法")
    assert validation.problem_with({"x": 1}, {"properties": {}, "additionalProperties": False}) == "x: 不认识的字段"
