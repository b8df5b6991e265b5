"""Reading training sessions for shops: the sessions a person sees (a manager their own; supervisors and
administrators those with an invited shop in their scope, as lms.field.shop_queries scopes shops), a session's
attendance per shop, the session a check-in token stands for, and how many sessions each shop attended."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.field import shop_queries
from lms.field.models import Shop
from lms.outreach import session_rules
from lms.outreach.session_models import ShopSession, ShopSessionCheckin, ShopSessionShop

PAST_SHOWN = 50  # the latest past sessions a list shows (the upcoming ones: all)


def can_manage(viewer: User, session: ShopSession) -> bool:
    """Edit, cancel, show the QR code, correct a check-in: the manager who scheduled it."""
    return viewer.role == "manager" and session.manager_id == viewer.id


def _visible_statement(viewer: User) -> Select[Any]:
    stmt = select(ShopSession)
    if viewer.role == "manager":
        return stmt.where(ShopSession.manager_id == viewer.id)
    in_scope = (select(ShopSessionShop.session_id).join(Shop, Shop.id == ShopSessionShop.shop_id)
                .where(shop_queries.shop_scope_clause(viewer)))
    return stmt.where(ShopSession.id.in_(in_scope))


def session_for(viewer: User, session_id: int) -> ShopSession | None:
    """The session when ``viewer`` may see it, else None (another manager's reads as missing)."""
    return db.session.scalar(_visible_statement(viewer).where(ShopSession.id == session_id))


@dataclass(frozen=True)
class SessionLists:
    upcoming: list[ShopSession]  # not yet ended and not cancelled, soonest first
    past: list[ShopSession]  # ended or cancelled, latest first (at most PAST_SHOWN)


def sessions_for(viewer: User, now: datetime) -> SessionLists:
    stmt = _visible_statement(viewer)
    upcoming = list(db.session.scalars(stmt.where(ShopSession.ends_at > now, ShopSession.cancelled_at.is_(None))
                                       .order_by(ShopSession.starts_at, ShopSession.id)))
    past = list(db.session.scalars(stmt.where((ShopSession.ends_at <= now) | ShopSession.cancelled_at.is_not(None))
                                   .order_by(ShopSession.starts_at.desc(), ShopSession.id.desc()).limit(PAST_SHOWN)))
    return SessionLists(upcoming, past)


def attended_shop_counts(sessions: Sequence[ShopSession]) -> dict[int, int]:
    """Session id -> how many invited shops checked in (walk-ins are counted on the session's page)."""
    ids = [session.id for session in sessions]
    if not ids:
        return {}
    shops = func.count(func.distinct(ShopSessionCheckin.shop_id))
    return dict(db.session.execute(select(ShopSessionCheckin.session_id, shops)
                                   .where(ShopSessionCheckin.session_id.in_(ids), ShopSessionCheckin.invited.is_(True))
                                   .group_by(ShopSessionCheckin.session_id)).all())


@dataclass
class AttendanceRow:
    shop: Shop
    invited: bool
    checkins: list[ShopSessionCheckin] = field(default_factory=list)

    @property
    def attended(self) -> bool:
        return bool(self.checkins)


def attendance(session: ShopSession, viewer: User) -> list[AttendanceRow]:
    """Each invited shop (in the order chosen) with its check-ins, then the walk-in shops; a supervisor sees only
    the shops of their scope."""
    rows: dict[int, AttendanceRow] = {shop.id: AttendanceRow(shop, True) for shop in session.shops}
    for checkin in session.checkins:
        row = rows.setdefault(checkin.shop_id, AttendanceRow(checkin.shop, False))
        row.checkins.append(checkin)
    found = list(rows.values())
    if not can_manage(viewer, session):
        found = [row for row in found if shop_queries.can_view_shop(viewer, row.shop)]
    return found


def session_for_token(secret_keys: Sequence[str], token: str) -> ShopSession | None:
    """The session a check-in token stands for, whatever its state (the page says when it opens or closed)."""
    carried = session_rules.read_token(secret_keys, token)
    if carried is None:
        return None
    session = db.session.get(ShopSession, carried[0])
    if session is None or not hmac.compare_digest(session.nonce.encode(), carried[1].encode()):
        return None
    return session


def invitable_shops(manager: User) -> list[Shop]:
    """The manager's own open shops, by code: whom a session may invite."""
    return list(db.session.scalars(select(Shop).where(Shop.manager_id == manager.id, Shop.active.is_(True))
                                   .order_by(Shop.code)))


def walk_in_shop(session: ShopSession, shop_id: int | None = None, code: str | None = None) -> Shop | None:
    """A shop of the session's manager, open, found by id or by its code: may check in though not invited."""
    if shop_id is None and not code:
        return None
    stmt = select(Shop).where(Shop.manager_id == session.manager_id, Shop.active.is_(True))
    stmt = stmt.where(Shop.id == shop_id) if shop_id is not None else stmt.where(Shop.code == (code or "").strip())
    return db.session.scalar(stmt)


def checkin_of(session_id: int, shop_id: int, staff_name: str) -> ShopSessionCheckin | None:
    return db.session.scalar(select(ShopSessionCheckin).where(
        ShopSessionCheckin.session_id == session_id, ShopSessionCheckin.shop_id == shop_id,
        ShopSessionCheckin.staff_name == staff_name))


def sessions_attended(shop_ids: Sequence[int]) -> dict[int, int]:
    """Shop id -> how many sessions (not cancelled) its staff checked in to."""
    if not shop_ids:
        return {}
    return dict(db.session.execute(
        select(ShopSessionCheckin.shop_id, func.count(func.distinct(ShopSessionCheckin.session_id)))
        .join(ShopSession, ShopSession.id == ShopSessionCheckin.session_id)
        .where(ShopSessionCheckin.shop_id.in_(shop_ids), ShopSession.cancelled_at.is_(None))
        .group_by(ShopSessionCheckin.shop_id)).all())
