"""Forms for publishing, contact settings and group robots (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from lms.announcements import rules
from lms.announcements.payloads import ROBOT_KINDS


class AnnouncementForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写标题")), Length(max=rules.TITLE_MAX)])
    kind = SelectField(_l("类别"), choices=[SelectChoice(k, _l(v)) for k, v in rules.ANNOUNCEMENT_KINDS.items()],
                       default=rules.NOTICE)
    body = TextAreaField(_l("正文（支持 Markdown）"),
                         validators=[DataRequired(message=_l("请填写正文")), Length(max=rules.BODY_MAX)])
    # "all", "county:<id>", "grid:<id>" or "people"; the choices are set per publisher by the view.
    audience = SelectField(_l("发布范围"), choices=[], validate_choice=True)
    employee_numbers = TextAreaField(_l("指定人员工号（发布范围为“指定人员”时填写，每行一个或用逗号分隔）"),
                                     validators=[Optional(), Length(max=20000)])
    requires_ack = BooleanField(_l("要求确认已阅"))
    lesson_slugs = StringField(_l("关联课程（课程标识，多个用逗号分隔）"), validators=[Optional(), Length(max=1000)])
    quiz_slug = StringField(_l("关联考试（考试标识）"), validators=[Optional(), Length(max=100)])


class ContactForm(FlaskForm):
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=254)])
    email_enabled = BooleanField(_l("同时通过电子邮件接收通知和提醒"))


class RobotForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(message=_l("请填写名称")), Length(max=100)])
    kind = SelectField(_l("类型"), choices=[SelectChoice(k, _l(v)) for k, v in ROBOT_KINDS.items()])
    url = StringField(_l("Webhook 地址"), validators=[DataRequired(message=_l("请填写地址")), Length(max=500)])
    secret = PasswordField(_l("加签密钥（钉钉，可选）"), validators=[Optional(), Length(max=200)])
    msgtype = SelectField(_l("消息格式"),
                          choices=[SelectChoice("markdown", "Markdown"), SelectChoice("text", _l("纯文本"))])
    unit = SelectField(_l("所属群（单位）"), choices=[], validate_choice=True)
