"""The shop registry's forms: a shop, its manager alone (a grid supervisor's form), the list's filters, the import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.field.rules import SHOP_KIND_LABELS, SHOP_KINDS, STARS
from lms.field.shop_rules import ADDRESS_MAX, CODE_RE, NAME_MAX

KIND_CHOICES = [SelectChoice(kind, _l(SHOP_KIND_LABELS[kind])) for kind in SHOP_KINDS]
STAR_CHOICES = [SelectChoice(str(star), _l("%(n)d星", n=star)) for star in STARS]


class ManagerForm(FlaskForm):
    manager = SelectField(_l("负责人"), choices=[], validate_choice=True)


class ShopForm(ManagerForm):
    code = StringField(_l("渠道编码"), validators=[DataRequired(message=_l("请填写渠道编码")), Length(max=32),
                                                Regexp(CODE_RE, message=_l("1-32位字母、数字、-或_"))])
    name = StringField(_l("渠道名称"), validators=[DataRequired(message=_l("请填写渠道名称")), Length(max=NAME_MAX)])
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    star = SelectField(_l("星级"), choices=STAR_CHOICES)
    address = StringField(_l("地址"), validators=[Optional(), Length(max=ADDRESS_MAX)])
    latitude = FloatField(_l("纬度"), validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField(_l("经度"), validators=[Optional(), NumberRange(min=-180, max=180)])
    grid = SelectField(_l("网格"), choices=[], validate_choice=True)


class ShopFilterForm(FlaskForm):
    """The list's filters: read from the address, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("搜索"), validators=[Optional(), Length(max=50)], description=_l("编码、名称或地址"))
    kind = SelectField(_l("类型"), choices=[SelectChoice("", _l("全部类型")), *KIND_CHOICES], validators=[Optional()])
    star = SelectField(_l("星级"), choices=[SelectChoice("", _l("全部星级")), *STAR_CHOICES], validators=[Optional()])
    grid = SelectField(_l("网格"), choices=[], validators=[Optional()], validate_choice=False)
    manager = SelectField(_l("负责人"), choices=[], validators=[Optional()], validate_choice=False)


class ShopImportForm(FlaskForm):
    file = FileField(_l("渠道清单（.xlsx 或 .csv）"), validators=[FileRequired(message=_l("请选择文件"))])


class ShopConfirmForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired(), Length(max=64)])
