"""Courses tests sign people in and run the sync command; lesson files come from tests/support/lessons.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def sync(runner):  # type: ignore[no-untyped-def]
    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(args=["sync", *args])

    return run


@pytest.fixture
def sign_in(auth, make_user):  # type: ignore[no-untyped-def]
    """``sign_in("manager", county=...)`` → a new person of that role, signed in on ``client``."""

    def login(role: str = "manager", **kwargs: object):  # type: ignore[no-untyped-def]
        user = make_user(role, **kwargs)
        auth.login(user)
        return user

    return login
