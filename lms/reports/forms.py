"""Forms of the report pages: an appeal reversal, a corrected key, a point-to-point session."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ReverseForm(FlaskForm):
    reason = TextAreaField("冲销原因（申诉成立的依据）",
                           validators=[DataRequired(message="请填写冲销原因"), Length(max=1000)])


class RegradeForm(FlaskForm):
    """The corrected key arrives as ``correct`` (option indexes, several for multiple choice) or ``accepted``
    (one accepted text per line); ``action`` is ``preview`` or ``apply``."""

    action = HiddenField(default="preview")
    accepted = TextAreaField("可接受的答案（每行一个）", validators=[Length(max=5000)])


class SessionForm(FlaskForm):
    title = StringField("培训标题", validators=[DataRequired(message="请填写标题"), Length(max=200)])
    starts_at = DateTimeLocalField("开始时间", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message="请填写开始时间")])
    ends_at = DateTimeLocalField("结束时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField("地点", validators=[DataRequired(message="请填写地点"), Length(max=200)])
    notes = TextAreaField("说明", validators=[Length(max=2000)])
