"""The OpenAPI document is the API's gate: before a view runs, its request is checked against the operation the
document declares for it (lms.api.openapi), so what the document calls valid is what the server reads.

- path and query parameters: integers within their bounds, booleans as ``true``/``false``, strings by pattern,
  enum and length; a missing required one. Wrong: 400 ``bad_request`` naming the parameter.
- the JSON body: not JSON (or not sent as JSON) is a 400 ``bad_request``; JSON that does not fit the schema is a 422
  ``validation_failed`` naming where (``answers.q1``) and what was expected.

Schemas are checked by jsonschema-rs (the validator schemathesis uses), after the OpenAPI 3.0 ``nullable`` is
written as JSON Schema; this module only decides what to check and says the first finding in the reader's words.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
from flask import request

from lms.api import openapi
from lms.api.blueprint import api
from lms.core import numbers
from lms.core.errors import BadRequest, ValidationFailed

_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
BODY = "lms.api.body"  # the checked JSON body, in the request's WSGI environ


def openapi_path(rule: str) -> str:
    """``/api/v1/attempts/<int:attempt_id>`` → ``/attempts/{attempt_id}``."""
    return _RULE_PARAMETER.sub(r"{\1}", rule.removeprefix(api.url_prefix or ""))


@api.before_request
def _check_request() -> None:
    rule = request.url_rule
    if rule is None or request.method == "OPTIONS":
        return
    method = "get" if request.method == "HEAD" else request.method.lower()
    operation = openapi.operation(openapi_path(rule.rule), method)
    if operation is None:
        return
    for parameter in operation.get("parameters", []):
        _check_parameter(parameter)
    body = operation.get("requestBody")
    if body is not None:
        request.environ[BODY] = _check_body(body)


def _check_parameter(parameter: dict[str, Any]) -> None:
    name, where, schema = parameter["name"], parameter["in"], parameter.get("schema", {})
    if where == "path":
        value = (request.view_args or {}).get(name)
        text = None if value is None else str(value)
    elif where == "query":
        text = request.args.get(name)
    else:
        return
    if text is None:
        if parameter.get("required"):
            raise BadRequest(f"缺少参数 {name}")
        return
    kind = schema.get("type", "string")
    if kind == "integer":
        value = numbers.parse_int(text, minimum=schema.get("minimum", numbers.DB_INT_MIN),
                                  maximum=schema.get("maximum", numbers.DB_INT_MAX))
        if value is None:
            raise BadRequest(f"参数 {name} 应为 {schema.get('minimum', numbers.DB_INT_MIN)} 到 "
                             f"{schema.get('maximum', numbers.DB_INT_MAX)} 之间的整数")
        return
    if kind == "boolean":
        if text not in ("true", "false"):
            raise BadRequest(f"参数 {name} 应为 true 或 false")
        return
    problem = problem_with(text, schema)
    if problem:
        hint = f"，例如 {schema['example']}" if "example" in schema else ""
        raise BadRequest(f"参数 {name}：{problem}{hint}")


def _check_body(body: dict[str, Any]) -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        if body.get("required"):
            raise ValidationFailed("需要 JSON 请求体")
        return None
    if not request.is_json:
        raise BadRequest("请求体应为 JSON（Content-Type: application/json）")
    try:
        payload = json.loads(raw)
    except ValueError:  # not JSON, or not UTF-8
        raise BadRequest("请求体不是有效的 JSON") from None
    schema = body["content"]["application/json"]["schema"]
    problem = problem_with(payload, schema)
    if problem:
        raise ValidationFailed(f"请求体不符合接口说明：{problem}", [problem])
    return payload


_TYPE_WORDS = {"object": "对象", "array": "数组", "string": "文本", "integer": "整数", "number": "数字",
               "boolean": "true 或 false"}
# Validators compiled once per schema of the document (operations are completed once: their schemas stay put).
_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes a ``null`` type; the rest is the same."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "$ref" in converted or "oneOf" in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(schema: dict[str, Any]) -> Any:
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        # The document's components ride along so that "#/components/schemas/…" resolves inside the schema.
        root = {**json_schema(schema), "components": {"schemas": json_schema(openapi.schemas())}}
        cached = _VALIDATORS[id(schema)] = (schema, jsonschema_rs.validator_for(root))
    return cached[1]


def problem_with(value: Any, schema: dict[str, Any]) -> str | None:
    """What is wrong with ``value`` under ``schema`` ("answers.q1: 应为对象"), or None when it fits.

    The checking is jsonschema-rs's; this only says its first finding in the reader's words, naming where."""
    for error in _validator(schema).iter_errors(value):
        return _in_words(error)
    return None


def _where(path: list[str | int]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def _in_words(error: Any) -> str:
    where = _where(list(error.instance_path))
    label = f"{where}: " if where else ""
    prefix = f"{where}." if where else ""
    kind, facts = error.kind.name, error.kind.as_dict()
    if kind == "required":
        return f"{prefix}{facts['property']}: 必填"
    if kind == "additionalProperties":
        return f"{prefix}{facts['unexpected'][0]}: 不认识的字段"
    if kind == "type":
        if error.instance is None:
            return f"{label}不能为空"
        wanted = [t for t in facts.get("types", []) if t != "null"]
        return f"{label}应为{_TYPE_WORDS.get(wanted[0], wanted[0]) if wanted else '别的类型'}"
    words = {
        "enum": lambda: f"应为 {'、'.join(map(str, (o for o in facts.get('options', []) if o is not None)))} 之一",
        "oneOf": lambda: "应符合且只符合一种写法",
        "anyOf": lambda: "应符合其中一种写法",
        "pattern": lambda: "格式不对",
        "minLength": lambda: "长度不对",
        "maxLength": lambda: "长度不对",
        "minItems": lambda: "项数不对",
        "maxItems": lambda: "项数不对",
        "minimum": lambda: f"不能小于 {facts.get('limit')}",
        "maximum": lambda: f"不能大于 {facts.get('limit')}",
    }
    return f"{label}{words[kind]() if kind in words else '不符合接口说明'}"


def checked_body() -> Any:
    """The body the check read (None when the operation takes none or none was sent)."""
    return request.environ.get(BODY)
