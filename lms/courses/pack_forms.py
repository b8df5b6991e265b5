"""Forms of the training-pack pages: a new pack's month, and a pack's title, test, lessons and "notify again"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from lms.courses import pack_rules


class NewPackForm(FlaskForm):
    period = StringField(_l("月份（YYYY-MM）"), validators=[
        DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("请按 YYYY-MM 填写，例如 2026-12"))])


class PackForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=pack_rules.TITLE_MAX)])
    # 0: no test attached. Choices are set by the view (the monthly tests).
    quiz = SelectField(_l("本月考试"), coerce=int, choices=[])
    # Rendered by hand as checkboxes grouped by category; the choices (live lessons, and the pack's own) are set by
    # the view, so a made-up id is refused by WTForms.
    lessons = SelectMultipleField(_l("课程"), coerce=int, choices=[])
    notify_again = BooleanField(_l("保存后再次通知全体人员（培训包已发布）"))
