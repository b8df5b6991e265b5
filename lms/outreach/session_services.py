"""Use cases of training sessions for shops: a manager schedules one for their own shops, edits or cancels it
before it starts, and corrects a wrong check-in (each audited in the same transaction); a shop's staff member checks
in with the session's QR code, inside its window (lms.outreach.session_rules)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import period_of, utcnow
from lms.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from lms.core.i18n import N_
from lms.courses.models import Lesson
from lms.extensions import db
from lms.field.models import Shop
from lms.outreach import queries, rules, session_queries, session_rules
from lms.outreach.session_models import ShopSession, ShopSessionCheckin, ShopSessionLesson, ShopSessionShop


def _subject(session: ShopSession) -> str:
    return f"#{session.id} {session.title}"


def _facts(session: ShopSession) -> dict[str, Any]:
    """What the audit compares before and after an edit (codes and slugs: stable and readable)."""
    return {"title": session.title, "session_kind": session.kind, "place": session.place,
            "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
            "shops": [shop.code for shop in session.shops], "lessons": [lesson.slug for lesson in session.lessons]}


def _pack_lessons(periods: Iterable[str]) -> dict[int, Lesson]:
    found: dict[int, Lesson] = {}
    for period in dict.fromkeys(periods):
        found.update({item.lesson.id: item.lesson for item in queries.shop_pack(period)})
    return found


def _checked(draft: session_rules.SessionDraft, actor: User, now: datetime,
             kept: ShopSession | None = None) -> tuple[list[Shop], list[Lesson], str]:
    """The draft's shops and lessons, and its place, or ValidationFailed listing every problem (nothing written).
    Shops: the manager's own open shops (a shop already invited stays allowed on an edit even if closed since).
    Lessons: the shop pack of this month or of the session's month, or those the session already covers."""
    problems = session_rules.draft_problems(draft, now)
    mine = {shop.id: shop for shop in session_queries.invitable_shops(actor)}
    if kept is not None:
        mine.update({shop.id: shop for shop in kept.shops})
    shop_ids = list(dict.fromkeys(draft.shop_ids))
    if any(shop_id not in mine for shop_id in shop_ids):
        problems.append(N_("只能邀请自己负责的渠道"))
    allowed = _pack_lessons([period_of(now), period_of(draft.starts_at)])
    if kept is not None:
        allowed.update({lesson.id: lesson for lesson in kept.lessons})
    lesson_ids = list(dict.fromkeys(draft.lesson_ids))
    if any(lesson_id not in allowed for lesson_id in lesson_ids):
        problems.append(N_("培训内容只能从本月门店学习包中选择"))
    if problems:
        raise ValidationFailed(N_("培训安排有误，未保存"), problems)
    shops = [mine[shop_id] for shop_id in shop_ids]
    place = session_rules.clean_text(draft.place)
    if not place:  # 点对点 at the shop: the shop is the place
        place = " ".join(part for part in (shops[0].name, shops[0].address) if part)[:session_rules.MAX_PLACE]
    return shops, [allowed[lesson_id] for lesson_id in lesson_ids], place


def _apply(session: ShopSession, draft: session_rules.SessionDraft, shops: list[Shop], lessons: list[Lesson],
           place: str) -> None:
    session.title = session_rules.clean_text(draft.title)
    session.kind = draft.kind
    session.place = place
    session.starts_at = draft.starts_at
    session.ends_at = draft.ends_at
    session.invitations = [ShopSessionShop(shop_id=shop.id, shop=shop, position=i) for i, shop in enumerate(shops)]
    session.lesson_links = [ShopSessionLesson(lesson_id=lesson.id, lesson=lesson, position=i)
                            for i, lesson in enumerate(lessons)]


def schedule_session(actor: User, draft: session_rules.SessionDraft, *, now: datetime | None = None) -> ShopSession:
    """A new session of the manager's for their own shops."""
    if actor.role != "manager":
        raise NotFound(N_("只有渠道经理可以安排门店培训"))
    now = now or utcnow()
    shops, lessons, place = _checked(draft, actor, now)
    session = ShopSession(manager_id=actor.id, nonce=secrets.token_urlsafe(session_rules.NONCE_BYTES),
                          created_at=now, updated_at=now)
    session.manager = actor
    _apply(session, draft, shops, lessons, place)
    db.session.add(session)
    db.session.flush()
    audit.record(audit_rules.SHOP_SESSION_SCHEDULED, subject=_subject(session), actor=actor, changes=_facts(session))
    db.session.commit()
    return session


def _own_changeable(session_id: int, actor: User, now: datetime) -> ShopSession:
    session = session_queries.session_for(actor, session_id)
    if session is None or not session_queries.can_manage(actor, session):
        raise NotFound(N_("没有找到这场培训"))
    if not session_rules.can_change(now, session.starts_at, session.cancelled_at):
        raise Conflict(N_("培训已开始或已取消，不能再修改"))
    return session


