"""The test builder's form (WTForms): settings, sections with fixed questions and draw rows; and its values as
builder data (lms.quizzes.builder) and back."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from lms.quizzes.models import KIND_LABELS, MONTHLY, PRACTICE, SYSTEM_OPS
from lms.quizzes.question_types import TYPES
from lms.quizzes.rules import MAKEUP_ABSENT, MAKEUP_CHOSEN, MAKEUP_FAILED, MAKEUP_FAILED_OR_ABSENT

TIME_FORMAT = "%Y-%m-%dT%H:%M"
DIFFICULTIES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]
# Every registered type (its label is translated where it is shown, like the bank's type filter).
TYPE_CHOICES = [SelectChoice("", _l("不限")), *(SelectChoice(name, _l(t.label)) for name, t in TYPES.items())]
REVIEW_CHOICES = [SelectChoice("after_close", _l("考试关闭后公布答案")),
                  SelectChoice("immediately", _l("交卷后立即公布答案")), SelectChoice("never", _l("不公布答案"))]
MAKEUP_CHOICES = [SelectChoice(MAKEUP_FAILED_OR_ABSENT, _l("未及格和缺考的人员")),
                  SelectChoice(MAKEUP_FAILED, _l("仅未及格的人员")), SelectChoice(MAKEUP_ABSENT, _l("仅缺考的人员")),
                  SelectChoice(MAKEUP_CHOSEN, _l("指定人员"))]
MIN_DRAW_ROWS = 2


class DrawForm(Form):
    """One random draw: ``count`` questions of a bank matching every filter given."""

    # Banks, lessons and questions are content, not the UI: a browser's translation leaves them alone.
    bank = SelectField(_l("题库"), choices=[], validate_choice=False, render_kw={"translate": "no"})
    count = IntegerField(_l("抽题数"), validators=[Optional(), NumberRange(1, 200)])
    tags = StringField(_l("标签（逗号分隔，须全部具备）"), validators=[Length(max=200)])
    difficulty_min = SelectField(_l("难度从"), choices=DIFFICULTIES, default="1")
    difficulty_max = SelectField(_l("难度到"), choices=DIFFICULTIES, default="5")
    type = SelectField(_l("题型"), choices=TYPE_CHOICES, default="")
    lesson = SelectField(_l("课程"), choices=[], validate_choice=False, render_kw={"translate": "no"})
    points = FloatField(_l("每题分值（留空按题目）"), validators=[Optional(), NumberRange(0.5, 100)])


class SectionForm(Form):
    title = StringField(_l("本节标题"), validators=[Length(max=100)])
    picked = SelectMultipleField(_l("固定题目（从题库挑选，可多选）"), choices=[], validate_choice=False,
                                 render_kw={"translate": "no"})
    draws = FieldList(FormField(DrawForm), min_entries=MIN_DRAW_ROWS)
    # A taken-over file's own questions kept in this section, by id (hidden inputs; their content stays in the
    # quiz's builder data, lms.quizzes.builder.saved_data), and the bank "移入题库" copies one of them into.
    own = SelectMultipleField(choices=[], validate_choice=False)
    move_bank = SelectField(_l("移入的题库"), choices=[], validate_choice=False, render_kw={"translate": "no"})


class QuizBuilderForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[SelectChoice(k, _l(KIND_LABELS[k]))
                                                for k in (MONTHLY, SYSTEM_OPS, PRACTICE)])
    title = StringField(_l("标题"), validators=[InputRequired(_l("请填写标题。")), Length(max=200)])
    description = TextAreaField(_l("考试说明（渠道经理在考试页看到，可留空）"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    period = StringField(_l("考核月份（如 2026-12，月度考试必填）"),
                         validators=[Optional(),
                                     Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("月份格式为 YYYY-MM。"))])
    opens = DateTimeLocalField(_l("开始时间"), format=TIME_FORMAT, validators=[Optional()])
    closes = DateTimeLocalField(_l("结束时间"), format=TIME_FORMAT, validators=[Optional()])
    time_limit_minutes = IntegerField(_l("答题时长（分钟）"), default=30,
                                      validators=[InputRequired(_l("请填写答题时长。")), NumberRange(1, 1440)])
    pass_score = FloatField(_l("及格分（满分 100）"), default=80,
                            validators=[InputRequired(_l("请填写及格分。")), NumberRange(1, 100)])
    attempts_allowed = IntegerField(_l("作答次数（正式考试为 1；练习留空为不限）"), default=1,
                                    validators=[Optional(), NumberRange(1, 100)])
    review = SelectField(_l("答案公布"), choices=REVIEW_CHOICES, default="after_close")
    shuffle_questions = BooleanField(_l("打乱题目顺序"), default=True)
    shuffle_options = BooleanField(_l("打乱选项顺序"), default=True)
    tab_switch_limit = IntegerField(_l("切屏次数上限（留空不限）"), validators=[Optional(), NumberRange(0, 50)])
    certificate = BooleanField(_l("通过后发证书"), default=True)
    sections = FieldList(FormField(SectionForm), min_entries=1)
    # The make-up window (补考): after the test closes, one more attempt for the audience chosen.
    makeup_opens = DateTimeLocalField(_l("补考开始时间"), format=TIME_FORMAT, validators=[Optional()])
    makeup_closes = DateTimeLocalField(_l("补考结束时间"), format=TIME_FORMAT, validators=[Optional()])
    makeup_audience = SelectField(_l("补考对象"), choices=MAKEUP_CHOICES, default=MAKEUP_FAILED_OR_ABSENT)
    makeup_people = TextAreaField(_l("指定人员工号（每行或用逗号分隔）"), validators=[Length(max=20000)],
                                  render_kw={"rows": 3, "translate": "no"})


def set_choices(form: QuizBuilderForm, *, banks: list[SelectChoice], questions: list[SelectChoice],
                lessons: list[str], editable_banks: list[SelectChoice] | None = None) -> None:
    """The choices of every section and draw row (banks, bank questions, lessons), and one blank draw row more
    wherever all are used: without JavaScript a trainer adds a draw by saving or refreshing the summary."""
    for section in form.sections:
        rows = section.form.draws
        if all(row.form.bank.data for row in rows):
            rows.append_entry()
        section.form.picked.choices = questions
        section.form.move_bank.choices = editable_banks or []
        for row in rows:
            row.form.bank.choices = [SelectChoice("", _l("（不抽题）")), *banks]
            row.form.lesson.choices = [SelectChoice("", _l("不限")), *(SelectChoice(lesson) for lesson in lessons)]


def _local_text(value: datetime | None) -> str | None:
    return value.strftime(TIME_FORMAT) if value else None


def form_data(form: QuizBuilderForm) -> dict[str, Any]:
    """The form's values as builder data: the mapping a quiz file would hold (lms.quizzes.builder)."""
    data: dict[str, Any] = {
        "kind": form.kind.data, "title": (form.title.data or "").strip(), "period": form.period.data or None,
        "description": (form.description.data or "").strip(),
        "opens": _local_text(form.opens.data), "closes": _local_text(form.closes.data),
        "time_limit_minutes": form.time_limit_minutes.data, "pass_score": form.pass_score.data,
        "attempts_allowed": form.attempts_allowed.data, "review": form.review.data,
        "shuffle_questions": bool(form.shuffle_questions.data), "shuffle_options": bool(form.shuffle_options.data),
        "tab_switch_limit": form.tab_switch_limit.data, "certificate": bool(form.certificate.data),
    }
    sections = []
    for entry in form.sections:
        section = entry.form
        draws = []
        for row in section.draws:
            draw = row.form
            if not draw.bank.data:
                continue
            rule: dict[str, Any] = {
                "bank": draw.bank.data, "count": draw.count.data or 0,
                "tags": [t.strip() for t in (draw.tags.data or "").replace("，", ",").split(",") if t.strip()],
                "difficulty": sorted([int(draw.difficulty_min.data or 1), int(draw.difficulty_max.data or 5)]),
            }
            if draw.type.data:
                rule["types"] = [draw.type.data]
            if draw.lesson.data:
                rule["lesson"] = draw.lesson.data
            if draw.points.data is not None:
                rule["points"] = draw.points.data
            draws.append(rule)
        title = (section.title.data or "").strip()
        own = [str(i) for i in section.own.data or []]
        if title or draws or section.picked.data or own:
            sections.append({"title": title, "picked": list(section.picked.data or []), "draw": draws, "own": own})
    data["sections"] = sections
    makeup = makeup_data(form)
    if makeup:
        data["makeup"] = makeup
    return data


