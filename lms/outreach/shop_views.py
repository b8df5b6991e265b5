"""The shop's own page, opened by its link without a password: this month's lessons for shops, the check and the
"we have read it" confirmation. It shows the shop's name and its own status, nothing about anyone else. A token
that is not honoured (unknown, revoked, expired, a closed shop) gets the same 404 page, never the reason."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.core.clock import period_of, utcnow
from lms.core.errors import ValidationFailed
from lms.extensions import limiter
from lms.outreach import contacts, links, queries, report_queries, rules, services, shop_media, shop_memory
from lms.outreach.blueprint import bp
from lms.outreach.models import ShopLink


def _shop_page_limit() -> str:
    return str(current_app.config["LMS_SHOP_PAGE_LIMIT"])


# One budget per address for every request carrying a token (page, check, confirmation): guessing cannot spread.
shop_limit = limiter.shared_limit(_shop_page_limit, scope="shop-page")


def _not_found() -> Any:
    return render_template("outreach/not_found.html"), 404


def _page(link: ShopLink, token: str, *, problems: list[str] | None = None, status: int = 200,
          answers: dict[str, list[str]] | None = None, **extra: Any) -> Any:
    period = period_of(utcnow())
    pack = queries.shop_pack(period)
    return render_template("outreach/shop.html", shop=link.shop, period=period, pack=pack,
                           questions=queries.check_questions(pack), reading=queries.reading(link.shop_id, period),
                           token=token, problems=problems or [], answers=answers or {},
                           staff_names=contacts.staff_names(link.shop_id),  # names only: never their phones
                           pass_percent=int(rules.PASS_PERCENT),
                           lesson_html=shop_media.pack_html(pack, url_for("outreach.shop_page", token=token)),
                           report=report_queries.section(link.shop_id), **extra), status


@bp.route("/s/<token>")
@shop_limit
def shop_page(token: str) -> Any:
    link = services.usable_link(links.secret_keys(), token)
    if link is None:
        return _not_found()
    services.record_open(link, period_of(utcnow()))
    shop_memory.remember_shop(link.shop_id)  # a session's check-in on this phone then knows the shop
    return _page(link, token)


def _answers() -> dict[str, list[str]]:
    return {key: request.form.getlist(key)[:10] for key in request.form if key.startswith("q")}


@bp.route("/s/<token>/check", methods=["POST"])
@shop_limit
def shop_check(token: str) -> Any:
    link = services.usable_link(links.secret_keys(), token)
    if link is None:
        return _not_found()
    period = period_of(utcnow())
    questions = queries.check_questions(queries.shop_pack(period))
    if not questions:
        return redirect(url_for("outreach.shop_page", token=token))
    result = services.record_check(link, period, questions, _answers())
    if result.passed:
        flash(_("测验通过：答对 %(right)d / %(total)d 题。", right=result.right, total=result.total), "success")
    else:
        flash(_("答对 %(right)d / %(total)d 题，未通过（需全部答对或达到 %(pass)d%%）。请再看一遍课程后重试。",
                right=result.right, total=result.total, **{"pass": int(rules.PASS_PERCENT)}), "warning")
    return redirect(url_for("outreach.shop_page", token=token) + "#check")


@bp.route("/s/<token>/confirm", methods=["POST"])
@shop_limit
def shop_confirm(token: str) -> Any:
    link = services.usable_link(links.secret_keys(), token)
    if link is None:
        return _not_found()
    try:
        services.confirm_read(link, period_of(utcnow()), name=request.form.get("staff_name"),
                              phone=request.form.get("staff_phone"))
    except ValidationFailed as exc:
        return _page(link, token, problems=[_(problem) for problem in exc.problems or [exc.message]], status=422)
    flash(_("已确认学习，谢谢！"), "success")
    return redirect(url_for("outreach.shop_page", token=token) + "#confirm")
