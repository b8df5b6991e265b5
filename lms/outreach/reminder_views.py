"""提醒未学习的门店: the manager's shops whose month is not done, each with a reminder to paste into its WeChat group
(with its own link) and one combined message for a group of several shops (without links: a shop's link is its
key, not to be seen by the other shops); the manager records that they sent them (per shop, or all at once)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.accounts.access import roles_required
from lms.core.clock import period_of, utcnow
from lms.core.errors import NotFound
from lms.outreach import links, queries, reminder_rules, reminders
from lms.outreach.blueprint import bp


def _month(period: str) -> str:
    year, _sep, month = period.partition("-")
    return _("%(year)s年%(month)d月", year=year, month=int(month)) if month.isdigit() else period


def _shop_message(pending: reminders.PendingShop, month: str, address: str) -> str:
    shop = pending.row.shop.name
    if pending.stage == reminder_rules.NOT_OPENED:
        return _("【%(month)s门店学习提醒】%(shop)s的各位伙伴：本月的门店学习还没有打开。"
                 "请用手机打开下面的链接（或扫柜台海报上的二维码）学习，"
                 "完成小测验后填写姓名确认“已学习”。%(link)s", month=month, shop=shop, link=address)
    if pending.stage == reminder_rules.NOT_READ:
        return _("【%(month)s门店学习提醒】%(shop)s的各位伙伴：本月的学习已经打开，"
                 "还差最后一步：完成小测验并填写姓名确认“已学习”。%(link)s", month=month, shop=shop, link=address)
    return _("【%(month)s门店学习提醒】%(shop)s的各位伙伴：本月的小测验还没有通过，"
             "请再看一遍学习内容后重做小测验。%(link)s", month=month, shop=shop, link=address)


def _combined_message(pending: list[reminders.PendingShop], month: str) -> str:
    lines = [_("【%(month)s门店学习提醒】以下门店本月的学习还没有完成，"
               "请打开本店的学习链接或扫柜台海报上的二维码，学习并确认：", month=month)]
    lines += [_("%(number)d. %(shop)s（%(stage)s）", number=number, shop=item.row.shop.name,
                stage=_(reminders.STAGE_LABELS[item.stage])) for number, item in enumerate(pending, start=1)]
    return "\n".join(lines)


@bp.route("/outreach/reminders")
@roles_required("manager")
def reminders_page() -> Any:
    now = utcnow()
    period = period_of(now)
    rows = queries.shop_rows(current_user, period, now)
    pending = reminders.pending_shops(rows, period, has_check=reminders.month_has_check(period))
    month = _month(period)
    messages = {item.row.shop.id: _shop_message(item, month, links.address_of(item.row.link))
                for item in pending if item.has_active_link and item.row.link is not None}
    return render_template("outreach/reminders.html", period=period, pending=pending, messages=messages,
                           combined=_combined_message(pending, month) if pending else "",
                           stage_labels=reminders.STAGE_LABELS, form=FlaskForm(),
                           shops=sum(1 for row in rows if row.can_share))


@bp.route("/outreach/reminders", methods=["POST"])
@roles_required("manager")
def record_all_reminders() -> Any:
    recorded = reminders.record_reminders(current_user, period_of(utcnow()))
    flash(_("已记录：提醒了 %(n)d 个渠道。", n=len(recorded)) if recorded else _("没有需要提醒的渠道。"), "success")
    return redirect(url_for("outreach.reminders_page"))


@bp.route("/outreach/shops/<int:shop_id>/remind", methods=["POST"])
@roles_required("manager")
def record_reminder(shop_id: int) -> Any:
    shop = queries.shop_for_manager(current_user, shop_id)
    if shop is None:
        raise NotFound(_("没有找到这个渠道。"))
    recorded = reminders.record_reminders(current_user, period_of(utcnow()), [shop.id])
    if recorded:
        flash(_("已记录：提醒了“%(shop)s”（本月第 %(n)d 次）。", shop=shop.name, n=recorded[0].count), "success")
    else:
        flash(_("“%(shop)s”本月已完成学习，不需要提醒。", shop=shop.name), "success")
    return redirect(url_for("outreach.reminders_page") + f"#remind-{shop.id}")


