"""The walk (tests/browser/walk.py) as anonymous visitors, channel managers and trainers, at 360 px and 1366 px,
in Chinese, and at 1366 px in English."""

from __future__ import annotations

import pytest

from tests.browser import walk
from tests.browser.walk import VIEWPORTS
from tests.browser.walk_tests import check_walk
from tests.support.browser import BROWSER_MARKS

pytestmark = [*BROWSER_MARKS, walk.SERVER_ABORTS]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("who", ["anonymous", "manager", "trainer"])
def test_every_page_reads_well(walker, who, viewport):
    check_walk(walker, who, viewport)


@pytest.mark.parametrize("who", ["anonymous", "manager", "trainer"])
def test_every_page_is_in_english_when_asked(walker, who):
    check_walk(walker, who, "desktop", english=True)
