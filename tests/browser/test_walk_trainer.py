"""The walk (tests/browser/walk.py) as a trainer."""

from __future__ import annotations

from tests.browser.walk_tests import walk_tests
from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

test_every_page_reads_well, test_every_page_is_in_english_when_asked = walk_tests("trainer")
