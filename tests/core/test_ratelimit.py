"""Binding the rate limiter: a Flask-Limiter upgrade that moves its per-request hooks fails at startup, rather than
silently putting the limiter's work back on the autosave (tests/attempts/test_unthrottled.py shows the behaviour)."""

from __future__ import annotations

import pytest

from lms import create_app
from lms.core import ratelimit


def test_an_upgrade_that_moves_the_limiters_hooks_fails_at_startup(template_db, tmp_path, app_config, monkeypatch):
    monkeypatch.setattr(ratelimit, "LIMITER_HOOKS", 4)
    with pytest.raises(RuntimeError, match="app-wide hooks"):
        create_app({**app_config, "SQLALCHEMY_DATABASE_URI": template_db.clone(tmp_path)})
