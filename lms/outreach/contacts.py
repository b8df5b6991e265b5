"""A shop's staff contacts (门店联系人): read by the shop's manager and their supervisors, kept by the manager.

Personal data, so: nobody else sees them (not trainers, not administrators, not other managers); the shop's own
page gets only the names, as suggestions for who confirmed; a removed contact is deleted, not kept. Not audited:
keeping a shop's phone list is the manager's daily work, not an administrative act (each row says who added it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.core.i18n import N_
from lms.extensions import db
from lms.field import shop_queries
from lms.field.models import Shop
from lms.outreach import contact_rules, queries
from lms.outreach.followup_models import ShopContact

PROBLEM_TEXTS = {
    contact_rules.NAME_PROBLEM: N_("请填写姓名（最多 50 个字）"),
    contact_rules.PHONE_PROBLEM: N_("请填写 11 位手机号码（如 13800138000）"),
    contact_rules.ROLE_PROBLEM: N_("请选择岗位"),
}


def can_see_contacts(viewer: User, shop: Shop) -> bool:
    """The shop's own manager, and the supervisors whose grid, county or city covers the shop."""
    if viewer.role == account_rules.MANAGER:
        return shop.manager_id is not None and shop.manager_id == viewer.id
    return viewer.role == account_rules.SUPERVISOR and shop_queries.can_view_shop(viewer, shop)


def shop_for_viewer(viewer: User, shop_id: int) -> Shop | None:
    """The shop when ``viewer`` may see its contacts (a closed shop too: its manager may still tidy it up)."""
    shop = db.session.get(Shop, shop_id)
    return shop if shop is not None and can_see_contacts(viewer, shop) else None


def contacts_of(shop_ids: Sequence[int]) -> dict[int, list[ShopContact]]:
    """Each shop's contacts, shop keepers first, then by name."""
    if not shop_ids:
        return {}
    found: dict[int, list[ShopContact]] = {shop_id: [] for shop_id in shop_ids}
    order = {role: index for index, role in enumerate(contact_rules.ROLES)}
    rows = db.session.scalars(select(ShopContact).where(ShopContact.shop_id.in_(shop_ids)).order_by(ShopContact.id))
    for contact in sorted(rows, key=lambda c: (order.get(c.role, len(order)), c.name, c.id)):
        found[contact.shop_id].append(contact)
    return found


def staff_names(shop_id: int) -> list[str]:
    """The names only (for the shop's own page: its staff may pick who confirmed), each once."""
    names = db.session.scalars(select(ShopContact.name).where(ShopContact.shop_id == shop_id)
                               .order_by(ShopContact.name))
    return list(dict.fromkeys(names))


def _own_shop(shop_id: int, actor: User) -> Shop:
    shop = queries.shop_for_manager(actor, shop_id)
    if shop is None:
        raise NotFound("没有找到这个渠道")
    return shop


def add_contact(shop_id: int, actor: User, *, name: str | None, phone: str | None, role: str | None,
                now: datetime | None = None) -> ShopContact:
    """A contact for the manager's own shop; every problem reported at once, nothing written on any."""
    shop = _own_shop(shop_id, actor)
    cleaned = contact_rules.clean_contact(name, phone, role)
    problems = [PROBLEM_TEXTS[problem] for problem in cleaned.problems]
    existing = db.session.scalars(select(ShopContact.phone).where(ShopContact.shop_id == shop.id)).all()
    if cleaned.contact is not None and cleaned.contact.phone in existing:
        problems.append(N_("这个号码已在本店的联系人中"))
    if len(existing) >= contact_rules.MAX_PER_SHOP:
        problems.append(N_("每个渠道最多 20 位联系人"))
    if problems or cleaned.contact is None:
        raise ValidationFailed(N_("未能添加联系人"), problems)
    contact = ShopContact(shop_id=shop.id, name=cleaned.contact.name, phone=cleaned.contact.phone,
                          role=cleaned.contact.role, created_by_id=actor.id, created_at=now or utcnow())
    db.session.add(contact)
    db.session.commit()
    return contact


def remove_contact(shop_id: int, contact_id: int, actor: User) -> bool:
    """Delete one contact of the manager's own shop; False when it was not there (already removed)."""
    shop = _own_shop(shop_id, actor)
    contact = db.session.get(ShopContact, contact_id)
    if contact is None or contact.shop_id != shop.id:
        return False
    db.session.delete(contact)
    db.session.commit()
    return True


def contact_counts(shop_ids: Sequence[int]) -> dict[int, int]:
    if not shop_ids:
        return {}
    rows = db.session.execute(select(ShopContact.shop_id, func.count()).where(ShopContact.shop_id.in_(shop_ids))
                              .group_by(ShopContact.shop_id))
    return {row[0]: row[1] for row in rows}
