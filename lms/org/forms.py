"""Forms of the organisation pages (CSRF through Flask-WTF). Choices of units are set by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.org import rules


class CountyForm(FlaskForm):
    name = StringField(_l("县区名称"), validators=[DataRequired(message=_l("请填写名称")), Length(max=rules.NAME_MAX)])


class GridForm(FlaskForm):
    county = SelectField(_l("所属县区"), choices=[], validate_choice=True)
    name = StringField(_l("网格名称"), validators=[DataRequired(message=_l("请填写名称")), Length(max=rules.NAME_MAX)])


class RenameForm(FlaskForm):
    name = StringField(_l("新名称"), validators=[DataRequired(message=_l("请填写名称")), Length(max=rules.NAME_MAX)])


class MoveForm(FlaskForm):
    county = SelectField(_l("调到县区"), choices=[], validate_choice=True)


class PlaceForm(FlaskForm):
    """The business hall's coordinates (WGS-84, as phones report them); both empty clears the place."""

    latitude = FloatField(_l("纬度"),
                          validators=[Optional(), NumberRange(-90, 90, message=_l("纬度应在 -90 到 90 之间"))])
    longitude = FloatField(_l("经度"),
                           validators=[Optional(), NumberRange(-180, 180, message=_l("经度应在 -180 到 180 之间"))])
