"""A page of a list in memory: the same shape as flask-sqlalchemy's Pagination for the pager macro."""

from __future__ import annotations

from lms.core.paging import page_of


def test_pages_split_the_list_and_a_page_past_the_end_is_the_last():
    items = list(range(45))
    first = page_of(items, 1, 20)
    assert (first.items, first.pages, first.total, first.has_prev, first.has_next) == (items[:20], 3, 45, False, True)
    last = page_of(items, 9, 20)
    assert (last.page, last.items, last.has_next, last.prev_num) == (3, items[40:], False, 2)
    assert page_of([], 1, 20).pages == 1
    assert page_of(items, 0, 20).page == 1
