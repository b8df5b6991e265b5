"""Numbers from outside (URL parts, query arguments, form fields), bounded to what the database can hold.

Every integer column is an INTEGER: 32-bit signed on PostgreSQL (64-bit on SQLite), so the narrower range is the
one that holds on both. A number beyond it names nothing, so it is a 404 in a URL
(the ``int`` converter below replaces Werkzeug's for every route) and a 400 in a query argument, never an overflow
deep in the driver (a 500). Every numeric query argument of the pages and the API is read with ``query_int``, every
page number with ``page_number``.
"""

from __future__ import annotations

import builtins
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from lms.core.errors import BadRequest

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER (every id and count column; SQLite's is wider)
DB_INT_MIN = -(2**31)
MAX_DIGITS = len(str(DB_INT_MAX))  # 10: longer runs of digits are refused before Python parses them
MAX_PAGE = 100_000  # far beyond any list here; keeps OFFSET small


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` (same options), never wider than the database's integer: a larger number does not match
    the route, so the answer is 404 as for any id that does not exist."""

    regex = rf"\d{{1,{MAX_DIGITS}}}"
    signed_regex = rf"-?\d{{1,{MAX_DIGITS}}}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits,
                         min=DB_INT_MIN if min is None else builtins.max(min, DB_INT_MIN),
                         max=DB_INT_MAX if max is None else builtins.min(max, DB_INT_MAX), signed=signed)


def init_app(app: Flask) -> None:
    """Replace the ``int`` converter before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter


def parse_int(text: str | None, *, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int | None:
    """``text`` as an integer in [minimum, maximum], or None when it is not one (letters, too long, out of range)."""
    if text is None:
        return None
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_DIGITS:
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def to_id(text: Any) -> int | None:
    """A form field or JSON value meant as a row id: a positive database integer, or None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 1 <= text <= DB_INT_MAX else None
    return parse_int(text, minimum=1) if isinstance(text, str) else None


def query_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    """The query argument ``name`` as an integer in [minimum, maximum]; ``default`` when it is absent or empty.

    Anything else (letters, a decimal, a number out of range) is a 400 that names the argument and the range."""
    text = request.args.get(name)
    if text is None or text.strip() == "":
        return default
    value = parse_int(text, minimum=minimum, maximum=maximum)
    if value is None:
        raise BadRequest(_("参数 %(name)s 应为 %(low)s 到 %(high)s 之间的整数。", name=name, low=minimum, high=maximum))
    return value


def page_number(name: str = "page") -> int:
    """The page of a paginated list: 1 when absent; 1 to MAX_PAGE, otherwise a 400."""
    return query_int(name, 1, minimum=1, maximum=MAX_PAGE) or 1


def query_bool(name: str) -> bool:
    """A boolean query argument as OpenAPI writes one: ``true`` or ``false`` (absent: false); anything else is a 400."""
    text = request.args.get(name)
    if text is None or text == "false":
        return False
    if text == "true":
        return True
    raise BadRequest(_("参数 %(name)s 应为 true 或 false。", name=name))


# The OpenAPI schema of ``page`` (lms.api), matching page_number.
PAGE_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
