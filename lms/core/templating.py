"""Template filters, the navigation by role, error pages and the sign-in hook-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.core.clock import to_local
from lms.core.errors import DomainError
from lms.core.i18n import N_, available, select_locale

# (endpoint, label, roles). Endpoints that are not registered (a domain not installed) are skipped.
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("home.index", N_("首页"), ("manager", "trainer", "supervisor", "admin")),
    ("courses.catalogue", N_("课程"), ("manager", "trainer", "supervisor", "admin")),
    ("quizzes.index", N_("考试"), ("manager", "trainer", "supervisor", "admin")),
    ("field.checkin", N_("签到"), ("manager",)),
    ("certificates.mine", N_("我的证书"), ("manager",)),
    ("field.shops_list", N_("我的渠道"), ("manager",)),
    ("field.shops_list", N_("渠道管理"), ("supervisor", "admin")),
    ("certificates.index", N_("证书管理"), ("supervisor", "trainer", "admin")),
    ("reports.supervisor_home", N_("考核看板"), ("supervisor", "admin")),
    ("field.checkin_board", N_("签到统计"), ("supervisor",)),
    ("reports.trainer_home", N_("培训分析"), ("trainer", "admin")),
    ("assessment.periods", N_("月度考核"), ("supervisor", "admin", "trainer")),
    ("assessment.appeals_queue", N_("申诉处理"), ("supervisor", "admin")),
    ("field.visit_list", N_("门店拜访"), ("manager",)),
    ("field.ticket_list", N_("门店工单"), ("supervisor", "admin")),
    ("field.r3_queue", N_("拜访扣分"), ("supervisor", "admin")),
    ("field.visit_compliance", N_("拜访达标"), ("supervisor", "admin")),
    ("field.checklist", N_("拜访检查表"), ("trainer", "admin")),
    ("field.daily_today", N_("今日工作"), ("manager",)),
    ("field.daily_board", N_("工作日报"), ("supervisor", "admin")),
    ("outreach.manager_home", N_("门店学习"), ("manager", "supervisor", "admin")),
    ("outreach.coverage", N_("门店学习覆盖"), ("supervisor", "admin")),
    ("announcements.inbox", N_("通知"), ("manager", "trainer", "supervisor", "admin")),
    ("accounts.admin_users", N_("人员管理"), ("admin",)),
    ("org.tree", N_("组织架构"), ("admin",)),
    ("assessment.policy", N_("考核规则"), ("admin",)),
    ("audit.search", N_("审计日志"), ("admin",)),
    ("announcements.robots", N_("群机器人"), ("admin",)),
    ("announcements.outbox", N_("发送记录"), ("admin",)),
]
# Menu groups (disclosures), so the menu stays one line on a desktop in either language for every role.
# The administrator's own pages form "管理"; a supervisor's, trainer's or administrator's pages about the field day
# form "外勤". A manager's field pages stay in the menu itself: they are the manager's working day.
ADMIN_GROUP = frozenset({"accounts.admin_users", "org.tree", "assessment.policy", "audit.search",
                         "announcements.robots", "announcements.outbox"})
# Pages a supervisor finds in the menu itself, and an administrator in the 管理 group (the admin menu is longer).
ADMIN_GROUP_FOR_ADMINS = frozenset({"assessment.appeals_queue"})
FIELD_GROUP = frozenset({"field.shops_list", "field.checkin_board", "field.ticket_list", "field.r3_queue",
                         "field.checklist", "field.daily_board", "field.visit_compliance",
                         "outreach.manager_home", "outreach.coverage"})
MENU_GROUPS: list[tuple[str, str]] = [("field", N_("外勤")), ("admin", N_("管理"))]


def _group(endpoint: str, role: str) -> str | None:
    if endpoint in ADMIN_GROUP or (role == "admin" and endpoint in ADMIN_GROUP_FOR_ADMINS):
        return "admin"
    if endpoint in FIELD_GROUP and role != "manager":
        return "field"
    return None


# endpoint -> badge provider: ``provider(user)`` returns what the navigation item shows (e.g. an unread count);
# a falsy value shows nothing. Domains register in their setup.init_app; a failing provider never breaks a page.
BADGES: dict[str, Callable[[Any], int | str | None]] = {}


def register_badge(endpoint: str, provider: Callable[[Any], int | str | None]) -> None:
    BADGES[endpoint] = provider


def _badge(endpoint: str) -> int | str | None:
    provider = BADGES.get(endpoint)
    if provider is None:
        return None
    try:
        return provider(current_user)
    except Exception:  # a badge is decoration: log it, show the page
        current_app.logger.exception("badge provider for %s failed", endpoint)
        return None


def local_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def format_number(value: float | int | Decimal | None, places: int = 2) -> str:
    """A number as people write it: 80.0 → "80", 92.50 → "92.5", 6.666… → "6.67" (half up), None → ""."""
    if value is None:
        return ""
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(exact, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def navigation() -> list[dict[str, str]]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    items = []
    for endpoint, label, roles in NAVIGATION:
        if endpoint in endpoints and current_user.role in roles:
            item = {"endpoint": endpoint, "label": _(label)}
            group = _group(endpoint, current_user.role)
            if group:
                item["group"] = group
            badge = _badge(endpoint)
            if badge:
                item["badge"] = str(badge)
            items.append(item)
    return items


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_page(status: int, title: str, message: str, code: str | None = None) -> Any:
    if _wants_json():
        code = code or {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                        405: "method_not_allowed", 409: "conflict", 413: "too_large",
                        429: "too_many_requests"}.get(status, "error")
        return jsonify(error={"code": code, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


ERROR_TEXT = {
    400: (N_("请求有误"), N_("请求无法处理，请返回重试。")),
    403: (N_("没有权限"), N_("您没有权限访问此页面。如有疑问请联系您的主管或管理员。")),
    404: (N_("页面不存在"), N_("您访问的页面不存在或已被移除。")),
    405: (N_("不支持的操作"), N_("此页面不支持该操作。")),
    413: (N_("文件过大"), N_("上传的文件超过了大小上限。")),
    429: (N_("操作过于频繁"), N_("尝试次数过多，请稍后再试。")),
    500: (N_("系统错误"), N_("系统出现了问题，我们已记录。请稍后再试。")),
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["menu_groups"] = MENU_GROUPS

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"company_name": app.config["LMS_COMPANY_NAME"], "languages": available(),
                "current_locale": select_locale() if request else None}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        title, message = ERROR_TEXT.get(status, (exc.name, exc.description or ""))
        code = None
        if status == 429:
            message = _("尝试次数过多，请稍后再试（%(limit)s）。", limit=exc.description)
        elif isinstance(exc, CSRFError):
            message, code = _("页面已过期或表单无效，请刷新页面后重试。"), "csrf_failed"
        return _error_page(status, _(title), _(message), code)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Any:
        if _wants_json():
            return jsonify(error={"code": exc.code, "message": exc.message}), exc.status
        return render_template("errors/error.html", status=exc.status, title=_("无法完成操作"),
                               message=exc.message), exc.status

    @app.errorhandler(500)
    def _server_error(_exc: Exception) -> Any:
        title, message = ERROR_TEXT[500]
        return _error_page(500, _(title), _(message))
