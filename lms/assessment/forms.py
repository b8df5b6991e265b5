from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.assessment import rules


class CloseForm(FlaskForm):
    """Only the CSRF token: the close takes no options."""


class PublishForm(FlaskForm):
    """Only the CSRF token: the reviewed draft on screen is what gets published."""


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("冲销原因（申诉成立的依据）"),
                           validators=[DataRequired(message=_l("请填写冲销原因")), Length(max=1000)])


class DeductionForm(FlaskForm):
    employee_no = StringField(_l("渠道经理工号"), validators=[DataRequired(message=_l("请输入工号")), Length(max=32)])
    system = SelectField(_l("系统"), choices=[SelectChoice(key, _l(label)) for key, label in rules.SYSTEMS.items()])
    what_happened = TextAreaField(_l("发生了什么"), validators=[DataRequired(message=_l("请填写发生了什么")),
                                                           Length(max=1000)])
    reported_by = StringField(_l("反映人（门店、姓名）"), validators=[DataRequired(message=_l("请填写反映人")),
                                                               Length(max=200)])
    # A fresh key per form: the same form sent twice records one deduction, not two.
    request_key = HiddenField()


class DecisionForm(FlaskForm):
    decision = RadioField(_l("决定"),
                          choices=[SelectChoice("confirm", _l("确认岗位调整")), SelectChoice("reject", _l("驳回"))],
                          validators=[DataRequired(message=_l("请选择确认或驳回"))])
    note = TextAreaField(_l("说明（驳回时必填）"), validators=[Length(max=1000)])


class IndicatorForm(FlaskForm):
    file = FileField(_l("其他考核指标（.xlsx 或 .csv，表头：工号,指标,得分）"),
                     validators=[FileRequired(message=_l("请选择文件"))])
