"""Sign-in, sign-out, password change and language choice. The administrator's people pages are in
``lms.accounts.admin_views``, on the same blueprint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import (
    admin_views,  # noqa: F401 - registers the administrator's people pages on bp
    rules,
    services,
    sessions,
)
from lms.accounts.access import roles_required
from lms.accounts.blueprint import bp
from lms.accounts.forms import ChangePasswordForm, LoginForm
from lms.accounts.models import User
from lms.api.blueprint import error
from lms.core.errors import NotFound, ValidationFailed
from lms.core.i18n import LANG_COOKIE, available
from lms.extensions import client_address, db, limiter, login_manager

# Labels that accounts/rules.py keep in Chinese and templates translate where they show them
# (``_(current_user.role_label)``): naming them here puts them in the English catalog. tests/core/test_i18n.py
# fails when one is missing.
RULE_LABELS = (
    _l("渠道经理"), _l("培训师"), _l("主管"), _l("管理员"),
)
# The password policy's reasons (lms.accounts.passwords.REASONS), shown translated under the field; spelled out
# for the catalogue's extraction (tests/accounts/test_passwords.py checks they are the same).
PASSWORD_REASONS = (
    _l("新密码至少需要8个字符"), _l("新密码不能超过200个字符"), _l("新密码是常见或已泄露的密码，请换一个"),
    _l("新密码太容易猜到（重复或连续的字符、键盘上相邻的键、常见单词加年份等），请换一个更长、更少见的"),
    _l("新密码不能包含您的工号"), _l("新密码不能包含您的姓名"), _l("新密码不能与当前密码相同"),
    _l("新密码不符合要求"), _l("当前密码不正确"),
)

login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
# "basic", not "strong": a phone's address changes whenever it moves between cells or from Wi-Fi to mobile data,
# and "strong" deleted the whole session when address or browser changed — a channel manager was signed out in
# the middle of the monthly test and the page's queued answers were refused (401). "basic" keeps the session and
# only marks it no longer fresh. A stolen cookie is bounded by the 12-hour lifetime and ends with its session
# row: at sign-out, from another device of the person's or an administrator's page, at a password change or
# deactivation (lms.accounts.sessions).
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(secret: str) -> User | None:
    return sessions.load(secret)


def _login_key() -> str:
    # Per employee number *and* address: people sharing a carrier's NAT address are not locked out together.
    return f"login:{request.form.get('employee_no', '').strip()[:32]}|{client_address()}"


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LMS_LOGIN_LIMIT_PER_USER"], key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
@limiter.limit(lambda: current_app.config["LMS_LOGIN_LIMIT_PER_IP"], methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.employee_no.data or "", form.password.data or "")
        if user is not None:
            target = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session at sign-in: nothing from before carries over (fixation)
            sessions.start(user, address=client_address(), user_agent=request.headers.get("User-Agent", ""))
            login_user(user)
            return redirect(target or url_for("home.index"))
        form.password.errors.append(_("工号或密码错误"))
    return render_template("accounts/login.html", form=form), (200 if request.method == "GET" else 401)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated:
        sessions.end_current(current_user)
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data or "", form.new.data or "")
        except ValidationFailed as exc:
            if exc.problems:  # the new password's every problem, under the new password
                form.new.errors.extend(_(problem) for problem in exc.problems)
            else:
                form.current.errors.append(_(exc.message))
        else:
            flash(_("密码已修改，您在其他设备上的登录已退出。"), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form, forced=current_user.must_change_password)


# Where a person with a temporary password may go before choosing their own: the password form itself, signing
# out, the language switch, static files. Everything else leads to the password form.
_OPEN_WHILE_TEMPORARY = {"accounts.change_password", "accounts.logout", "accounts.set_language", "static"}


@bp.before_app_request
def _temporary_password_first() -> Any:
    if (request.endpoint in _OPEN_WHILE_TEMPORARY or request.path.startswith("/api/")
            or not current_user.is_authenticated or not current_user.must_change_password):
        return None  # the API answers for itself (lms.api.blueprint)
    flash(_("您正在使用管理员设置的临时密码，请先设置自己的密码。"), "warning")
    return redirect(url_for("accounts.change_password"))


@bp.route("/account/sessions")
@login_required
def my_sessions() -> Any:
    rows = sorted(sessions.active_sessions(current_user.id), key=lambda row: row.id != current_user.session_row_id)
    return render_template("accounts/sessions.html", rows=rows,  # this device first, then the most recent
                           current_id=current_user.session_row_id, person=current_user, admin_view=False)


@bp.route("/account/sessions/<int:row_id>/end", methods=["POST"])
@login_required
def end_my_session(row_id: int) -> Any:
    if row_id == current_user.session_row_id:
        flash(_("要退出本设备，请使用“退出登录”。"), "warning")
        return redirect(url_for("accounts.my_sessions"))
    try:
        sessions.end_session(current_user.id, row_id, actor=current_user)
    except NotFound:
        flash(_("该登录会话已结束或不存在。"), "info")
    else:
        flash(_("已退出该设备。"), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    ended = sessions.end_other_sessions(current_user)
    flash(_("已退出其他 %(count)d 台设备。", count=ended) if ended else _("没有其他设备登录。"), "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.route("/admin/users/<int:user_id>/sessions")
@roles_required(rules.ADMIN)
def person_sessions(user_id: int) -> Any:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return render_template("accounts/sessions.html", rows=sessions.active_sessions(person.id),
                           current_id=current_user.session_row_id, person=person, admin_view=True)


@bp.route("/admin/users/<int:user_id>/sessions/<int:row_id>/end", methods=["POST"])
@roles_required(rules.ADMIN)
def end_person_session(user_id: int, row_id: int) -> Any:
    if db.session.get(User, user_id) is None:
        abort(404)
    try:
        sessions.end_session(user_id, row_id, actor=current_user)
    except NotFound:
        flash(_("该登录会话已结束或不存在。"), "info")
    else:
        flash(_("已结束该登录会话。"), "success")
    return redirect(url_for("accounts.person_sessions", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/sessions/end-all", methods=["POST"])
@roles_required(rules.ADMIN)
def end_person_sessions(user_id: int) -> Any:
    ended = sessions.end_all_for(user_id, actor=current_user)
    flash(_("已结束 %(count)d 个登录会话。", count=ended), "success")
    return redirect(url_for("accounts.person_sessions", user_id=user_id))


@bp.route("/lang/<code>")
def set_language(code: str) -> Any:
    target = _safe_next(request.args.get("next")) or url_for("home.index")
    response = make_response(redirect(target))
    if code in available():
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        return error(401, "unauthorized", "需要登录或 API 令牌")
    flash(_("请先登录。"), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

