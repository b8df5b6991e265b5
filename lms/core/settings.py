"""Reading one setting, typed like its default: the one parser for every domain's settings. Pure.

Settings arrive as Python values (``instance/config.py``, tests) or as text (the environment): ``"false"``, ``"0"``,
``"no"`` and ``"off"`` are off, as ``False`` is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def is_on(value: Any) -> bool:
    """A boolean setting that may arrive as text."""
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def typed(value: Any, default: Any) -> Any:
    """``value`` as the type of ``default`` (bool by ``is_on``; int, float or str by their constructors)."""
    if isinstance(default, bool):
        return is_on(value)
    if default is None:
        return value
    return type(default)(value)


def setting(settings: Mapping[str, Any], key: str, default: Any) -> Any:
    """``settings[key]`` typed like ``default``; ``default`` when absent."""
    return typed(settings.get(key, default), default)
