"""Flask-Limiter, bound so that the endpoints no limit applies to by design skip its per-request hooks.

Flask-Limiter runs three hooks on every request (a check before, headers after, a context reset at teardown), even
where no limit applies: this app has no application-wide or default limits, only limits declared on a few views,
which their decorators check. On the autosave, the hottest request of the monthly test, those hooks did nothing but
cost 11% of its instructions (callgrind, ``docs/performance.md``). An endpoint in ``UNTHROTTLED`` skips them; an
upgrade of Flask-Limiter that registers its hooks differently fails loudly here rather than silently costing again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, Response, request

from lms.extensions import limiter

# Endpoint names no rate limit may ever refuse, spared the limiter's hooks (marked with lms.api.blueprint's
# @unthrottled): the autosave, since after a weak network the page replays its queue of changes at once, and a
# refused save is an answer at risk.
UNTHROTTLED: set[str] = set()
LIMITER_HOOKS = 3  # before_request, after_request, teardown_request (Flask-Limiter 3 and 4)


def _is_limiters(hook: Any) -> bool:
    owner = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(hook, "__self__", None)
    return owner is limiter


def _skip_before(hook: Callable[[], Any]) -> Callable[[], Any]:
    def before() -> Any:
        return None if request.endpoint in UNTHROTTLED else hook()
    return before


def _skip_after(hook: Callable[[Response], Response]) -> Callable[[Response], Response]:
    def after(response: Response) -> Response:
        return response if request.endpoint in UNTHROTTLED else hook(response)
    return after


def _skip_teardown(hook: Callable[[BaseException | None], None]) -> Callable[[BaseException | None], None]:
    def teardown(error: BaseException | None = None) -> None:
        if request.endpoint not in UNTHROTTLED:
            hook(error)
    return teardown


def _wrap_limiters(hooks: dict[Any, list[Any]], skip: Callable[[Any], Any]) -> int:
    app_wide = hooks.get(None, [])
    found = [position for position, hook in enumerate(app_wide) if _is_limiters(hook)]
    for position in found:
        app_wide[position] = skip(app_wide[position])
    return len(found)


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = app.config["LMS_RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
    if not limiter.enabled:  # RATELIMIT_ENABLED off: Flask-Limiter registered nothing
        return
    wrapped = (_wrap_limiters(app.before_request_funcs, _skip_before)
               + _wrap_limiters(app.after_request_funcs, _skip_after)
               + _wrap_limiters(app.teardown_request_funcs, _skip_teardown))
    if wrapped != LIMITER_HOOKS:
        raise RuntimeError(f"Flask-Limiter registered {wrapped} app-wide hooks, not {LIMITER_HOOKS}: "
                           "lms.core.ratelimit must learn its new hooks")
