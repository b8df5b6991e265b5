"""How the suite is laid out for its two test workers (``make test``: ``-n 2 --dist loadfile``).

- Longest files first. The workers take whole files in the order of the collection, the next one when the current
  file is nearly done; a long file taken last keeps one worker busy while the other waits. The order comes from
  each file's seconds in a recent full run (``durations.json`` beside this module; ``make test-durations`` writes
  it again); a file not in it is guessed from its tests' fixtures and marks. The Makefile turns pytest-xdist's own
  reordering (by number of tests) off so this order stands. The order changes nothing a test proves.
- ``db_free``: a test with no database in its fixtures (nothing in its fixture closure asks for ``template_db``, the
  only door to ``DATABASE_URL`` in the suite) does the same on SQLite and PostgreSQL, so the PostgreSQL pass leaves
  it out. A test that opens a database must ask for ``template_db`` (directly or through ``app``) to get one.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

DATABASE_FIXTURE = "template_db"
DURATIONS = Path(__file__).with_name("durations.json")
RECORD = "LMS_RECORD_DURATIONS"  # set (to 1) to write DURATIONS at the end of a run

_recorded: dict[str, float] = defaultdict(float)


def _guess(items: list[pytest.Item]) -> float:
    """Seconds a file not in DURATIONS may take: the walk's files take minutes, a browser or slow test seconds."""
    seconds = 0.0
    for item in items:
        if "walker" in getattr(item, "fixturenames", ()):
            seconds += 20
        elif item.get_closest_marker("browser") or item.get_closest_marker("slow"):
            seconds += 5
        else:
            seconds += 0.5
    return seconds


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the PostgreSQL pass selects on db_free
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURE not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db_free)
    known: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    order = sorted(files.items(), key=lambda pair: -known.get(pair[0], _guess(pair[1])))  # stable for ties
    items[:] = [item for _name, group in order for item in group]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get(RECORD):
        _recorded[report.nodeid.split("::", 1)[0]] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.environ.get(RECORD) and not hasattr(session.config, "workerinput") and _recorded:
        known = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}
        known.update({name: round(seconds, 1) for name, seconds in _recorded.items()})  # a partial run adds
        DURATIONS.write_text(json.dumps(dict(sorted(known.items())), indent=0) + "\n", encoding="utf-8")
