"""The form of a new policy version (lms.assessment.policy_versions): the editable fields, the period it takes effect
from, and the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from lms.assessment import rules


class PolicyForm(FlaskForm):
    first_fail_action = SelectField(_l("首次不及格的处理"), choices=[
        SelectChoice(key, _l(label)) for key, label in rules.FIRST_FAIL_LABELS.items()])
    consecutive_fail_penalty_yuan = IntegerField(_l("连续不及格现金处罚（元）"), validators=[
        InputRequired(_l("请填写金额")), NumberRange(0, 100_000)])
    absent_counts_as_fail = BooleanField(_l("缺考按不及格计"))
    makeup_clears_fail = BooleanField(_l("补考通过计入本月结果"))
    system_ops_deduction_points = FloatField(_l("系统操作不会用扣分"), validators=[
        InputRequired(_l("请填写分值")), NumberRange(0, 100)])
    yellow_card_bottom_n = IntegerField(_l("黄牌人数（排名末位）"), validators=[InputRequired(), NumberRange(0, 100)])
    reward_top_n = IntegerField(_l("奖励人数（排名前列）"), validators=[InputRequired(), NumberRange(0, 100)])
    quarter_yellow_cards = IntegerField(_l("一季度几张黄牌进入重点提升"),
                                        validators=[InputRequired(), NumberRange(1, 3)])
    ranking_scope = SelectField(_l("排名范围"), choices=[
        SelectChoice(key, _l(label)) for key, label in rules.RANKING_SCOPE_LABELS.items()])
    assign_late_joiners = BooleanField(_l("窗口开放后入职的人员也参加当月考试"))
    county_weights_allowed = BooleanField(_l("允许县区自定过程指标权重（县区自主考核）"))
    effective_from = StringField(_l("生效月份（YYYY-MM，须晚于最近已结账的月份）"), validators=[
        DataRequired(_l("请填写生效月份")), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("月份格式为 YYYY-MM"))])
    reason = TextAreaField(_l("调整原因（将记入审计日志）"), validators=[
        DataRequired(_l("请写明调整原因")), Length(max=1000)])

    def values(self, weights: dict[str, float] | None = None) -> dict[str, Any]:
        """The proposed values; ``weights``: each county's indicator weight, read from the ``weight-<id>`` inputs."""
        found = {key: getattr(self, key).data for key in rules.POLICY_FIELDS if key != "county_indicator_weights"}
        found["county_indicator_weights"] = {k: w for k, w in (weights or {}).items() if w != 1.0}
        return found


def county_weights(form: Mapping[str, str], county_ids: list[int]) -> tuple[dict[str, float], list[str]]:
    """The ``weight-<county id>`` inputs as {county id (text): weight}, and what cannot be read (blank = 1)."""
    weights, problems = {}, []
    for county_id in county_ids:
        raw = (form.get(f"weight-{county_id}") or "").strip()
        if not raw:
            continue
        try:
            weights[str(county_id)] = float(raw)
        except ValueError:
            problems.append(f"权重“{raw}”不是数字")
    return weights, problems
