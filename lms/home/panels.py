"""Home-page panels contributed by domains, so the home view never needs to know every domain.

A domain calls ``register("manager", "quizzes/_home_panel.html", context_fn, order=10)`` at import time
(in its views module); ``context_fn(user)`` returns the template's variables, or None to hide the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Panel:
    role: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int


_PANELS: list[Panel] = []


def register(role: str, template: str, context: Callable[[Any], dict[str, Any] | None], *, order: int = 50) -> None:
    if any(p.role == role and p.template == template for p in _PANELS):
        return  # the app factory may run more than once in a process (tests)
    _PANELS.append(Panel(role, template, context, order))


def render_for(user: Any) -> list[Markup]:
    rendered = []
    for panel in sorted(_PANELS, key=lambda p: (p.order, p.template)):
        if panel.role != user.role:
            continue
        values = panel.context(user)
        if values is not None:
            rendered.append(Markup(render_template(panel.template, **values)))  # noqa: S704 - our own template
    return rendered
