from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from lms.accounts.rules import EMPLOYEE_NO_RE, PHONE_RE, ROLE_LABELS


class LoginForm(FlaskForm):
    employee_no = StringField(_l("工号"), validators=[DataRequired(message=_l("请输入工号")), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请输入密码")), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()])
    # Length and strength are the password policy's (lms.accounts.passwords), which names every reason at once.
    new = PasswordField(_l("新密码"), validators=[DataRequired()])
    confirm = PasswordField(_l("确认新密码"),
                            validators=[DataRequired(), EqualTo("new", message=_l("两次输入的新密码不一致"))])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("人员名单（.xlsx 或 .csv）"), validators=[FileRequired(message=_l("请选择文件"))])


class RosterImportForm(RosterUploadForm):
    """The upload, and whether the file is the full roster of channel managers (those missing are deactivated)."""

    deactivate_missing = BooleanField(_l("这是完整名单：停用名单中没有的渠道经理"))


class RosterConfirmForm(FlaskForm):
    """Confirming a previewed roster: ``digest`` is what the preview showed; admin access changes need the box."""

    digest = HiddenField(validators=[DataRequired(), Length(max=64)])
    confirm_admin = BooleanField(_l("我确认以上管理员权限的变更"))


class PersonForm(FlaskForm):
    """One person's name, phone, role and unit (the unit's choices are set by the view: active units only)."""

    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名")), Length(max=50)])
    phone = StringField(_l("手机（可选）"), validators=[Optional(), Regexp(PHONE_RE, message=_l("手机号应为11位数字"))])
    role = SelectField(_l("角色"), choices=[SelectChoice(code, _l(label)) for code, label in ROLE_LABELS.items()])
    unit = SelectField(_l("县区/网格"), choices=[], validate_choice=True)


class NewPersonForm(PersonForm):
    employee_no = StringField(_l("工号"), validators=[
        DataRequired(message=_l("请填写工号")),
        Regexp(EMPLOYEE_NO_RE, message=_l("工号为2-32位字母、数字、-或_"))])
