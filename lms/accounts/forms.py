from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    employee_no = StringField("工号", validators=[DataRequired(message="请输入工号"), Length(max=32)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired()])
    new = PasswordField("新密码", validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField("确认新密码", validators=[DataRequired(), EqualTo("new", message="两次输入的新密码不一致")])


class RosterUploadForm(FlaskForm):
    file = FileField("人员名单（.xlsx 或 .csv）", validators=[FileRequired(message="请选择文件")])
