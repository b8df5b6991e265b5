"""One page of a list already in memory, shaped as flask-sqlalchemy's Pagination is (the ``pager`` macro reads
either): for lists built from several queries and filtered in Python, where a SQL ``LIMIT`` cannot apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ListPage(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of(items: Sequence[T], page: int, per_page: int) -> ListPage[T]:
    """Page ``page`` (from 1) of ``items``; a page past the end is the last page."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return ListPage(list(items[start:start + per_page]), page, pages, len(items))
