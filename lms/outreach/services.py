"""Use cases of outreach: a manager makes or revokes a shop's link (one, or for every shop still lacking one), and
a shop, through its link, opens the month's pack, answers the check and confirms it has read it. Links made or
revoked are audited in the same transaction; what a shop does is recorded on its month's ShopReading."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.core.i18n import N_
from lms.extensions import db
from lms.field.models import Shop
from lms.outreach import queries, rules
from lms.outreach.models import ShopLink, ShopReading
from lms.quizzes.question_types import AnswerRejected, question_type


def _revoke_no_commit(link: ShopLink, actor: User, now: datetime, reason: str) -> None:
    link.revoked_at = now
    audit.record(audit_rules.SHOP_LINK_REVOKED, subject=link.shop.code, actor=actor, reason=reason,
                 changes={"link": link.id})


def _make_no_commit(shop: Shop, actor: User, now: datetime, days: int) -> ShopLink:
    for old in queries.current_links([shop.id]).values():
        _revoke_no_commit(old, actor, now, "重新生成")
    link = ShopLink(shop_id=shop.id, nonce=secrets.token_urlsafe(rules.NONCE_BYTES), created_by_id=actor.id,
                    created_at=now, expires_at=rules.expiry(now, days))
    link.shop = shop
    db.session.add(link)
    db.session.flush()
    audit.record(audit_rules.SHOP_LINK_MADE, subject=shop.code, actor=actor,
                 changes={"link": link.id, "expires_at": link.expires_at.isoformat()})
    return link


def make_link(shop_id: int, actor: User, *, days: int, now: datetime | None = None) -> ShopLink:
    """A new link for the manager's own shop; the shop's previous link stops working."""
    shop = queries.shop_for_manager(actor, shop_id)
    if shop is None:
        raise NotFound("没有找到这个渠道")
    link = _make_no_commit(shop, actor, now or utcnow(), days)
    db.session.commit()
    return link


def make_missing_links(actor: User, *, days: int, now: datetime | None = None) -> list[ShopLink]:
    """A link for every shop of the manager's that has none in force (none, or only an expired one)."""
    now = now or utcnow()
    made = [_make_no_commit(row.shop, actor, now, days) for row in queries.shop_rows(actor, "", now)
            if row.can_share and row.link_state != rules.ACTIVE]
    db.session.commit()
    return made


def revoke_link(shop_id: int, actor: User, *, now: datetime | None = None) -> bool:
    """Stop the shop's link working; False when it had none."""
    shop = queries.shop_for_manager(actor, shop_id)
    if shop is None:
        raise NotFound("没有找到这个渠道")
    links = list(queries.current_links([shop.id]).values())
    for link in links:
        _revoke_no_commit(link, actor, now or utcnow(), "手动作废")
    db.session.commit()
    return bool(links)


def usable_link(secret_keys: Sequence[str], token: str, now: datetime | None = None) -> ShopLink | None:
    """The link behind a token while it is honoured: signed by us, its row's nonce, not revoked, not expired, its
    shop still open. Anything else is None (the shop sees "not found")."""
    link = queries.link_for_token(secret_keys, token)
    if link is None or rules.link_state(now or utcnow(), link.expires_at, link.revoked_at) != rules.ACTIVE:
        return None
    return link if link.shop.active else None


def _reading(link: ShopLink, period: str, now: datetime) -> ShopReading:
    found = queries.reading(link.shop_id, period)
    if found is not None:
        return found
    fresh = ShopReading(shop_id=link.shop_id, period=period, link_id=link.id, opened_at=now, last_opened_at=now,
                        opens=0)
    try:
        with db.session.begin_nested():
            db.session.add(fresh)
    except IntegrityError:  # the same shop opened it at the same moment on another phone
        found = queries.reading(link.shop_id, period)
        assert found is not None  # noqa: S101 - the other insert is what failed this one
        return found
    return fresh


def record_open(link: ShopLink, period: str, *, now: datetime | None = None) -> ShopReading:
    """The shop opened its page: the first time is kept, later ones counted."""
    now = now or utcnow()
    found = _reading(link, period, now)
    found.opens = (found.opens or 0) + 1
    found.last_opened_at = now
    db.session.commit()
    return found


def grade_check(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, list[str]]) -> rules.CheckResult:
    """Each question right or not, graded by its question type as in a quiz (an unanswered one is wrong)."""
    results: dict[str, bool] = {}
    for question in questions:
        kind = question_type(question["type"])
        try:
            answer = kind.parse_answer(question, {"choices": list(answers.get(question["id"], []))})
        except AnswerRejected:
            answer = None
        results[question["key"]] = kind.grade(question, answer).correct
    return rules.check_result(results)


def record_check(link: ShopLink, period: str, questions: Sequence[Mapping[str, Any]],
                 answers: Mapping[str, list[str]], *, now: datetime | None = None) -> rules.CheckResult:
    """Grade the shop's answers on the server; the month keeps the shop's best attempt."""
    if not questions:
        raise ValidationFailed("本月没有测验题")
    now = now or utcnow()
    result = grade_check(questions, answers)
    found = _reading(link, period, now)
    if found.check_score is None or result.percent >= found.check_score:
        found.check_score = result.percent
        found.check_passed = result.passed
        found.check_results = result.results
        found.checked_at = now
    db.session.commit()
    return result


def confirm_read(link: ShopLink, period: str, *, name: str | None, phone: str | None,
                 now: datetime | None = None) -> ShopReading:
    """"We have read it", with the staff member's name (required) and phone (optional); a later confirmation
    (another staff member) replaces the name and time."""
    staff = rules.clean_name(name)
    number = rules.clean_phone(phone)
    problems = []
    if staff is None:
        problems.append(N_("请填写确认人的姓名（最多 50 个字）"))
    if number is False:
        problems.append(N_("手机号码格式不正确"))
    if problems:
        raise ValidationFailed(N_("未能确认"), problems)
    now = now or utcnow()
    found = _reading(link, period, now)
    found.confirmed_at = now
    found.staff_name = staff
    found.staff_phone = number if isinstance(number, str) else None
    db.session.commit()
    return found