def makeup_data(form: QuizBuilderForm) -> dict[str, Any] | None:
    """The make-up fieldset as builder data (a quiz file's ``makeup`` mapping); None when both times are empty."""
    opens, closes = _local_text(form.makeup_opens.data), _local_text(form.makeup_closes.data)
    if not opens and not closes:
        return None
    audience = form.makeup_audience.data or MAKEUP_FAILED_OR_ABSENT
    people = re.split(r"[\s,，;；、]+", form.makeup_people.data or "") if audience == MAKEUP_CHOSEN else []
    return {"opens": opens, "closes": closes, "audience": audience,
            "people": list(dict.fromkeys(p for p in people if p))}


def makeup_values(data: dict[str, Any]) -> dict[str, Any]:
    """Builder data's ``makeup`` → the fieldset's values."""
    makeup = data.get("makeup") or {}

    def when(key: str) -> datetime | None:
        return datetime.strptime(makeup[key], TIME_FORMAT) if makeup.get(key) else None  # noqa: DTZ007 - local

    return {"makeup_opens": when("opens"), "makeup_closes": when("closes"),
            "makeup_audience": makeup.get("audience") or MAKEUP_FAILED_OR_ABSENT,
            "makeup_people": "\n".join(makeup.get("people") or [])}


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Builder data → the form's ``data`` (what it shows when it opens)."""
    def when(key: str) -> datetime | None:
        # Local wall-clock time, as the form's datetime-local fields show it (the parser applies the time zone).
        return datetime.strptime(data[key], TIME_FORMAT) if data.get(key) else None  # noqa: DTZ007

    values = {k: data.get(k) for k in ("kind", "title", "description", "period", "time_limit_minutes", "pass_score",
                                       "attempts_allowed", "review", "shuffle_questions", "shuffle_options",
                                       "tab_switch_limit", "certificate")}
    values["opens"], values["closes"] = when("opens"), when("closes")
    values.update(makeup_values(data))
    values["sections"] = [{
        "title": s.get("title", ""), "picked": s.get("picked") or [],
        "own": [str(q.get("id")) for q in s.get("questions") or [] if isinstance(q, dict)],
        "draws": [{"bank": d.get("bank"), "count": d.get("count"), "tags": ", ".join(d.get("tags") or []),
                   "difficulty_min": str((d.get("difficulty") or [1, 5])[0]),
                   "difficulty_max": str((d.get("difficulty") or [1, 5])[-1]),
                   "type": (d.get("types") or [""])[0], "lesson": d.get("lesson") or "", "points": d.get("points")}
                  for d in s.get("draw") or []],
    } for s in data.get("sections") or []]
    return values


def remove_entry(form: QuizBuilderForm, action: str) -> bool:
    """A remove button's ``action`` (``remove_section:N``, ``remove_draw:N:M``, ``remove_question:N:ID``): that
    section, draw row or own question out of the form, which shows again without saving. N and M are the indexes
    in the entries' field names (``sections-N-draws-M``); the last section stays. False when nothing matched."""
    kind, _sep, rest = action.partition(":")
    parts = rest.split(":", 1)
    section = _entry(form.sections, parts[0])
    if section is None:
        return False
    if kind == "remove_section":
        if len(form.sections.entries) < 2:
            return False
        form.sections.entries.remove(section)
        return True
    if kind == "remove_draw" and len(parts) == 2:
        row = _entry(section.form.draws, parts[1])
        if row is not None:
            section.form.draws.entries.remove(row)
        return row is not None
    if kind == "remove_question" and len(parts) == 2:
        own = [str(i) for i in section.form.own.data or []]
        section.form.own.data = [i for i in own if i != parts[1]]
        return parts[1] in own
    return False


def _entry(field: FieldList, index: str) -> Any:
    return next((entry for entry in field.entries if entry.name == f"{field.name}-{index}"), None)
