"""Training sessions for shops: the manager's pages (their sessions, schedule, edit, cancel, each session's QR code
and attendance per shop; supervisors and administrators read their scope's) and the no-password check-in page a
shop's staff member opens by scanning the session's QR code (``/t/<token>``)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import roles_required
from lms.core.clock import SHANGHAI, period_of, utcnow
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.core.i18n import N_
from lms.extensions import limiter
from lms.outreach import links, manager_views, queries, session_queries, session_rules, shop_memory
from lms.outreach import session_services as services
from lms.outreach.blueprint import bp
from lms.outreach.session_models import ShopSession

VIEWERS = ("manager", "supervisor", "admin")


def _settings() -> session_rules.WindowSettings:
    return session_rules.WindowSettings.from_settings(current_app.config)


def _session_limit() -> str:
    return str(current_app.config["LMS_SHOP_SESSION_LIMIT"])


# One budget per address for the check-in page, its own (a room of phones on one Wi-Fi shares an address).
session_limit = limiter.shared_limit(_session_limit, scope="shop-session")


def _session_or_404(session_id: int) -> ShopSession:
    session = session_queries.session_for(current_user, session_id)
    if session is None:
        abort(404)
    return session


def checkin_address(session: ShopSession) -> str:
    """The address the QR code holds: under LMS_BASE_URL when set, else the address this request came to."""
    token = session_rules.make_token(links.secret_keys(), session.id, session.nonce)
    base = str(current_app.config.get("LMS_BASE_URL") or "").strip().rstrip("/")
    path = url_for("outreach.session_checkin", token=token)
    return f"{base}{path}" if base else url_for("outreach.session_checkin", token=token, _external=True)


# --- the manager's pages ----------------------------------------------------------------------------------------


@bp.route("/outreach/sessions")
@roles_required(*VIEWERS)
def sessions() -> Any:
    lists = session_queries.sessions_for(current_user, utcnow())
    return render_template("outreach/sessions.html", lists=lists, can_schedule=current_user.role == "manager",
                           attended=session_queries.attended_shop_counts(lists.upcoming + lists.past),
                           past_shown=session_queries.PAST_SHOWN)


def _ids(name: str) -> tuple[int, ...]:
    """The chosen ids of a checkbox group (anything not a plausible id is dropped: the service checks the rest)."""
    return tuple(int(value) for value in request.form.getlist(name)[:500] if value.isdigit() and len(value) < 10)


def _draft() -> session_rules.SessionDraft:
    times = session_rules.local_times(request.form.get("day"), request.form.get("starts"), request.form.get("ends"),
                                      SHANGHAI)
    if times is None:
        raise ValidationFailed(N_("培训安排有误，未保存"), [N_("请填写日期和开始、结束时间")])
    return session_rules.SessionDraft(title=request.form.get("title", ""), kind=request.form.get("kind", ""),
                                      place=request.form.get("place", ""), starts_at=times[0], ends_at=times[1],
                                      shop_ids=_ids("shops"), lesson_ids=_ids("lessons"))


def _form_page(session: ShopSession | None, problems: list[str], status: int) -> Any:
    """The schedule / edit form: the manager's open shops and this month's shop pack (plus what the session already
    has), the typed values kept after a refusal."""
    shops = session_queries.invitable_shops(current_user)
    lessons = [item.lesson for item in queries.shop_pack(period_of(utcnow()))]
    if session is not None:
        shops += [shop for shop in session.shops if shop not in shops]
        lessons += [lesson for lesson in session.lessons if lesson not in lessons]
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in ("title", "kind", "place", "day", "starts", "ends")}
        chosen_shops, chosen_lessons = set(_ids("shops")), set(_ids("lessons"))
    elif session is not None:
        values = {"title": session.title, "kind": session.kind, "place": session.place,
                  "day": session.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                  "starts": session.starts_at.astimezone(SHANGHAI).strftime("%H:%M"),
                  "ends": session.ends_at.astimezone(SHANGHAI).strftime("%H:%M")}
        chosen_shops, chosen_lessons = {s.id for s in session.shops}, {lesson.id for lesson in session.lessons}
    else:
        values = {"kind": session_rules.AREA, "day": utcnow().astimezone(SHANGHAI).strftime("%Y-%m-%d")}
        chosen_shops, chosen_lessons = set(), set()
    return render_template("outreach/session_form.html", session=session, shops=shops, lessons=lessons,
                           values=values, chosen_shops=chosen_shops, chosen_lessons=chosen_lessons,
                           kinds=session_rules.KINDS, problems=problems, settings=_settings()), status


@bp.route("/outreach/sessions/new", methods=["GET", "POST"])
@roles_required("manager")
def session_new() -> Any:
    if request.method == "GET":
        return _form_page(None, [], 200)
    try:
        session = services.schedule_session(current_user, _draft())
    except ValidationFailed as exc:
        return _form_page(None, [_(problem) for problem in exc.problems or [exc.message]], 422)
    flash(_("培训已安排，已邀请 %(n)d 个门店。请在培训现场出示签到二维码。", n=len(session.invitations)), "success")
    return redirect(url_for("outreach.session_detail", shop_session_id=session.id))


@bp.route("/outreach/sessions/<int:shop_session_id>")
@roles_required(*VIEWERS)
def session_detail(shop_session_id: int) -> Any:
    session = _session_or_404(shop_session_id)
    now = utcnow()
    manage = session_queries.can_manage(current_user, session)
    window = services.window_of(session, _settings())
    state = session_rules.checkin_state(now, window, session.cancelled_at)
    qr = None
    if manage and state in (session_rules.NOT_YET, session_rules.OPEN):
        address = checkin_address(session)
        qr = {"address": address, "svg": manager_views._qr_svg(address, _("%(title)s 的签到二维码",
                                                                            title=session.title))}
    rows = session_queries.attendance(session, current_user)
    return render_template("outreach/session_detail.html", session=session, rows=rows, manage=manage, qr=qr,
                           window=window, state=state,
                           changeable=manage and session_rules.can_change(now, session.starts_at,
                                                                          session.cancelled_at),
                           invited=sum(1 for row in rows if row.invited),
                           attended=sum(1 for row in rows if row.invited and row.attended),
                           walk_ins=sum(1 for row in rows if not row.invited),
                           people=sum(len(row.checkins) for row in rows))


def _own_or_404(shop_session_id: int) -> ShopSession:
    session = _session_or_404(shop_session_id)
    if not session_queries.can_manage(current_user, session):
        abort(404)
    return session


@bp.route("/outreach/sessions/<int:shop_session_id>/edit", methods=["GET", "POST"])
@roles_required("manager")
def session_edit(shop_session_id: int) -> Any:
    session = _own_or_404(shop_session_id)
    detail = url_for("outreach.session_detail", shop_session_id=session.id)
    if not session_rules.can_change(utcnow(), session.starts_at, session.cancelled_at):
        flash(_("培训已开始或已取消，不能再修改"), "warning")
        return redirect(detail)
    if request.method == "GET":
        return _form_page(session, [], 200)
    try:
        services.edit_session(session.id, current_user, _draft())
    except ValidationFailed as exc:  # refused before anything was changed
        return _form_page(session, [_(problem) for problem in exc.problems or [exc.message]], 422)
    except Conflict as exc:
        flash(_(exc.message), "warning")
        return redirect(detail)
    flash(_("培训安排已修改，签到二维码不变。"), "success")
    return redirect(detail)


@bp.route("/outreach/sessions/<int:shop_session_id>/cancel", methods=["POST"])
@roles_required("manager")
def session_cancel(shop_session_id: int) -> Any:
    session = _own_or_404(shop_session_id)
    detail = url_for("outreach.session_detail", shop_session_id=session.id)
    try:
        services.cancel_session(session.id, current_user, request.form.get("reason"))
    except ValidationFailed as exc:
        for problem in exc.problems or [exc.message]:
            flash(_(problem), "error")
        return redirect(detail + "#cancel")
    except (Conflict, NotFound) as exc:
        flash(_(exc.message), "warning")
        return redirect(detail)
    flash(_("培训已取消，签到二维码已失效。"), "success")
    return redirect(detail)


@bp.route("/outreach/sessions/<int:shop_session_id>/checkins/<int:checkin_id>/remove", methods=["POST"])
@roles_required("manager")
def session_checkin_remove(shop_session_id: int, checkin_id: int) -> Any:
    session = _own_or_404(shop_session_id)
    try:
        removed = services.remove_checkin(session.id, checkin_id, current_user)
    except NotFound as exc:
        flash(_(exc.message), "warning")
    else:
        flash(_("已撤销“%(shop)s”%(name)s 的签到。", shop=removed.shop.name, name=removed.staff_name), "success")
    return redirect(url_for("outreach.session_detail", shop_session_id=session.id) + "#attendance")


# --- the check-in page (no password) ----------------------------------------------------------------------------


def _checkin_page(session: ShopSession, token: str, *, state: str, problems: list[str] | None = None,
                  status: int = 200) -> Any:
    window = services.window_of(session, _settings())
    remembered = shop_memory.remembered_shop_id()
    shops = [shop for shop in session.shops if shop.active]
    walk_in = None
    if remembered is not None and remembered not in {shop.id for shop in shops}:
        walk_in = session_queries.walk_in_shop(session, shop_id=remembered)
    chosen = request.form.get("shop") if request.method == "POST" else None
    if chosen is None:
        if remembered is not None and (remembered in {shop.id for shop in shops} or walk_in is not None):
            chosen = str(remembered)
        elif len(shops) == 1 and walk_in is None:
            chosen = str(shops[0].id)
    return render_template("outreach/session_checkin.html", session=session, token=token, state=state,
                           window=window, shops=shops, walk_in=walk_in, chosen=chosen or "",
                           problems=problems or [], settings=_settings()), status


@bp.route("/t/<token>", methods=["GET", "POST"])
@session_limit
def session_checkin(token: str) -> Any:
    session = session_queries.session_for_token(links.secret_keys(), token)
    if session is None:
        return render_template("outreach/session_not_found.html"), 404
    settings = _settings()
    state = session_rules.checkin_state(utcnow(), services.window_of(session, settings), session.cancelled_at)
    if request.method == "GET":
        return _checkin_page(session, token, state=state)
    choice = request.form.get("shop", "")
    shop_id = int(choice) if choice.isdigit() and len(choice) < 10 else None
    try:
        checkin = services.check_in(session, shop_id=shop_id,
                                    shop_code=request.form.get("shop_code") if shop_id is None else None,
                                    name=request.form.get("staff_name"), phone=request.form.get("staff_phone"),
                                    settings=settings)
    except services.CheckinRefused as exc:
        return _checkin_page(session, token, state=exc.state, status=409)
    except ValidationFailed as exc:
        return _checkin_page(session, token, state=state, status=422,
                             problems=[_(problem) for problem in exc.problems or [exc.message]])
    shop_memory.remember_shop(checkin.shop_id)
    flash(_("签到成功：%(shop)s，%(name)s，%(at)s。", shop=checkin.shop.name, name=checkin.staff_name,
            at=checkin.checked_in_at.astimezone(SHANGHAI).strftime("%H:%M")), "success")
    return redirect(url_for("outreach.session_checkin", token=token))
