"""门店学习覆盖 (the supervisors' coverage of the shop pack), pure: what a shop's month counts as (reached, opened,
read, passed), the tallies by any grouping, why a shop was never opened, and the check questions shops miss most.
No Flask, no SQLAlchemy.

- **Reached** (已触达): a link of the shop's was in force at some moment of the month (made before its end, neither
  revoked nor expired before its start), or the shop opened the month's pack (which it can only do by a link).
- **Opened** (已打开): the shop has a reading of the month (it opened its page at least once).
- **Read** (已确认学习): a staff member confirmed "we have read it" for the month.
- **Passed** (测验通过): the month's best check attempt passed.
- **Never opened** (从未打开): up to the month's end no link was ever made for the shop, or links were made but the
  shop never opened one, in that month or any before.
Percentages are of the shops counted (the active shops registered before the month's end).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

NO_LINK, NOT_OPENED = "no_link", "not_opened"
NEVER_REACHED_LABELS = {NO_LINK: "从未生成链接", NOT_OPENED: "有链接，从未打开"}

K = TypeVar("K", bound=Hashable)


def in_force_during(created_at: datetime, expires_at: datetime, revoked_at: datetime | None, start: datetime,
                    end: datetime) -> bool:
    """A link was honoured at some moment of ``[start, end)``."""
    return created_at < end and expires_at > start and (revoked_at is None or revoked_at > start)


@dataclass(frozen=True)
class ShopMonth:
    """One shop's month, as the coverage counts it."""

    shop_id: int
    kind: str
    star: int
    grid_id: int | None
    manager_id: int | None
    reached: bool
    opened: bool
    read: bool
    passed: bool


def shop_month(shop_id: int, *, kind: str, star: int, grid_id: int | None, manager_id: int | None,
               linked: bool, opened: bool, read: bool, passed: bool) -> ShopMonth:
    """A shop's month; ``linked``: a link was in force during it. Opening counts as reached (only a link opens)."""
    return ShopMonth(shop_id, kind, star, grid_id, manager_id, reached=linked or opened or read or passed,
                     opened=opened or read or passed, read=read, passed=passed)


@dataclass(frozen=True)
class Tally:
    total: int = 0
    reached: int = 0
    opened: int = 0
    read: int = 0
    passed: int = 0

    def rate(self, count: int) -> float | None:
        """``count`` over the shops counted; None when there are none."""
        return count / self.total if self.total else None

    @property
    def reached_rate(self) -> float | None:
        return self.rate(self.reached)

    @property
    def opened_rate(self) -> float | None:
        return self.rate(self.opened)

    @property
    def read_rate(self) -> float | None:
        return self.rate(self.read)

    @property
    def passed_rate(self) -> float | None:
        return self.rate(self.passed)

    @property
    def not_reached(self) -> int:
        return self.total - self.reached


def tally(shops: Iterable[ShopMonth]) -> Tally:
    total = reached = opened = read = passed = 0
    for shop in shops:
        total += 1
        reached += shop.reached
        opened += shop.opened
        read += shop.read
        passed += shop.passed
    return Tally(total, reached, opened, read, passed)


def tally_by(shops: Iterable[ShopMonth], key: Callable[[ShopMonth], K]) -> dict[K, Tally]:
    """A tally per value of ``key`` (in the order the values are first met)."""
    groups: dict[K, list[ShopMonth]] = {}
    for shop in shops:
        groups.setdefault(key(shop), []).append(shop)
    return {value: tally(members) for value, members in groups.items()}


def never_reached_reason(ever_linked: bool, ever_opened: bool) -> str | None:
    """Why a shop has never been reached (NO_LINK / NOT_OPENED), or None when it has opened the pack once."""
    if ever_opened:
        return None
    return NOT_OPENED if ever_linked else NO_LINK


@dataclass(frozen=True)
class QuestionMisses:
    key: str  # the check's question key, "<bank id>:<question key>"
    asked: int  # shops whose best attempt had the question
    missed: int

    @property
    def rate(self) -> float:
        return self.missed / self.asked if self.asked else 0.0


def question_misses(results: Iterable[Mapping[str, Any] | None]) -> list[QuestionMisses]:
    """Per question over the shops' best attempts (question key -> answered right): asked and missed, the most
    missed first (then the higher miss rate, then the key). A question nobody missed is listed too, last."""
    asked: dict[str, int] = {}
    missed: dict[str, int] = {}
    for found in results:
        if not isinstance(found, Mapping):
            continue
        for key, right in found.items():
            if not isinstance(key, str):
                continue
            asked[key] = asked.get(key, 0) + 1
            missed[key] = missed.get(key, 0) + (right is not True)
    rows = [QuestionMisses(key, asked[key], missed[key]) for key in asked]
    return sorted(rows, key=lambda row: (-row.missed, -row.rate, row.key))
