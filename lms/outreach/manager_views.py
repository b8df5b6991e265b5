"""The manager's page (门店学习): this month's pack for shops, and each of their shops with its link, QR code, the
message for the shop's WeChat group and this month's status; links made, re-made and revoked here (audited).
Supervisors and administrators see the shops of their scope, read-only."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from lms.accounts.access import roles_required
from lms.core.clock import period_of, utcnow
from lms.core.errors import NotFound
from lms.core.i18n import N_
from lms.core.numbers import page_number
from lms.core.paging import page_of
from lms.outreach import links, queries, reminders, rules, services, session_queries
from lms.outreach.blueprint import bp


def _days() -> int:
    return int(current_app.config["LMS_SHOP_LINK_DAYS"])


def _qr_svg(address: str, label: str) -> Markup:
    """The address as an inline SVG QR code (no request of its own, so the token never reaches a log line)."""
    import segno

    svg = segno.make(address, error="m").svg_inline(scale=3, border=2, title=label, svgclass="qr-code", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own markup, title escaped


@bp.route("/outreach/shops/<int:shop_id>/qr.svg")
@roles_required("manager")
def shop_qr(shop_id: int) -> Any:
    """The QR code of the manager's shop's link in force, as an SVG image. The page loads it only when the manager
    opens "二维码": drawing a QR code costs ~12 ms (segno's best-mask search), so a page of 100 shops drawing them
    all took a second. The address here names the shop, never the token."""
    shop = queries.shop_for_manager(current_user, shop_id)
    link = queries.current_links([shop.id]).get(shop.id) if shop is not None else None
    if link is None or rules.link_state(utcnow(), link.expires_at, link.revoked_at) != rules.ACTIVE:
        abort(404)
    import segno

    svg = io.BytesIO()
    segno.make(links.address_of(link), error="m").save(svg, kind="svg", scale=3, border=2, omitsize=True,
                                                        title=_("%(shop)s 的学习二维码", shop=shop.name))
    return Response(svg.getvalue(), mimetype="image/svg+xml")


STAGE_LABELS = {rules.UNSHARED: N_("未生成链接"), rules.UNOPENED: N_("未打开"), rules.OPENED: N_("已打开未确认"),
                rules.CONFIRMED: N_("已确认学习")}
PER_PAGE = 20
MAX_QUERY = 50


def _matches(row: queries.ShopRow, stage: str, text: str) -> bool:
    if stage and row.stage != stage:
        return False
    return not text or text in row.shop.name.casefold() or text in row.shop.code.casefold()


@bp.route("/outreach")
@roles_required("manager", "supervisor", "admin")
def manager_home() -> Any:
    """The shops with where each is with this month's pack; filtered by stage and by name or code, 20 a page (a
    manager may have a hundred shops: a phone should not scroll through them all, nor the server draw them all)."""
    now = utcnow()
    period = period_of(now)
    pack = queries.shop_pack(period)
    rows = queries.shop_rows(current_user, period, now)
    stage = request.args.get("stage", "")
    stage = stage if stage in rules.STAGES else ""
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    listed = page_of([row for row in rows if _matches(row, stage, text.casefold())], page_number(), PER_PAGE)
    shared = {row.shop.id: {"address": links.address_of(row.link)} for row in listed.items
              if row.link is not None and row.link_state == rules.ACTIVE and row.can_share}
    stages = Counter(row.stage for row in rows)
    questions = queries.check_questions(pack)
    attended = session_queries.sessions_attended([row.shop.id for row in listed.items])
    shareable = [row for row in rows if row.can_share]
    return render_template("outreach/manager.html", period=period, pack=pack, rows=rows, listed=listed,
                           shared=shared, stage=stage, text=text, stages=stages, stage_labels=STAGE_LABELS,
                           missing=sum(1 for row in rows if row.can_share and row.link_state != rules.ACTIVE),
                           form=FlaskForm(), can_share=current_user.role == "manager",
                           sessions_attended=attended,
                           question_count=len(questions),
                           followups=reminders.followups(listed.items, period, has_check=bool(questions)),
                           stuck=sum(1 for row in shareable if reminders.stage_of(row, has_check=bool(questions))),
                           posters=sum(1 for row in shareable
                                       if row.link is not None and row.link_state == rules.ACTIVE),
                           read=stages[rules.CONFIRMED],
                           passed=sum(1 for row in rows if row.reading and row.reading.check_passed))


def _back_to(shop: Any) -> Any:
    """The list showing the shop just acted on, whatever page or filter it was on."""
    return redirect(url_for("outreach.manager_home", q=shop.code) + f"#shop-{shop.id}")


@bp.route("/outreach/shops/<int:shop_id>/link", methods=["POST"])
@roles_required("manager")
def make_link(shop_id: int) -> Any:
    try:
        link = services.make_link(shop_id, current_user, days=_days())
    except NotFound:
        flash(_("没有找到这个渠道。"), "error")
        return redirect(url_for("outreach.manager_home"))
    flash(_("已为“%(shop)s”生成新链接，旧链接已失效。", shop=link.shop.name), "success")
    return _back_to(link.shop)


@bp.route("/outreach/shops/<int:shop_id>/revoke", methods=["POST"])
@roles_required("manager")
def revoke_link(shop_id: int) -> Any:
    try:
        revoked = services.revoke_link(shop_id, current_user)
    except NotFound:
        flash(_("没有找到这个渠道。"), "error")
        return redirect(url_for("outreach.manager_home"))
    flash(_("链接已作废，门店再打开会看到“链接无效”。") if revoked else _("这个渠道没有有效的链接。"), "success")
    shop = queries.shop_for_manager(current_user, shop_id)
    return _back_to(shop) if shop is not None else redirect(url_for("outreach.manager_home"))


@bp.route("/outreach/links", methods=["POST"])
@roles_required("manager")
def make_all_links() -> Any:
    made = services.make_missing_links(current_user, days=_days())
    flash(_("已为 %(n)d 个渠道生成链接。", n=len(made)) if made else _("每个渠道都已有有效的链接。"), "success")
    return redirect(url_for("outreach.manager_home"))
