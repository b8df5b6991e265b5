"""The walk's world: a clone of the demo world with the walk's extras, served by a real server in its own thread,
walked in the worker's one Chromium (tests/browser/walk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lms import create_app
from lms.extensions import db
from tests.support.browser import serve
from tests.trust.demo_world import demo_config, demo_template


@pytest.fixture(scope="module")
def walk_app(template_db: Any, request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from tests.browser.walk import add_walk_extras

    template = demo_template(template_db, request, tmp_path_factory)
    workdir = tmp_path_factory.mktemp("walk")
    uri = template.clone(workdir)
    application = create_app({**demo_config(workdir), "SQLALCHEMY_DATABASE_URI": uri})
    with application.app_context():
        add_walk_extras()
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    template.drop(uri)


@pytest.fixture(scope="module")
def walk_server(walk_app: Flask) -> Iterator[str]:
    yield from serve(walk_app)


@pytest.fixture(scope="module")
def walk_found(walk_app: Flask) -> Any:
    from tests.browser.walk import world

    return world(walk_app)


@pytest.fixture(scope="module")
def walker(chromium: Any, walk_server: str, walk_app: Flask, walk_found: Any) -> Any:
    """The worker's one Chromium (tests/support/browser.py): each walk opens its own browser context."""
    from tests.browser.walk import Walker

    return Walker(chromium, walk_server, walk_app, walk_found)
