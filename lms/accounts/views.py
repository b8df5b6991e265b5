"""Sign-in, sign-out, password change and language choice. The administrator's people pages are in
``lms.accounts.admin_views``, on the same blueprint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
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
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.forms import ChangePasswordForm, LoginForm
from lms.accounts.models import User
from lms.core.errors import ValidationFailed
from lms.core.i18n import LANG_COOKIE, available
from lms.extensions import client_address, db, limiter, login_manager

bp = Blueprint("accounts", __name__)

# Labels that accounts/rules.py keep in Chinese and templates translate where they show them
# (``_(current_user.role_label)``): naming them here puts them in the English catalog. tests/core/test_i18n.py
# fails when one is missing.
RULE_LABELS = (
    _l("渠道经理"), _l("培训师"), _l("主管"), _l("管理员"),
)

login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
# "basic", not "strong": a phone's address changes whenever it moves between cells or from Wi-Fi to mobile data,
# and "strong" deleted the whole session when address or browser changed — a channel manager was signed out in
# the middle of the monthly test and the page's queued answers were refused (401). "basic" keeps the session and
# only marks it no longer fresh. A stolen cookie is bounded by the 12-hour lifetime and ended by a password
# change or deactivation (both rotate the per-person session token).
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == session_token))


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
            login_user(user)
            return redirect(target or url_for("home.index"))
        form.password.errors.append(_("工号或密码错误"))
    return render_template("accounts/login.html", form=form), (200 if request.method == "GET" else 401)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
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
            form.current.errors.append(exc.message)
        else:
            login_user(current_user._get_current_object())  # the token rotated; keep this session signed in
            flash(_("密码已修改。"), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form)


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
        from lms.api.blueprint import error

        return error(401, "unauthorized", "需要登录或 API 令牌")
    flash(_("请先登录。"), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


# The administrator's pages register on ``bp``; imported last, once ``bp`` exists.
from lms.accounts import admin_views  # noqa: E402,F401
