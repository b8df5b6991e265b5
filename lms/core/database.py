"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a sane pool."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


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


def init_app(app: Flask) -> None:
    event.listen(Engine, "connect", _sqlite_on_connect)
