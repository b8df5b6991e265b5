"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a sane pool."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from lms.extensions import db


def is_sqlite(uri: str) -> bool:
    return uri.startswith("sqlite")


def configure_engine_options(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_sqlite(uri):
        options.setdefault("connect_args", {})
        options["connect_args"].setdefault("timeout", 30)
        path = uri.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 10)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL is a property of the file, kept once set (`flask db upgrade` sets it): only a database not yet in WAL mode
    # is switched. A switch needs the database to itself and fails at once ("database is locked", no busy wait)
    # while another connection reads: the bench's baseline, whose workers switched a fresh file together, got 500s.
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_CORE_CONNECTION = "lms_core_connection"  # on flask.g: per app context, which gunicorn's requests each get


def core_connection() -> Connection:
    """This request's Core connection (or, outside a request, this app context's), for the hottest path only: the
    API's caller check and the autosave. Checked out once and shared by both; returned to the pool, rolled back if
    left uncommitted, when the app context ends — for a request served by gunicorn, when the request ends.

    The ORM session is never created on that path: its setup, transaction bookkeeping and teardown were 7% of an
    autosave's instructions (callgrind, docs/performance.md). On PostgreSQL the connection autocommits: the check
    is one read and the autosave's write one statement (its lock, state check, upsert and evidence together), so
    neither needs a transaction around it and an autosave makes three round trips (the pool's ping, the check, the
    write) instead of five. SQLite's driver begins a transaction only at the first write, so there the check holds
    no lock and the write is committed by its caller. Everything else uses ``db.session``; a hot path that
    falls back to it releases this connection first (``release_core_connection``).
    """
    connection = g.get(_CORE_CONNECTION)
    if connection is None:
        connection = db.engine.connect()
        if connection.dialect.name == "postgresql":
            # Each statement its own transaction (see above); the pool restores the isolation level on return.
            connection.execution_options(isolation_level="AUTOCOMMIT")
        setattr(g, _CORE_CONNECTION, connection)
    return connection  # type: ignore[no-any-return]


def release_core_connection(_error: BaseException | None = None) -> None:
    """Return the Core connection to the pool now (rolled back if uncommitted): before this request asks the ORM
    session for a connection, so that it never holds two (threads waiting on a full pool would wait on each other)."""
    connection = g.pop(_CORE_CONNECTION, None)
    if connection is not None:
        connection.close()


def init_app(app: Flask) -> None:
    event.listen(Engine, "connect", _sqlite_on_connect)
    app.teardown_appcontext(release_core_connection)