def edit_session(session_id: int, actor: User, draft: session_rules.SessionDraft, *,
                 now: datetime | None = None) -> ShopSession:
    """Change a session before it starts (the QR code stays the same); the audit keeps what changed."""
    now = now or utcnow()
    session = _own_changeable(session_id, actor, now)
    shops, lessons, place = _checked(draft, actor, now, kept=session)
    before = _facts(session)
    _apply(session, draft, shops, lessons, place)
    session.updated_at = now
    changes = audit_rules.describe_changes(before, _facts(session))
    if changes:
        audit.record(audit_rules.SHOP_SESSION_EDITED, subject=_subject(session), actor=actor, changes=changes)
    db.session.commit()
    return session


def cancel_session(session_id: int, actor: User, reason: str | None, *, now: datetime | None = None) -> ShopSession:
    """Cancel before it starts, with a reason (the check-in QR code then says it is cancelled)."""
    now = now or utcnow()
    cleaned = session_rules.clean_reason(reason)
    if cleaned is None:
        raise ValidationFailed(N_("未能取消"), [N_("请填写取消原因（最多 200 个字）")])
    session = _own_changeable(session_id, actor, now)
    session.cancelled_at = now
    session.cancel_reason = cleaned
    audit.record(audit_rules.SHOP_SESSION_CANCELLED, subject=_subject(session), actor=actor, reason=cleaned,
                 changes={"starts_at": session.starts_at.isoformat()})
    db.session.commit()
    return session


def remove_checkin(session_id: int, checkin_id: int, actor: User) -> ShopSessionCheckin:
    """The manager takes back a wrong check-in (a shop picked by mistake); the audit keeps who it was."""
    session = session_queries.session_for(actor, session_id)
    if session is None or not session_queries.can_manage(actor, session):
        raise NotFound(N_("没有找到这场培训"))
    checkin = next((c for c in session.checkins if c.id == checkin_id), None)
    if checkin is None:
        raise NotFound(N_("没有找到这条签到"))
    audit.record(audit_rules.SHOP_SESSION_CHECKIN_REMOVED, subject=_subject(session), actor=actor,
                 changes={"shop": checkin.shop.code, "name": checkin.staff_name,
                          "checked_in_at": checkin.checked_in_at.isoformat()})
    db.session.delete(checkin)
    db.session.commit()
    return checkin


# --- the check-in -------------------------------------------------------------------------------------------------


class CheckinRefused(DomainError):
    """Outside the window, or cancelled: ``state`` says which (session_rules), the window says when."""

    status = 409
    code = "checkin_refused"

    def __init__(self, state: str, window: session_rules.CheckinWindow) -> None:
        super().__init__(state)
        self.state = state
        self.window = window


def window_of(session: ShopSession, settings: session_rules.WindowSettings) -> session_rules.CheckinWindow:
    return session_rules.checkin_window(session.starts_at, session.ends_at, settings)


def check_in(session: ShopSession, *, shop_id: int | None, shop_code: str | None, name: str | None,
             phone: str | None, settings: session_rules.WindowSettings,
             now: datetime | None = None) -> ShopSessionCheckin:
    """A shop's staff member checks in: an invited shop by id, or a walk-in shop of the same manager by id (the one
    the phone remembers) or by code. The same name of the same shop again is the same check-in (a double tap)."""
    now = now or utcnow()
    window = window_of(session, settings)
    state = session_rules.checkin_state(now, window, session.cancelled_at)
    if state != session_rules.OPEN:
        raise CheckinRefused(state, window)
    invited = {shop.id: shop for shop in session.shops if shop.active}
    shop: Shop | None = invited.get(shop_id) if shop_id is not None else None
    if shop is None:
        shop = session_queries.walk_in_shop(session, shop_id=shop_id, code=None if shop_id is not None else shop_code)
    staff = rules.clean_name(name)
    number = rules.clean_phone(phone)
    problems = []
    if shop is None:
        problems.append(N_("请选择门店；不在名单中的门店请填写渠道编码") if shop_id is None and not shop_code
                        else N_("没有找到这个门店（只有本场培训的渠道经理负责的门店可以签到）"))
    if staff is None:
        problems.append(N_("请填写签到人姓名（最多 50 个字）"))
    if number is False:
        problems.append(N_("手机号码格式不正确"))
    if problems or shop is None or staff is None:
        raise ValidationFailed(N_("未能签到"), problems)
    found = session_queries.checkin_of(session.id, shop.id, staff)
    if found is not None:
        return found
    checkin = ShopSessionCheckin(session_id=session.id, shop_id=shop.id, shop=shop, invited=shop.id in invited,
                                 staff_name=staff, staff_phone=number if isinstance(number, str) else None,
                                 checked_in_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(checkin)
    except IntegrityError:  # the same person's second tap, at the same moment
        again = session_queries.checkin_of(session.id, shop.id, staff)
        if again is None:
            raise
        return again
    db.session.commit()
    return checkin
