"""The walk (tests/browser/walk.py) as the administrator, who opens the most pages; and the walk's completeness."""

from __future__ import annotations

from tests.browser import walk
from tests.browser.walk_tests import walk_tests
from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

test_every_page_reads_well, test_every_page_is_in_english_when_asked = walk_tests("admin")


def test_every_get_route_is_walked_or_excused(walk_app, walk_found):
    """A new page is walked as soon as its route exists; one the walk cannot open says why."""
    opened_by_someone: set[str] = set()
    excused: dict[str, str] = {}
    for who in walk.IDENTITIES:
        pages, left_out = walk.pages(walk_app, walk_found, who)
        opened_by_someone |= {p.endpoint for p in pages}
        excused.update(left_out)
    unfilled = {e: why for e, why in excused.items() if e not in opened_by_someone and e not in walk.NOT_PAGES}
    assert unfilled == {}, "routes no identity can walk (fill their arguments in walk.world): " + str(unfilled)
    routes = {r.endpoint for r in walk_app.url_map.iter_rules()
              if "GET" in (r.methods or ()) and not r.rule.startswith("/api/")}
    assert routes == opened_by_someone | set(walk.NOT_PAGES)
