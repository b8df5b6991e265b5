"""The OpenAPI document is the API's gate: before a view runs, its request is checked against the operation the
document declares for it (lms.api.openapi), so what the document calls valid is what the server reads.

- path and query parameters: integers within their bounds, booleans as ``true``/``false``, strings by pattern,
  enum and length; a missing required one. Wrong: 400 ``bad_request`` naming the parameter.
- the JSON body: not JSON (or not sent as JSON) is a 400 ``bad_request``; JSON that does not fit the schema is a 422
  ``validation_failed`` naming where (``answers.q1``) and what was expected.

The check covers the subset of JSON Schema the document uses (type, nullable, enum, pattern, bounds, lengths,
required, properties, additionalProperties, items, oneOf, $ref) and fails loudly on anything else it meets, so the
document cannot promise a rule nobody enforces.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from lms.api import openapi
from lms.api.blueprint import api
from lms.core import numbers
from lms.core.errors import BadRequest, ValidationFailed

_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
_KNOWN = {"type", "nullable", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems",
          "maxItems", "required", "properties", "additionalProperties", "items", "oneOf", "$ref", "description",
          "example", "format", "default"}
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


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}
_TYPE_WORDS = {"object": "对象", "array": "数组", "string": "文本", "integer": "整数", "number": "数字",
               "boolean": "true 或 false"}


def problem_with(value: Any, schema: dict[str, Any], where: str = "") -> str | None:
    """What is wrong with ``value`` under ``schema`` ("answers.q1: 应为对象"), or None when it fits."""
    schema = openapi.resolve(schema)
    unknown = set(schema) - _KNOWN
    if unknown:
        raise RuntimeError(f"the request check does not know {sorted(unknown)}: teach lms.api.validation")
    label = f"{where}: " if where else ""
    if value is None:
        return None if schema.get("nullable") or not schema else f"{label}不能为空"
    if "oneOf" in schema:
        fits = [option for option in schema["oneOf"] if problem_with(value, option, where) is None]
        return None if len(fits) == 1 else f"{label}应符合且只符合一种写法"
    kind = schema.get("type")
    if kind is not None and not _TYPES[kind](value):
        return f"{label}应为{_TYPE_WORDS[kind]}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{label}应为 {'、'.join(map(str, schema['enum']))} 之一"
    for kinds, check in _CHECKS:
        if isinstance(value, kinds) and not isinstance(value, bool):
            return check(value, schema, where, label)
    return None


def _number_problem(value: float, schema: dict[str, Any], where: str, label: str) -> str | None:
    if "minimum" in schema and value < schema["minimum"]:
        return f"{label}不能小于 {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"{label}不能大于 {schema['maximum']}"
    return None


def _array_problem(value: list[Any], schema: dict[str, Any], where: str, label: str) -> str | None:
    if len(value) > schema.get("maxItems", len(value)) or len(value) < schema.get("minItems", 0):
        return f"{label}项数不对"
    for index, item in enumerate(value):
        problem = problem_with(item, schema.get("items", {}), f"{where}[{index}]")
        if problem:
            return problem
    return None


def _string_problem(value: str, schema: dict[str, Any], where: str, label: str) -> str | None:
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
        return f"{label}长度不对"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return f"{label}格式不对"
    return None


def _object_problem(value: dict[str, Any], schema: dict[str, Any], where: str, label: str) -> str | None:
    prefix = f"{where}." if where else ""
    for name in schema.get("required", []):
        if name not in value:
            return f"{prefix}{name}: 必填"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problem = problem_with(item, properties[name], f"{prefix}{name}")
        elif extra is False:
            problem = f"{prefix}{name}: 不认识的字段"
        elif isinstance(extra, dict):
            problem = problem_with(item, extra, f"{prefix}{name}")
        else:
            problem = None
        if problem:
            return problem
    return None


_CHECKS: tuple[tuple[Any, Any], ...] = ((str, _string_problem), (int | float, _number_problem), (list, _array_problem),
                                        (dict, _object_problem))


def checked_body() -> Any:
    """The body the check read (None when the operation takes none or none was sent)."""
    return request.environ.get(BODY)
