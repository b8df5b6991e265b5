"""Training and assessment platform for telecom channel managers (渠道经理培训考核平台)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from lms import config as config_module

# Each domain package contributes what it has: models, a blueprint ``bp`` in views.py, JSON routes in api.py
# (registered on the shared /api/v1 blueprint), CLI commands in cli.py (a ``commands`` list), and
# ``init_app(app)`` in setup.py for anything else. The order is the order of registration.
DOMAINS = (
    "org",
    "accounts",
    "audit",
    "home",
    "courses",
    "quizzes",
    "attempts",
    "assessment",
    "certificates",
    "reports",
    "announcements",
    "field",
    "outreach",
    "sync",
    "demo",
)

log = logging.getLogger(__name__)


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package (a domain) is not there at all
        return False


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        instance_relative_config=True,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.from_mapping(config_module.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment(os.environ, app.config))
    if test_config is not None:
        app.config.update(test_config)
    _ensure_secret_key(app)
    if app.config["LMS_PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    from lms.core import database, i18n, method_errors, numbers, ratelimit, security, templating
    from lms.extensions import babel, csrf, db, login_manager, migrate

    numbers.init_app(app)  # the bounded ``int`` converter, before any route is added

    database.configure_engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"))
    csrf.init_app(app)
    ratelimit.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["LMS_TIMEZONE"])
    login_manager.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    method_errors.init_app(app)
    database.init_app(app)

    from lms.api import validation  # noqa: F401 - checks API requests against the OpenAPI document
    from lms.api.blueprint import api as api_blueprint

    for domain in DOMAINS:
        package = f"lms.{domain}"
        for part in ("models", "api"):
            if _has_module(f"{package}.{part}"):
                importlib.import_module(f"{package}.{part}")
        if _has_module(f"{package}.views"):
            app.register_blueprint(importlib.import_module(f"{package}.views").bp)
        if _has_module(f"{package}.cli"):
            for command in importlib.import_module(f"{package}.cli").commands:
                app.cli.add_command(command)
        if _has_module(f"{package}.setup"):
            importlib.import_module(f"{package}.setup").init_app(app)
    app.register_blueprint(api_blueprint)
    csrf.exempt(api_blueprint)  # the API checks CSRF itself for cookie sessions; bearer tokens need none
    return app


def _ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["LMS_PRODUCTION"]:
        raise RuntimeError("SECRET_KEY must be set in production")
    # Development: keep one random key per instance folder so sessions survive restarts.
    key_file = Path(app.instance_path) / "secret_key"
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    except OSError:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
