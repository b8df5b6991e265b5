from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import freezegun
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings
from werkzeug.routing.rules import Rule
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.core.database import release_core_connection
from lms.extensions import db, limiter
from tests.support.databases import TemplateDatabase
from tests.support.web import post_form

PASSWORD = "correct-horse-9"

# Every test builds its own app, and werkzeug compiles a URL builder for each of the app's ~200 rules by generating
# and compiling Python source: most of create_app's time (0.15–0.3 s a test, minutes over the suite). The builder's
# code depends only on the rule's text and parts (it reads the rule's converters through the rule it is bound to), so
# the suite compiles each once per worker. Rules with defaults, whose builders fold the defaults in, are not shared.
_compile_builder = Rule._compile_builder
_BUILDERS: dict[tuple[Any, ...], Any] = {}


def _shared_builder(rule: Rule, append_unknown: bool = True) -> Any:
    if rule.defaults:
        return _compile_builder(rule, append_unknown)
    key = (rule.rule, tuple(rule._trace), append_unknown)
    if key not in _BUILDERS:
        _BUILDERS[key] = _compile_builder(rule, append_unknown)
    return _BUILDERS[key]


Rule._compile_builder = _shared_builder  # type: ignore[method-assign]

# pytest times tests through _pytest.timing's own references to time() and perf_counter(); freezegun would replace
# them while a frozen clock runs (a test's "duration" then came out as 1.8e9 s, crowding --durations' slowest list).
freezegun.configure(extend_ignore_list=["_pytest.timing"])

# Hypothesis checks properties, not speed: its per-example deadline (200 ms) failed two property tests on a loaded
# 2-core machine with nothing wrong. Speed is measured in bench/, against a baseline of the same run.
hypothesis_settings.register_profile("lms", deadline=None)
hypothesis_settings.load_profile("lms")

# The real-browser fixtures (`live_server`, `page`) for the tests that drive Chromium; the suite's layout for its
# two workers and the db_free mark (tests/support/scheduling.py); the factories every domain's tests share, one
# module a topic (people, quiz rows, quiz files, attempts, lesson files), so no conftest imports another's.
pytest_plugins = ["tests.support.browser", "tests.support.scheduling", "tests.support.people",
                  "tests.support.quizzes", "tests.support.quiz_files", "tests.support.attempts",
                  "tests.support.lessons"]


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    The test itself holds an app context (for factories and queries); without this, requests would share its
    ``g`` (Flask-Login's cached user, the CSRF token) and its database session. What the test set up is committed
    first, so the request sees it, and the test's next read starts a fresh transaction.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)

_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")  # hashed once: scrypt is slow on purpose


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """The English catalog is compiled by ``make``; compile it here too so a bare ``pytest`` run matches."""
    import runpy

    runpy.run_path(str(Path(__file__).resolve().parent.parent / "scripts" / "i18n.py"), run_name="i18n")[
        "compile_catalogs"
    ]()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemplateDatabase]:
    template = TemplateDatabase(tmp_path_factory.mktemp("template"))
    yield template
    template.close()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    """Settings for this test's app; a test may change them before asking for ``app``."""
    content = tmp_path / "content"
    quizzes = tmp_path / "quizzes"
    content.mkdir()
    quizzes.mkdir()
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "LMS_CONTENT_DIR": str(content),
        "LMS_QUIZZES_DIR": str(quizzes),
        "LMS_BASE_URL": "http://localhost",
        # Flask-Limiter keeps `enabled` from the last app it was bound to (config.setdefault on a shared extension):
        # say it explicitly so a test that turns throttling off cannot leak that into the next test.
        "RATELIMIT_ENABLED": True,
        "SERVER_NAME": None,
    }


@pytest.fixture
def app(template_db: TemplateDatabase, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    uri = template_db.clone(tmp_path)
    application = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": uri})
    application.test_client_class = IsolatedClient
    with application.app_context():
        limiter.reset()
        yield application
        db.session.remove()
        release_core_connection()  # a test that called a hot-path service directly holds it in this app context
        db.engine.dispose()
    template_db.drop(uri)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_numbers = itertools.count(1)


@pytest.fixture
def make_unit(app: Flask) -> Callable[..., Any]:
    from lms.org import services as org

    def make(county: str, grid: str | None = None) -> Any:
        unit = org.ensure_county(county)
        if grid is not None:
            unit = org.ensure_grid(unit, grid)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """``make_user(role="manager", county="城区", grid="东城网格")`` → a committed User with PASSWORD."""
    from lms.accounts.models import User
    from lms.org import services as org

    def make(role: str = "manager", *, county: str | None = "城区", grid: str | None = "东城网格",
             name: str | None = None, employee_no: str | None = None, active: bool = True) -> User:
        if role in ("trainer", "admin"):
            county = grid = None
        county_unit = org.ensure_county(county) if county else None
        grid_unit = org.ensure_grid(county_unit, grid) if county_unit is not None and grid else None
        number = next(_numbers)
        user = User(
            employee_no=employee_no or f"T{number:05d}",
            name=name or f"测试{number}",
            role=role,
            county_id=county_unit.id if county_unit else None,
            grid_id=grid_unit.id if grid_unit else None,
            active=active,
            password_hash=_PASSWORD_HASH,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user_or_employee_no: Any, password: str = PASSWORD) -> Any:
        employee_no = getattr(user_or_employee_no, "employee_no", user_or_employee_no)
        return post_form(self.client, "/login", {"employee_no": employee_no, "password": password})

    def logout(self) -> Any:
        return post_form(self.client, "/logout", {}, token_from="/")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
