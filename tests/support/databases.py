"""Per-test databases cloned from one migrated template.

SQLite by file copy, PostgreSQL by CREATE DATABASE ... TEMPLATE.

The template is built once per test session through the real migrations, so every test runs on the schema that
``flask db upgrade`` produces, and each test gets a database of its own (no cleanup between tests, no leaks).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
import time
import uuid
import warnings
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


def conninfo_of(url: str) -> str:
    """libpq's address of the database ``url`` names, without the URL's query: the test sessions' ``options``
    would reach libpq with its space written as '+', which libpq does not read as a space."""
    return make_url(url).set(drivername="postgresql", query={}).render_as_string(hide_password=False)


@contextmanager
def admin_connection(url: str) -> Iterator[object]:
    import psycopg

    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        yield conn


def run_with_retries(url: str, statement: str, *, attempts: int = 5) -> None:
    """Run one administrative statement, trying again after a pause when the server is slow to answer.

    Under a full run's load a connection can time out while PostgreSQL is busy with the checkpoints that DROP DATABASE
    forces; a later attempt succeeds. The last attempt's error is raised."""
    for attempt in range(attempts):
        try:
            with admin_connection(url) as conn:
                conn.execute(statement)  # type: ignore[attr-defined]
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * 2**attempt)


# A test's connections do not wait for the server to flush each commit to disk: what a test reads back is the same
# (the server is not crashed under it; tests/trust/test_crash.py kills the app's server, not PostgreSQL's), and
# a full PostgreSQL pass spends about an eighth less time waiting on fsync.
TEST_SESSION_OPTIONS = "-c synchronous_commit=off"


def with_database(url: str, name: str, *, options: str | None = None) -> str:
    found = make_url(url).set(database=name)
    if options:
        found = found.update_query_dict({"options": options})
    return found.render_as_string(hide_password=False)


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
        # On PostgreSQL a test's database costs a CREATE DATABASE (about 0.2–1 s) and a DROP DATABASE, which forces a
        # checkpoint (about a second). Threads of the worker make the next clones ahead of the tests and drop the
        # used ones behind them; both queues are bounded, so only a few clones wait on disk, and a test waits only
        # when the threads fall behind.
        self._ready: queue.Queue[str] = queue.Queue(maxsize=2)
        self._to_drop: queue.Queue[str | None] = queue.Queue(maxsize=8)
        self._closing = threading.Event()
        self._errors: list[str] = []
        self._undropped: list[str] = []
        self._threads: list[threading.Thread] = []
        if self.pg:
            for target in (self._make_clones, self._drop_clones):
                thread = threading.Thread(target=target, name=target.__name__, daemon=True)
                thread.start()
                self._threads.append(thread)

    def _make_clones(self) -> None:
        assert self.pg is not None
        number = 0
        while not self._closing.is_set():
            name = f"{self.prefix}_{number}"
            number += 1
            try:
                run_with_retries(self.pg, f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
            except Exception as exc:
                self._errors.append(f"creating {name}: {exc}")
                self._ready.put("")  # wakes a waiting clone(), which reports the error
                return
            while not self._closing.is_set():
                try:
                    self._ready.put(name, timeout=0.5)
                    break
                except queue.Full:
                    continue
            else:
                self._to_drop.put(name)  # made but never used

    def _drop_clones(self) -> None:
        assert self.pg is not None
        while (name := self._to_drop.get()) is not None:
            try:
                run_with_retries(self.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:
                self._undropped.append(name)  # tried again when the session closes

    def clone(self, target_dir: Path) -> str:
        if self.pg:
            name = self._ready.get()
            if not name:
                raise RuntimeError("could not make a test database: " + "; ".join(self._errors))
            self.clones.append(name)
            return with_database(self.pg, name, options=TEST_SESSION_OPTIONS)
        path = target_dir / "lms.sqlite3"
        shutil.copyfile(self.template_path, path)
        return f"sqlite:///{path}"

    def drop(self, uri: str) -> None:
        if self.pg:
            self._to_drop.put(make_url(uri).database or "")

    def close(self) -> None:
        if self.pg:
            self._closing.set()
            maker, dropper = self._threads
            while maker.is_alive():  # it may be waiting to hand over a clone nobody will take
                with contextlib.suppress(queue.Empty):
                    self._to_drop.put(self._ready.get(timeout=0.5))
            while not self._ready.empty():
                self._to_drop.put(self._ready.get())
            self._to_drop.put(None)
            dropper.join()
            # A clone that could not be dropped is only disk space: it is tried once more and, failing that, reported
            # as a warning rather than failing a test that has passed.
            for name in [*self._undropped, self.template_name]:
                try:
                    run_with_retries(self.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', attempts=8)
                except Exception as exc:
                    warnings.warn(f"test database {name} left behind: {exc}", stacklevel=1)
            if self._errors:
                raise RuntimeError("test databases: " + "; ".join(self._errors))


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
