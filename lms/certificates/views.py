"""Certificate pages: the public check, a manager's own certificates, downloads, the staff list, revocation."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services as accounts
from lms.accounts.access import roles_required
from lms.accounts.models import User
from lms.certificates import rules, services
from lms.certificates.forms import RevokeForm
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db, limiter, login_manager

bp = Blueprint("certificates", __name__, url_prefix="/certificates")


def _verify_limit() -> str:
    return str(current_app.config["LMS_CERT_VERIFY_LIMIT"])


# One budget per address for every way of checking a code (page, form, API), so guessing cannot spread across them.
verify_limit = limiter.shared_limit(_verify_limit, scope="certificate-verify")


@bp.route("/verify")
@verify_limit
def verify_form() -> Any:
    """Type the code printed on a certificate (for those who hold the paper, not a phone camera)."""
    typed = request.args.get("code", "").strip()
    if typed:
        code = rules.normalise_code(typed)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
        flash(_("证书编号格式不正确，应为 16 位字母数字，例如 7KQM-4XTP-R9ZD-HC2W。"), "error")
    return render_template("certificates/verify_form.html", typed=typed)


@bp.route("/verify/<code>")
@verify_limit
def verify(code: str) -> Any:
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("certificates/not_found.html", code=code), 404
    if certificate.code != code:  # typed in lower case or without dashes: show the canonical address
        return redirect(url_for("certificates.verify", code=certificate.code))
    return render_template("certificates/verify.html", certificate=certificate)


@bp.route("/")
@roles_required()
def mine() -> Any:
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user))


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _json_error(status: int, code: str, message: str) -> Any:
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.route("/<code>.pdf")
def download(code: str) -> Any:
    """The PDF, for its holder, a supervisor whose unit covers the holder, trainers and admins (anyone else: 404).

    A page signs in with its session; an API client with its bearer token, at the same address the API gives as
    ``pdf_url`` (answers to a token are JSON, as on the API)."""
    token = _bearer_token()
    if token is None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        viewer = current_user
    else:
        user_id = accounts.token_owner(token, db.session.connection())
        if user_id is None:
            return _json_error(401, "unauthorized", "API 令牌缺失或无效")
        viewer = db.session.get(User, user_id)
    try:
        certificate = services.downloadable(viewer, code)
    except NotFound as exc:
        if token is None:
            raise  # the page's 404
        return _json_error(404, exc.code, exc.message)
    # Read whole (≤ 40 KB): no open file outlives the request, and a cache clean-up cannot cut a download short.
    pdf = services.pdf_for(certificate).path.read_bytes()
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", max_age=0,
                         download_name=services.download_name(certificate),
                         as_attachment=request.args.get("inline") != "1")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/manage")
@roles_required("supervisor", "trainer", "admin")
def index() -> Any:
    periods = services.periods_with_certificates(current_user)
    period = request.args.get("period", "").strip()
    if period and not rules.PERIOD_RE.match(period):
        period = ""
    search = request.args.get("q", "").strip()[:50]
    certificates = services.visible_certificates(current_user, period=period or None, search=search)
    return render_template("certificates/index.html", certificates=certificates, periods=periods,
                           period=period, search=search)


@bp.route("/period/<period>.zip")
@roles_required("supervisor", "trainer", "admin")
def period_zip(period: str) -> Any:
    if not rules.PERIOD_RE.match(period):
        abort(404)
    data, count = services.period_zip(current_user, period)
    unit = current_user.unit_label.replace(" / ", "-")
    name = f"证书-{period}-{unit}.zip"
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f"attachment; filename=certificates-{period}.zip; " \
                                              f"filename*=UTF-8''{quote(name)}"
    response.headers["X-Certificate-Count"] = str(count)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<code>/revoke", methods=["GET", "POST"])
@roles_required("admin")
def revoke(code: str) -> Any:
    certificate = services.find_by_code(code)
    if certificate is None:
        raise NotFound(_("证书不存在"))
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(certificate.code, by=current_user, reason=form.reason.data or "")
        except (ValidationFailed, Conflict) as exc:
            flash(exc.message, "error")
        else:
            flash(_("证书 %(code)s 已撤销。", code=certificate.code), "success")
            return redirect(url_for("certificates.index", q=certificate.code))
    return render_template("certificates/revoke.html", certificate=certificate, form=form)
