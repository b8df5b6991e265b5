"""The field day's rules, pure: shop kinds and stars, how often a shop must be visited, distances on the ground.
No Flask, no SQLAlchemy.

Visit frequency (渠道拜访), from the plan: by shop type, terminal shops (终端渠道) at least 3 visits a week, business
shops (业务渠道) 2, village shops (村级渠道) 1; by star, 4- and 5-star shops at least 2 a week, 1–3-star shops once a
month. Both rules ship as one table (``DEFAULT_VISIT_RULES``); where both apply, the stricter one (the most visits
per week) decides.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

TERMINAL, BUSINESS, VILLAGE = "terminal", "business", "village"
SHOP_KINDS = (TERMINAL, BUSINESS, VILLAGE)
SHOP_KIND_LABELS = {TERMINAL: "终端渠道", BUSINESS: "业务渠道", VILLAGE: "村级渠道"}
STARS = (1, 2, 3, 4, 5)
WEEK, MONTH = "week", "month"
PERIOD_LABELS = {WEEK: "每周", MONTH: "每月"}
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class VisitRule:
    """At least ``count`` visits each ``period`` for shops of ``kind`` (or of these ``stars``; None: any)."""

    count: int
    period: str
    kind: str | None = None
    stars: tuple[int, ...] | None = None

    def applies(self, kind: str, star: int) -> bool:
        return (self.kind is None or self.kind == kind) and (self.stars is None or star in self.stars)

    @property
    def per_week(self) -> float:
        return self.count if self.period == WEEK else self.count / WEEKS_PER_MONTH


DEFAULT_VISIT_RULES = (
    VisitRule(3, WEEK, kind=TERMINAL),
    VisitRule(2, WEEK, kind=BUSINESS),
    VisitRule(1, WEEK, kind=VILLAGE),
    VisitRule(2, WEEK, stars=(4, 5)),
    VisitRule(1, MONTH, stars=(1, 2, 3)),
)


def required_visits(kind: str, star: int, rules: tuple[VisitRule, ...] = DEFAULT_VISIT_RULES) -> VisitRule | None:
    """The rule a shop must meet: of those that apply, the one asking the most visits per week (None: no rule)."""
    found = [rule for rule in rules if rule.applies(kind, star)]
    return max(found, key=lambda rule: rule.per_week) if found else None


EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; good to a few metres at a city's scale)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_position(lat: float | None, lng: float | None) -> bool:
    return lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180 and (lat, lng) != (0, 0)


def period_dates(period: str) -> tuple[date, date]:
    """A month ``YYYY-MM`` as its first day and the first day of the month after (the end, excluded)."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def period_days(period: str) -> list[date]:
    """Every day of a month ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    return [date(year, month, day) for day in range(1, calendar.monthrange(year, month)[1] + 1)]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def working_days(period: str, *, joined: date | None = None, until: date | None = None) -> list[date]:
    """Monday to Friday of ``period``, from ``joined`` and up to ``until`` (both included) when given: the days a
    person's check-ins and daily reports are due (nothing is due before they joined, or after today)."""
    return [d for d in period_days(period) if is_working_day(d)
            and (joined is None or d >= joined) and (until is None or d <= until)]
