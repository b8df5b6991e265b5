"""The audit log's search form: sent by GET (a search changes nothing, and its address can be bookmarked or shared
with another administrator), so it carries no CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from lms.audit import rules
from lms.audit.queries import AuditFilter

EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class DayField(DateField):
    """A calendar day, ``YYYY-MM-DD`` (what a date picker sends), within this century: a wrong one is named in the
    reader's language, and an absurd year never reaches the date arithmetic of the search."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("日期应写作 年-月-日，例如 2026-11-30")) from None
        day: date | None = self.data
        if day is not None and not EARLIEST <= day <= LATEST:
            self.data = None
            raise ValueError(_("日期应在 2000 年到 2099 年之间"))


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("操作类型"), default="", invalid_choice_message=_l("没有这种操作，请从列表中选择"))
    actor = StringField(_l("操作人"), validators=[Optional(), Length(max=50)],
                        description=_l("工号或姓名；命令行、系统"))
    target = StringField(_l("对象人员"), validators=[Optional(), Length(max=50)], description=_l("工号或姓名"))
    start = DayField(_l("起始日期"), validators=[Optional()], format="%Y-%m-%d")
    end = DayField(_l("截止日期"), validators=[Optional()], format="%Y-%m-%d")
    q = StringField(_l("关键词"), validators=[Optional(), Length(max=100)], description=_l("对象或原因中的文字"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _("全部操作")),
                               *((code, _(label)) for code, label in rules.ACTION_LABELS.items())]

    def validate_end(self, field: DateField) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_("截止日期不能早于起始日期"))

    def wanted(self) -> AuditFilter:
        """The search as the query reads it (call after ``validate``)."""
        actor = (self.actor.data or "").strip()
        # The words for a command or the platform, as the reader typed them (命令行, or "Command line" in English).
        actor = next((label for label in rules.ACTOR_LABELS.values() if actor.lower() == _(label).lower()), actor)
        return AuditFilter(action=self.action.data or "", actor=actor,
                           target=(self.target.data or "").strip(), start=self.start.data, end=self.end.data,
                           text=(self.q.data or "").strip())

    def arguments(self) -> dict[str, str]:
        """The search as query arguments, for the pager's and the export's links."""
        found = {}
        for name in ("action", "actor", "target", "start", "end", "q"):
            raw = self[name].raw_data
            if raw and raw[0]:
                found[name] = raw[0]
        return found
