"""The assertions of the walk, shared by the modules that split it across test workers (test_walk_*.py)."""

from __future__ import annotations

import os

import pytest

from tests.browser import walk

# The walk reads pages; the database under them is exercised on both engines by the rest of the suite (the route
# matrix opens every route as every role on PostgreSQL too). On PostgreSQL one identity walks, without axe, to catch
# an engine-specific 500 in a page; the full walk runs on SQLite.
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


def check_walk(walker: walk.Walker, who: str, viewport: str, *, english: bool = False) -> list[walk.Visit]:
    visits = walk.walk(walker, who, viewport, english=english, axe=not english)
    figures = walk.figures_dir()
    if figures is not None:  # `make screenshots`: the figures of each walk beside its pictures
        walk.report(visits, figures / f"figures-{who}-{viewport}{'-en' if english else ''}.json")
    problems = [p for v in visits for p in v.problems] + list(walk.serious(visits))
    assert problems == [], "\n".join(problems)
    opened = [v for v in visits if v.status < 400]
    assert opened, f"{who} opened no page"
    return visits


def skip_on_postgres(who: str, viewport: str) -> None:
    if ON_POSTGRES and (who, viewport) != ("admin", "desktop"):
        pytest.skip("the full walk runs on SQLite; on PostgreSQL the admin walks once (see walk_tests.py)")
