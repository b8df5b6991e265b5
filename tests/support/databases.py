"""Per-test databases cloned from one migrated template.

SQLite by file copy, PostgreSQL by CREATE DATABASE ... TEMPLATE.

The template is built once per test session through the real migrations, so every test runs on the schema that
``flask db upgrade`` produces, and each test gets a database of its own (no cleanup between tests, no leaks).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

import lms.config


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith(("postgres", "postgresql")):
        return lms.config.normalise_database_url(url)
    return None


@contextmanager
def admin_connection(url: str) -> Iterator[object]:
    import psycopg

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def migrate(uri: str) -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "template"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


class TemplateDatabase:
    """Builds the migrated template once; ``clone()`` makes a fresh database for one test."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg = postgres_url()
        self.prefix = f"lms_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        if self.pg:
            self.template_name = f"{self.prefix}_tpl"
            with admin_connection(self.pg) as conn:
                conn.execute(f'CREATE DATABASE "{self.template_name}"')  # type: ignore[attr-defined]
            migrate(with_database(self.pg, self.template_name))
        else:
            self.template_path = workdir / "template.sqlite3"
            migrate(f"sqlite:///{self.template_path}")
        self.clones: list[str] = []

    def clone(self, target_dir: Path) -> str:
        if self.pg:
            name = f"{self.prefix}_{len(self.clones)}"
            with admin_connection(self.pg) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')  # type: ignore[attr-defined]
            self.clones.append(name)
            return with_database(self.pg, name)
        path = target_dir / "lms.sqlite3"
        shutil.copyfile(self.template_path, path)
        return f"sqlite:///{path}"

    def drop(self, uri: str) -> None:
        if not self.pg:
            return
        name = make_url(uri).database
        with admin_connection(self.pg) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.pg:
            with admin_connection(self.pg) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)')  # type: ignore[attr-defined]


@contextmanager
def statements_run(*, after: Callable[[Any], Any] | None = None) -> Iterator[list[Any]]:
    """Collect the SQL the app's engine sends while the block runs (one string per statement, as sent); with
    ``after``, (the statement's first word, ``after(connection)``) read once each statement has run instead."""
    from sqlalchemy import event

    from lms.extensions import db

    seen: list[Any] = []

    def record(conn: Any, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement if after is None else (statement.split(maxsplit=1)[0], after(conn)))

    name = "before_cursor_execute" if after is None else "after_cursor_execute"
    event.listen(db.engine, name, record)
    try:
        yield seen
    finally:
        event.remove(db.engine, name, record)
