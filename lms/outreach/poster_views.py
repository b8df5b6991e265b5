"""The counter posters (柜台海报) as PDF downloads: one shop's, or all of the manager's shops with a link in force,
one page each. Only the shop's own manager downloads one (a poster carries the shop's key); a shop without a link
in force is told so on the manager's page. Not audited (handing a shop its own link is the manager's daily work, as
on the page), and the address of a download carries no token (the shop's id only)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.core.clock import period_of, to_local, utcnow
from lms.core.errors import NotFound
from lms.outreach import links, posters, queries, rules
from lms.outreach.blueprint import bp


def _posters(rows: Sequence[queries.ShopRow], period: str) -> list[posters.Poster]:
    titles = [item.revision.title for item in queries.shop_pack(period)]
    made = []
    for row in rows:
        if row.link is None or row.link_state != rules.ACTIVE or not row.can_share:
            continue
        manager = row.shop.manager
        made.append(posters.poster(
            shop_name=row.shop.name, shop_code=row.shop.code, period=period, lessons=titles,
            address=links.address_of(row.link), expires_on=to_local(row.link.expires_at).strftime("%Y-%m-%d"),
            manager_name=manager.name if manager else None, manager_phone=manager.phone if manager else None))
    return made


def _pdf(made: Sequence[posters.Poster], name: str) -> Any:
    response = send_file(io.BytesIO(posters.render_pdf(made)), mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["X-Poster-Pages"] = str(len(made))
    return response


@bp.route("/outreach/shops/<int:shop_id>/poster.pdf")
@roles_required("manager")
def shop_poster(shop_id: int) -> Any:
    shop = queries.shop_for_manager(current_user, shop_id)
    if shop is None:
        raise NotFound(_("没有找到这个渠道。"))
    now = utcnow()
    period = period_of(now)
    rows = [row for row in queries.shop_rows(current_user, period, now) if row.shop.id == shop.id]
    made = _posters(rows, period)
    if not made:
        flash(_("“%(shop)s”还没有有效的链接，请先生成链接，再下载海报。", shop=shop.name), "error")
        return redirect(url_for("outreach.manager_home") + f"#shop-{shop.id}")
    return _pdf(made, f"门店海报-{shop.code}-{period}.pdf")


@bp.route("/outreach/posters.pdf")
@roles_required("manager")
def all_posters() -> Any:
    now = utcnow()
    period = period_of(now)
    made = _posters(queries.shop_rows(current_user, period, now), period)
    if not made:
        flash(_("你的渠道都还没有有效的链接，请先生成链接，再下载海报。"), "error")
        return redirect(url_for("outreach.manager_home"))
    return _pdf(made, f"门店海报-{period}.pdf")
