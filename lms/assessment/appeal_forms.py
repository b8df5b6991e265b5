"""Forms of the appeal pages: open (reason and an optional photo or file), comment, decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.assessment import appeal_rules


class AppealForm(FlaskForm):
    reason = TextAreaField(_l("申诉理由"), validators=[DataRequired(message=_l("请填写申诉理由")),
                                                   Length(max=appeal_rules.MAX_REASON)])
    attachment = FileField(_l("附件（可选：照片、截图或文件）"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("意见"), validators=[DataRequired(message=_l("请填写意见")),
                                               Length(max=appeal_rules.MAX_COMMENT)])


class AppealDecisionForm(FlaskForm):
    decision = RadioField(_l("决定"),
                          choices=[SelectChoice("uphold", _l("申诉成立（冲销原记录）")),
                                   SelectChoice("reject", _l("驳回申诉"))],
                          validators=[DataRequired(message=_l("请选择申诉成立或驳回"))])
    reason = TextAreaField(_l("理由"), validators=[DataRequired(message=_l("请填写决定理由")),
                                                 Length(max=appeal_rules.MAX_REASON)])
