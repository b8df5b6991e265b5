"""Reading outreach: the month's shop pack and its check, a token's link, and the shops a person sees with their
link and this month's status (scoped like the shop registry: lms.field.shop_queries)."""

from __future__ import annotations

import hmac
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.markdown import render_inline
from lms.courses.models import Lesson, LessonRevision
from lms.extensions import db
from lms.field import shop_queries
from lms.field.models import Shop
from lms.outreach import rules
from lms.outreach.models import ShopLink, ShopReading
from lms.quizzes.definitions import spec_from_json
from lms.quizzes.models import BankQuestion
from lms.quizzes.question_types import question_type

CHECK_TYPES = ("single", "multiple", "truefalse")  # answered with a tap on a phone


@dataclass(frozen=True)
class PackLesson:
    lesson: Lesson
    revision: LessonRevision


def shop_pack(period: str) -> list[PackLesson]:
    """The published lessons marked for shops whose month is ``period`` (or which have none), in the trainer's
    order, each with its live revision (what a shop reads)."""
    stmt = (select(Lesson).where(Lesson.for_shops.is_(True), Lesson.published_number.is_not(None),
                                 Lesson.retired_at.is_(None))
            .order_by(Lesson.sort_order, Lesson.title))
    found = []
    for lesson in db.session.scalars(stmt):
        revision = lesson.revision(lesson.published_number)
        if revision is not None and revision.for_shops and rules.pack_applies(lesson.period, period):
            found.append(PackLesson(lesson, revision))
    return found


def check_questions(pack: Sequence[PackLesson]) -> list[dict[str, Any]]:
    """The month's check: up to five tap-to-answer bank questions that name a lesson of the pack (the bank's
    ``lesson`` field), in the bank's order, as paper questions (options in authoring order, the key kept server-side
    in the same dicts: only ids and texts reach the page)."""
    slugs = [item.lesson.slug for item in pack]
    if not slugs:
        return []
    stmt = (select(BankQuestion).where(BankQuestion.lesson.in_(slugs), BankQuestion.retired_at.is_(None),
                                       BankQuestion.type.in_(CHECK_TYPES))
            .order_by(BankQuestion.bank_id, BankQuestion.id).limit(rules.MAX_CHECK_QUESTIONS))
    questions = []
    for row in db.session.scalars(stmt):
        spec = spec_from_json(row.spec)
        paper = question_type(spec.type).to_paper(spec, random.Random(0),  # noqa: S311 - not shuffled
                                                  shuffle_options=False)
        for option in paper["options"]:
            option["html"] = render_inline(option["text"])
        questions.append({"id": f"q{row.id}", "key": f"{row.bank_id}:{row.key}", "type": spec.type,
                          "stem_html": render_inline(spec.stem), "points": 1.0, **paper})
    return questions


def link_for_token(secret_keys: Sequence[str], token: str) -> ShopLink | None:
    """The link a token stands for, whatever its state (the caller tells the shop it expired or was revoked)."""
    carried = rules.read_token(secret_keys, token)
    if carried is None:
        return None
    link = db.session.get(ShopLink, carried[0])
    if link is None or not hmac.compare_digest(link.nonce.encode(), carried[1].encode()):
        return None
    return link


def current_links(shop_ids: Sequence[int]) -> dict[int, ShopLink]:
    """Each shop's unrevoked link (the latest), if any; expired ones included (the page says so)."""
    if not shop_ids:
        return {}
    stmt = (select(ShopLink).where(ShopLink.shop_id.in_(shop_ids), ShopLink.revoked_at.is_(None))
            .order_by(ShopLink.id))
    return {link.shop_id: link for link in db.session.scalars(stmt)}


def reading(shop_id: int, period: str) -> ShopReading | None:
    return db.session.scalar(select(ShopReading).where(ShopReading.shop_id == shop_id,
                                                       ShopReading.period == period))


@dataclass(frozen=True)
class ShopRow:
    shop: Shop
    link: ShopLink | None
    link_state: str | None  # rules.ACTIVE / EXPIRED, None: no link
    reading: ShopReading | None
    can_share: bool

    @property
    def stage(self) -> str:
        return rules.stage(self.link_state, self.reading is not None,
                           self.reading is not None and self.reading.confirmed_at is not None)


def can_share(viewer: User, shop: Shop) -> bool:
    """Make and revoke links: the shop's own manager (supervisors see their scope read-only)."""
    return viewer.role == "manager" and shop.manager_id == viewer.id and shop.active


def shop_rows(viewer: User, period: str, now: datetime) -> list[ShopRow]:
    shops = shop_queries.shops_for(viewer)
    ids = [shop.id for shop in shops]
    links = current_links(ids)
    readings = {r.shop_id: r for r in db.session.scalars(
        select(ShopReading).where(ShopReading.shop_id.in_(ids), ShopReading.period == period))} if ids else {}
    rows = []
    for shop in shops:
        link = links.get(shop.id)
        state = rules.link_state(now, link.expires_at, link.revoked_at) if link is not None else None
        rows.append(ShopRow(shop, link, state, readings.get(shop.id), can_share(viewer, shop)))
    return rows


def shop_for_manager(viewer: User, shop_id: int) -> Shop | None:
    """The shop when ``viewer`` may share it, else None (another manager's shop reads as missing)."""
    shop = db.session.get(Shop, shop_id)
    return shop if shop is not None and can_share(viewer, shop) else None
