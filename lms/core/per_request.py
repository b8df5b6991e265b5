"""Reads a request would otherwise make twice, made once: a count the menu's badge and a home card both show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g

T = TypeVar("T")

_REMEMBERED = "lms_once_per_request"  # on flask.g: every request runs in an app context of its own, so a g of its own


def once_per_request(read: Callable[[Any], T]) -> Callable[[Any], T]:
    """``read(user)``, worked out the first time a request asks and remembered for the rest of that request."""
    name = f"{read.__module__}.{read.__qualname__}"

    @wraps(read)
    def remembered(user: Any) -> T:
        found: dict[tuple[str, int], T] = g.setdefault(_REMEMBERED, {})
        key = (name, user.id)
        if key not in found:
            found[key] = read(user)
        return found[key]

    return remembered
