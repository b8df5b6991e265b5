"""The assertions of the walk, and the walk's tests for a group of identities: the walk is split across several
modules (test_walk_*.py, a group of identities each) so the two test workers share it evenly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser import walk
from tests.browser.walk import VIEWPORTS


def check_walk(walker: walk.Walker, who: str, viewports: tuple[str, ...], *,
               english: bool = False) -> list[walk.Visit]:
    visits = walk.walk(walker, who, viewports, english=english, axe=not english)
    figures = walk.figures_dir()
    if figures is not None:  # `make screenshots`: the figures of each walk beside its pictures
        for viewport in viewports:
            walk.report([v for v in visits if v.viewport == viewport],
                        figures / f"figures-{who}-{viewport}{'-en' if english else ''}.json")
    problems = [p for v in visits for p in v.problems] + list(walk.serious(visits))
    assert problems == [], "\n".join(problems)
    opened = [v for v in visits if v.status < 400]
    assert opened, f"{who} opened no page"
    return visits


def walk_tests(*identities: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The walk as ``identities`` at 360 px and 1366 px in Chinese (each page loaded once, at 360 px, and checked
    again after widening the window), and at 1366 px in English."""

    @pytest.mark.parametrize("who", identities)
    def test_every_page_reads_well(walker: walk.Walker, who: str) -> None:
        check_walk(walker, who, tuple(VIEWPORTS))

    @pytest.mark.parametrize("who", identities)
    def test_every_page_is_in_english_when_asked(walker: walk.Walker, who: str) -> None:
        check_walk(walker, who, ("desktop",), english=True)

    return test_every_page_reads_well, test_every_page_is_in_english_when_asked
