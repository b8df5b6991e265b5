"""The assertions of the walk, shared by the modules that split it across test workers (test_walk_*.py)."""

from __future__ import annotations

from tests.browser import walk


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
