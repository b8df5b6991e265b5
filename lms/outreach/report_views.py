"""The shop reports a problem from its own page (反映问题): one POST under the shop's token, throttled with the page
and on its own; the use case is ``reports.report_problem``. A problem with the form re-shows the page (422) with
what to fix; the same report sent again is not stored twice, and the shop is told it was already received."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.core.errors import ValidationFailed
from lms.courses import media
from lms.extensions import limiter
from lms.field import photos, visit_rules
from lms.outreach import links, report_rules, reports, services, shop_views
from lms.outreach.blueprint import bp

# Texts lms.outreach.report_rules (pure: no gettext) and the message kinds keep in Chinese, translated where the
# page shows them: named here for the English catalog.
REPORT_LABELS = (
    _l("门店反映"), _l("佣金、补贴没到账或金额有争议"), _l("社会渠道工号、终端订货系统，例如“B2B 不会订货”"),
    _l("送修手机一周没有答复等"), _l("请选择问题类别"), _l("请写明遇到的问题"), _l("问题描述最多 500 个字"),
    _l("请填写反映人的姓名（最多 50 个字）"),
)


def _report_limit() -> str:
    return str(current_app.config["LMS_SHOP_REPORT_LIMIT"])


def _form() -> reports.ReportForm:
    files = [f for f in request.files.getlist("photos") if f.filename][:report_rules.MAX_PHOTOS + 1]
    return reports.ReportForm(
        category=request.form.get("category"), text=request.form.get("description"),
        name=request.form.get("reporter_name"), phone=request.form.get("reporter_phone"),
        photos=[reports.Photo(f.read(), f.filename or "") for f in files], form_key=request.form.get("report_key"))


@bp.route("/s/<token>/report", methods=["POST"])
@shop_views.shop_limit
@limiter.limit(_report_limit, scope="shop-report")
def shop_report(token: str) -> Any:
    link = services.usable_link(links.secret_keys(), token)
    if link is None:
        return shop_views._not_found()
    try:
        result = reports.report_problem(
            link, _form(), photo_root=photos.shop_report_root(),
            limits=media.MediaLimits.from_settings(current_app.config),
            settings=visit_rules.TicketSettings.from_settings(current_app.config),
            per_day=int(current_app.config["LMS_SHOP_REPORTS_PER_DAY"]))
    except ValidationFailed as exc:
        return shop_views._page(link, token, status=422,
                                report_problems=[_(problem) for problem in exc.problems or [exc.message]])
    if result.repeated:
        flash(_("这个问题已经收到（工单 #%(id)d），不用重复提交。", id=result.ticket.id), "info")
    else:
        flash(_("已收到您反映的问题（工单 #%(id)d），处理后答复会显示在本页。", id=result.ticket.id), "success")
    return redirect(url_for("outreach.shop_page", token=token) + "#reports")
