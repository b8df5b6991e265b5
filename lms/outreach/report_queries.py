"""Reading a shop's own reports (the field tickets it raised from its page): the list its page shows — that shop's
and nobody else's — and what the repeat and daily checks need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import ColumnElement, func, select

from lms.core.clock import SHANGHAI, as_utc, to_local
from lms.extensions import db
from lms.field import visit_rules
from lms.field.visit_models import Ticket
from lms.outreach import report_rules

SHOWN = 20


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # the ticket's (Chinese source string, translated where shown)
    hint: str


@dataclass(frozen=True)
class ReportSection:
    """What the shop page's "反映问题" part shows: the form (a fresh key, the categories) and the shop's reports."""

    tickets: list[Ticket]
    form_key: str
    categories: tuple[Category, ...]


def section(shop_id: int) -> ReportSection:
    categories = tuple(Category(key, visit_rules.CATEGORY_LABELS[key], report_rules.CATEGORY_HINTS[key])
                       for key in report_rules.CATEGORIES)
    return ReportSection(shop_reports(shop_id), report_rules.new_form_key(), categories)


def _own(shop_id: int) -> list[ColumnElement[bool]]:
    return [Ticket.shop_id == shop_id, Ticket.source == visit_rules.FROM_SHOP]


def shop_reports(shop_id: int, *, limit: int = SHOWN) -> list[Ticket]:
    """The shop's latest own reports, newest first (its page: state and answer)."""
    return list(db.session.scalars(select(Ticket).where(*_own(shop_id))
                                   .order_by(Ticket.raised_at.desc(), Ticket.id.desc()).limit(limit)))


def by_client_key(key: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.client_key == key))


def earlier_reports(shop_id: int, since: datetime) -> list[tuple[Ticket, report_rules.Earlier]]:
    found = db.session.scalars(select(Ticket).where(*_own(shop_id), Ticket.raised_at >= since)
                               .order_by(Ticket.id.desc()))
    return [(t, report_rules.Earlier(t.category, t.description, as_utc(t.raised_at))) for t in found]


def sent_today(shop_id: int, now: datetime) -> int:
    """The shop's own reports since midnight in Shanghai."""
    midnight = as_utc(datetime.combine(to_local(now, SHANGHAI).date(), time(0), tzinfo=SHANGHAI))
    return db.session.scalar(select(func.count(Ticket.id)).where(*_own(shop_id), Ticket.raised_at >= midnight)) or 0
