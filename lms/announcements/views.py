"""Pages: the inbox, publishing and read receipts, lesson receipts, and the administrator's outbox and robots."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import roles_required
from lms.announcements import delivery, nudges, queries, rules, services
from lms.announcements import inbox as inbox_service  # aliased: the views inbox, outbox, robots own those names
from lms.announcements import outbox as outbox_service
from lms.announcements import robots as robots_service
from lms.announcements.forms import AnnouncementForm, ContactForm, RobotForm
from lms.announcements.payloads import CHANNEL_LABELS
from lms.core import numbers
from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.core.markdown import render_markdown
from lms.courses import pack_queries
from lms.courses import rules as course_rules

bp = Blueprint("announcements", __name__)

# Labels that announcements/rules.py and payloads.py keep in Chinese and templates translate where they show them
# (``_(announcement.kind_label)``): naming them here puts them in the English catalog. tests/core/test_i18n.py
# fails when one is missing.
RULE_LABELS = (
    _l("通知"), _l("新政策"), _l("重点工作"), _l("课程变更"), _l("全体人员"), _l("县区"), _l("网格"), _l("指定人员"),
    _l("未读"), _l("已读未确认"), _l("已确认"), _l("考试开放"), _l("考试即将截止"), _l("补考"), _l("新课程"),
    _l("考核记录"), _l("催阅提醒"), _l("待发送"), _l("发送中"), _l("已发送"), _l("发送失败"), _l("已取消"),
    _l("企业微信群机器人"), _l("钉钉群机器人"), _l("通用 JSON Webhook"), _l("电子邮件"),
)

SIGNED_IN = ("manager", "trainer", "supervisor", "admin")
PUBLISHERS = ("trainer", "supervisor", "admin")


def _page() -> int:
    return numbers.page_number()


# --- the inbox ----------------------------------------------------------------------------------------------------


@bp.route("/inbox")
@roles_required(*SIGNED_IN)
def inbox() -> Any:
    unread_only = request.args.get("show") == "unread"
    pagination = queries.inbox(current_user, unread_only=unread_only, page=_page())
    return render_template("announcements/inbox.html", pagination=pagination, unread_only=unread_only,
                           unread=queries.unread_count(current_user),
                           can_publish=services.can_publish(current_user))


@bp.route("/inbox/<int:message_id>")
@roles_required(*SIGNED_IN)
def message(message_id: int) -> Any:
    item = inbox_service.open_message(current_user, message_id)
    announcement = item.announcement
    body = item.body
    if announcement is not None and announcement.is_withdrawn:
        body = ""
    return render_template("announcements/message.html", item=item, announcement=announcement,
                           body_html=render_markdown(body) if body else "",
                           quiz_link=queries.quiz_link_for(announcement.quiz_id) if announcement else "",
                           can_manage=announcement is not None and services.can_publish(current_user))


@bp.route("/inbox/<int:message_id>/ack", methods=["POST"])
@roles_required(*SIGNED_IN)
def acknowledge(message_id: int) -> Any:
    inbox_service.acknowledge(current_user, message_id)
    flash(_("已确认阅读。"), "success")
    return redirect(url_for("announcements.message", message_id=message_id))


@bp.route("/inbox/read-all", methods=["POST"])
@roles_required(*SIGNED_IN)
def read_all() -> Any:
    count = inbox_service.mark_all_read(current_user)
    flash(_("已将 %(n)s 条消息标为已读。", n=count), "success")
    return redirect(url_for("announcements.inbox"))


@bp.route("/inbox/settings", methods=["GET", "POST"])
@roles_required(*SIGNED_IN)
def settings() -> Any:
    setting = queries.contact_setting(current_user)
    form = ContactForm(obj=setting)
    if form.validate_on_submit():
        try:
            inbox_service.save_contact_setting(current_user, email=form.email.data or "",
                                               email_enabled=bool(form.email_enabled.data))
        except ValidationFailed as exc:
            form.email.errors = [*form.email.errors, *exc.problems]
        else:
            flash(_("提醒设置已保存。"), "success")
            return redirect(url_for("announcements.settings"))
    return render_template("announcements/settings.html", form=form, smtp=delivery.smtp_configured())


# --- announcements ------------------------------------------------------------------------------------------------


@bp.route("/announcements/<int:announcement_id>")
@roles_required(*SIGNED_IN)
def announcement_page(announcement_id: int) -> Any:
    """The link in e-mails, robots and nudges: a recipient opens their own copy; staff see the receipts."""
    try:
        item = inbox_service.announcement_message(current_user, announcement_id)
    except DomainError:
        if not services.can_publish(current_user):
            abort(404)
        return redirect(url_for("announcements.receipts", announcement_id=announcement_id))
    return redirect(url_for("announcements.message", message_id=item.id))


@bp.route("/announcements")
@roles_required(*PUBLISHERS)
def manage() -> Any:
    pagination, rows = queries.list_announcements(current_user, page=_page())
    return render_template("announcements/manage.html", pagination=pagination, rows=rows)


def _audience_choices() -> list[SelectChoice]:
    counties, grids = queries.units_for_publisher(current_user)
    choices: list[SelectChoice] = []
    if current_user.scope.kind == "all":
        choices.append(SelectChoice("all", _("全体人员")))
    choices += [SelectChoice(f"county:{c.id}", _("县区：%(name)s", name=c.name)) for c in counties]
    county_names = {c.id: c.name for c in counties}
    choices += [SelectChoice(f"grid:{g.id}", _("网格：%(name)s",
                                               name=f"{county_names.get(g.parent_id, '')} {g.name}".strip()))
                for g in grids]
    choices.append(SelectChoice("people", _("指定人员")))
    return choices


def _draft(form: AnnouncementForm) -> services.AnnouncementDraft:
    audience = form.audience.data or ""
    kind, _sep, unit = audience.partition(":")
    return services.AnnouncementDraft(
        title=form.title.data or "", body=form.body.data or "", kind=form.kind.data or rules.NOTICE,
        audience_kind=kind, unit_id=int(unit) if unit.isdigit() else None,
        employee_numbers=form.employee_numbers.data or "", requires_ack=bool(form.requires_ack.data),
        lesson_slugs=form.lesson_slugs.data or "", quiz_slug=form.quiz_slug.data or "")


@bp.route("/announcements/new", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def new() -> Any:
    form = AnnouncementForm()
    form.audience.choices = _audience_choices()
    problems: list[str] = []
    preview = ""
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = render_markdown(form.body.data or "")
        else:
            try:
                announcement = services.publish_announcement(current_user, _draft(form))
            except ValidationFailed as exc:
                problems = exc.problems or [exc.message]
            else:
                flash(_("通知已发布给 %(n)s 人。", n=announcement.recipient_count), "success")
                return redirect(url_for("announcements.receipts", announcement_id=announcement.id))
    status = 422 if request.method == "POST" and (problems or form.errors) else 200
    return render_template("announcements/new.html", form=form, problems=problems, preview=preview), status


@bp.route("/announcements/<int:announcement_id>/receipts")
@roles_required(*PUBLISHERS)
def receipts(announcement_id: int) -> Any:
    announcement = queries.get_announcement_for_staff(current_user, announcement_id)
    only = "outstanding" if request.args.get("only") == "outstanding" else ""
    rows = queries.receipts(current_user, announcement, only=only)
    counts = queries.receipt_counts(current_user, [announcement.id]).get(announcement.id,
                                                                         rules.ReceiptCounts(0, 0, 0))
    return render_template("announcements/receipts.html", announcement=announcement, rows=rows, counts=counts,
                           only=only, body_html=render_markdown(announcement.body),
                           can_withdraw=(announcement.author_id == current_user.id or current_user.role == "admin"))


@bp.route("/announcements/<int:announcement_id>/nudge", methods=["POST"])
@roles_required(*PUBLISHERS)
def nudge(announcement_id: int) -> Any:
    count = nudges.nudge_outstanding(current_user, announcement_id)
    if count:
        flash(_("已向 %(n)s 位未读人员发送提醒。", n=count), "success")
    else:
        flash(_("没有需要提醒的人员（今天已提醒过的人不会重复提醒）。"), "info")
    return redirect(url_for("announcements.receipts", announcement_id=announcement_id, only="outstanding"))


@bp.route("/announcements/<int:announcement_id>/withdraw", methods=["POST"])
@roles_required(*PUBLISHERS)
def withdraw(announcement_id: int) -> Any:
    services.withdraw_announcement(current_user, announcement_id)
    flash(_("通知已撤回。"), "success")
    return redirect(url_for("announcements.receipts", announcement_id=announcement_id))


# --- the monthly training pack: who opened each lesson ------------------------------------------------------------


@bp.route("/announcements/lessons")
@roles_required(*PUBLISHERS)
def lesson_receipts() -> Any:
    """The month's published training pack, lesson by lesson: the month picked, else the pack managers see on their
    home page now (the latest published one when none is current yet)."""
    periods = pack_queries.published_periods()
    period = request.args.get("period") or ""
    if period not in periods:
        period = course_rules.pack_period(utcnow(), periods) or (periods[0] if periods else "")
    pack = pack_queries.published_pack(period) if period else None
    packs = queries.lesson_receipts(current_user, period) if pack else []
    return render_template("announcements/lessons.html", periods=periods, period=period, pack=pack, packs=packs,
                           period_label=rules.period_label)


@bp.route("/announcements/lessons/<slug>/nudge", methods=["POST"])
@roles_required(*PUBLISHERS)
def nudge_lesson(slug: str) -> Any:
    period = request.form.get("period", "")
    count = nudges.nudge_lesson(current_user, period, slug)
    flash(_("已向 %(n)s 位未学习人员发送提醒。", n=count), "success" if count else "info")
    return redirect(url_for("announcements.lesson_receipts", period=period))


# --- administrators: the outbox and group robots ------------------------------------------------------------------


@bp.route("/admin/outbox")
@roles_required("admin")
def outbox() -> Any:
    status = request.args.get("status", "")
    if status not in rules.OUTBOX_STATUSES:
        status = ""
    return render_template("announcements/outbox.html", pagination=queries.outbox_page(status=status, page=_page()),
                           counts=queries.outbox_counts(), status=status, statuses=rules.OUTBOX_STATUSES,
                           channels=CHANNEL_LABELS)


@bp.route("/admin/outbox/<int:message_id>")
@roles_required("admin")
def outbox_message(message_id: int) -> Any:
    return render_template("announcements/outbox_message.html", item=queries.get_outbox_message(message_id),
                           channels=CHANNEL_LABELS)


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required("admin")
def outbox_retry(message_id: int) -> Any:
    outbox_service.retry_message(current_user, message_id)
    flash(_("已重新排队，将由下一次发送任务发出。"), "success")
    return redirect(url_for("announcements.outbox_message", message_id=message_id))


def _robot_unit_choices() -> list[SelectChoice]:
    counties, grids = queries.units_for_publisher(current_user)
    names = {c.id: c.name for c in counties}
    return ([SelectChoice("", _("全市（所有通知）"))] + [SelectChoice(str(c.id), c.name) for c in counties]
            + [SelectChoice(str(g.id), f"{names.get(g.parent_id, '')} {g.name}".strip()) for g in grids])


@bp.route("/admin/robots", methods=["GET", "POST"])
@roles_required("admin")
def robots() -> Any:
    form = RobotForm()
    form.unit.choices = _robot_unit_choices()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            robots_service.save_robot(current_user, name=form.name.data or "", kind=form.kind.data or "",
                                      url=form.url.data or "", secret=form.secret.data or "",
                                      msgtype=form.msgtype.data or "markdown",
                                      unit_id=int(form.unit.data) if (form.unit.data or "").isdigit() else None)
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
        else:
            flash(_("群机器人已保存。"), "success")
            return redirect(url_for("announcements.robots"))
    status = 422 if request.method == "POST" else 200
    return render_template("announcements/robots.html", form=form, robots=queries.list_robots(),
                           problems=problems), status


@bp.route("/admin/robots/<int:robot_id>/toggle", methods=["POST"])
@roles_required("admin")
def robot_toggle(robot_id: int) -> Any:
    robot = robots_service.set_robot_active(current_user, robot_id, request.form.get("active") == "1")
    flash(_("已启用。") if robot.active else _("已停用。"), "success")
    return redirect(url_for("announcements.robots"))


@bp.route("/admin/robots/<int:robot_id>/test", methods=["POST"])
@roles_required("admin")
def robot_test(robot_id: int) -> Any:
    robots_service.queue_robot_test(current_user, robot_id)
    flash(_("测试消息已排队，将由下一次发送任务发出；结果见发送记录。"), "success")
    return redirect(url_for("announcements.outbox"))
