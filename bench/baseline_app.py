"""The fastest a bare Flask app can be here: the same gunicorn settings and database settings as the product.

`/hello` (no database), `/select` (one SELECT by primary key), `/insert` (one INSERT and commit).
Run by bench/run.py as ``gunicorn 'bench.baseline_app:create_app()'`` with BENCH_DATABASE_URL set.
"""

from __future__ import annotations

import os
import random

from flask import Flask, jsonify
from sqlalchemy import create_engine, event, text

from lms.config import normalise_database_url
from lms.core.database import _sqlite_on_connect


def create_app() -> Flask:
    url = normalise_database_url(os.environ["BENCH_DATABASE_URL"])
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, pool_pre_ping=True, **({"connect_args": {"timeout": 30}} if sqlite else
                                                       {"pool_size": 5, "max_overflow": 10}))
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect)  # the product's pragmas: WAL, foreign keys, busy timeout
    app = Flask(__name__)

    @app.route("/hello")
    def hello() -> object:
        return jsonify(hello="world")

    @app.route("/select")
    def select_one() -> object:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT id, payload FROM bench_rows WHERE id = :id"),
                                     {"id": random.randint(1, 1000)}).first()
        return jsonify(id=row[0] if row else None)

    @app.route("/insert", methods=["POST", "PUT"])
    def insert_one() -> object:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO bench_rows (payload) VALUES (:p)"), {"p": "x" * 40})
        return jsonify(saved=True)

    return app


def prepare(url: str) -> None:
    """Create and fill the baseline table (called once by the runner, not by workers)."""
    engine = create_engine(normalise_database_url(url))
    if engine.dialect.name == "sqlite":  # WAL before the workers start, as `flask db upgrade` leaves the product's
        event.listen(engine, "connect", _sqlite_on_connect)
    with engine.begin() as connection:
        serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
        connection.execute(text("DROP TABLE IF EXISTS bench_rows"))
        connection.execute(text(f"CREATE TABLE bench_rows (id {serial}, payload VARCHAR(64) NOT NULL)"))
        rows = [{"p": f"row {i}"} for i in range(1000)]
        connection.execute(text("INSERT INTO bench_rows (payload) VALUES (:p)"), rows)
    engine.dispose()
