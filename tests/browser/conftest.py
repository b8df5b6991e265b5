"""The walk's world: a clone of the demo world with the walk's extras, served by a real server in its own thread,
and one Chromium for the module (tests/browser/walk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms import create_app
from lms.extensions import db
from tests.support.browser import ARGS, CHROMIUM, serve
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
def walk_browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is installed by `make test`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def walk_found(walk_app: Flask) -> Any:
    from tests.browser.walk import world

    return world(walk_app)


@pytest.fixture(scope="module")
def walker(walk_browser: Any, walk_server: str, walk_app: Flask, walk_found: Any) -> Any:
    from tests.browser.walk import Walker

    return Walker(walk_browser, walk_server, walk_app, walk_found)
