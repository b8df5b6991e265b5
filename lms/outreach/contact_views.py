"""One shop's page for its manager (and, read-only, their supervisors): this month's status and reminders, and the
shop's staff contacts (name, mobile, role), which the manager adds and removes here."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.accounts.access import roles_required
from lms.core.clock import period_of, utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.outreach import contact_rules, contacts, queries, reminders, rules
from lms.outreach.blueprint import bp


def _page(shop_id: int, *, problems: list[str] | None = None, status: int = 200) -> Any:
    shop = contacts.shop_for_viewer(current_user, shop_id)
    if shop is None:
        raise NotFound(_("没有找到这个渠道。"))
    now = utcnow()
    period = period_of(now)
    rows = [row for row in queries.shop_rows(current_user, period, now) if row.shop.id == shop.id]
    row = rows[0] if rows else None  # a closed shop is not among the rows: its contacts are still shown
    followup = reminders.followups(rows, period, has_check=reminders.month_has_check(period)).get(shop.id)
    return render_template("outreach/shop_detail.html", shop=shop, row=row, followup=followup, period=period,
                           contacts=contacts.contacts_of([shop.id])[shop.id], roles=contact_rules.ROLES,
                           can_edit=queries.can_share(current_user, shop), form=FlaskForm(),
                           problems=problems or [], active=row is not None and row.link_state == rules.ACTIVE,
                           stage_labels=reminders.STAGE_LABELS), status


@bp.route("/outreach/shops/<int:shop_id>")
@roles_required("manager", "supervisor")
def shop_detail(shop_id: int) -> Any:
    return _page(shop_id)


@bp.route("/outreach/shops/<int:shop_id>/contacts", methods=["POST"])
@roles_required("manager")
def add_contact(shop_id: int) -> Any:
    try:
        contact = contacts.add_contact(shop_id, current_user, name=request.form.get("name"),
                                       phone=request.form.get("phone"), role=request.form.get("role"))
    except ValidationFailed as exc:
        return _page(shop_id, problems=[_(problem) for problem in exc.problems or [exc.message]], status=422)
    except NotFound as exc:
        raise NotFound(_("没有找到这个渠道。")) from exc
    flash(_("已添加联系人“%(name)s”。", name=contact.name), "success")
    return redirect(url_for("outreach.shop_detail", shop_id=shop_id) + "#contacts")


@bp.route("/outreach/shops/<int:shop_id>/contacts/<int:contact_id>/remove", methods=["POST"])
@roles_required("manager")
def remove_contact(shop_id: int, contact_id: int) -> Any:
    try:
        removed = contacts.remove_contact(shop_id, contact_id, current_user)
    except NotFound as exc:
        raise NotFound(_("没有找到这个渠道。")) from exc
    flash(_("已删除联系人。") if removed else _("这位联系人已不在列表中。"), "success")
    return redirect(url_for("outreach.shop_detail", shop_id=shop_id) + "#contacts")
