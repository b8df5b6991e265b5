"""Forms for the lesson editor and for scheduling a training session."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.courses import rules


def category_choices() -> list[SelectChoice]:
    return [SelectChoice(c.key, f"{_(c.group)} · {_(c.label)}") for c in rules.CATEGORIES]


class LessonForm(FlaskForm):
    slug = StringField(_l("课程标识（网址的一部分，小写字母、数字和连字符）"), validators=[Optional(), Length(max=80)])
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("分类"), choices=category_choices)
    period = StringField(_l("所属月份（YYYY-MM，月度培训包）"), validators=[Optional(), Length(max=7)])
    order = IntegerField(_l("排序（小的在前）"), default=100, validators=[Optional(), NumberRange(-10000, 10000)])
    effective = DateField(_l("生效日期"), validators=[Optional()])
    tags = StringField(_l("标签（逗号分隔）"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(_l("摘要"), validators=[Optional(), Length(max=500)])
    quiz = StringField(_l("练习测验标识"), validators=[Optional(), Length(max=80)])
    for_shops = BooleanField(_l("也发给渠道门店（本月门店学习包）"))
    body = TextAreaField(_l("正文（Markdown）"), validators=[DataRequired()])
    note = StringField(_l("修改说明"), validators=[Optional(), Length(max=200)])
    # Stored and inserted into the body by the "插入" button (or at the cursor by courses-editor.js); never saved
    # with the lesson itself.
    media = FileField(_l("图片或附件（截图、PDF、Excel、PPT、Word、MP4）"))

    def meta_values(self) -> dict[str, object]:
        return {
            "title": self.title.data, "category": self.category.data, "period": (self.period.data or "").strip(),
            "order": self.order.data if self.order.data is not None else 100, "effective": self.effective.data,
            "tags": self.tags.data or "", "summary": self.summary.data or "", "quiz": (self.quiz.data or "").strip(),
            "audience": rules.SHOP_AUDIENCE if self.for_shops.data else "",
        }


class TrainingSessionForm(FlaskForm):
    title = StringField(_l("培训主题"), validators=[DataRequired(), Length(max=200)])
    mode = SelectField(_l("培训方式"), choices=[SelectChoice(k, _l(v)) for k, v in rules.TRAINING_MODES.items()])
    day = DateField(_l("日期"), validators=[DataRequired()])
    starts = TimeField(_l("开始时间"), validators=[DataRequired()])
    ends = TimeField(_l("结束时间"), validators=[Optional()])
    place = StringField(_l("地点"), validators=[DataRequired(), Length(max=200)])
    county = SelectField(_l("所属片区（县区）"), coerce=int, choices=[], validate_choice=False)
    lessons = SelectMultipleField(_l("培训课程"), choices=[], validate_choice=False)
    units = SelectMultipleField(_l("邀请单位（该单位全部渠道经理）"), coerce=int, choices=[], validate_choice=False)
    employee_nos = TextAreaField(_l("另邀请人员（工号，逗号或换行分隔）"), validators=[Optional(), Length(max=5000)])
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])
