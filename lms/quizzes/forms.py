"""The trainers' question forms: the bank list's filters (GET), a question's editor, a new bank, bulk tagging.

The editor turns what was typed into a ``QuestionSpec``; whether that question is valid is decided by the same
``lms.quizzes.rules.validate_spec`` as for files and imports, whose findings are put into the reader's words here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FieldList,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.quizzes.queries import NEVER_USED, WEAK, WEAK_FACILITY, WEAK_MIN_ANSWERS
from lms.quizzes.question_types import TYPES
from lms.quizzes.specs import LETTERS, QuestionSpec
from lms.quizzes.types.numbers import format_key, parse_key

OPTION_ROWS = 6  # rows a new question shows (enough without JavaScript); static/js/question-form.js adds more
DIFFICULTIES = [(str(n), str(n)) for n in range(1, 6)]


def choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def type_choices() -> list[tuple[str, str]]:
    return [(name, _(t.label)) for name, t in TYPES.items()]


def split_tags(text: str) -> tuple[str, ...]:
    parts = (p.strip() for p in text.replace("，", ",").replace("、", ",").split(","))
    return tuple(dict.fromkeys(p[:50] for p in parts if p))


class QuestionFilterForm(FlaskForm):
    """The list's filters, sent by GET (bookmarkable; a search changes nothing), so without a CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("搜索"), validators=[Optional(), Length(max=100)], description=_l("名称、题干或选项中的文字"))
    bank = SelectField(_l("题库"), default="", validate_choice=False)
    type = SelectField(_l("题型"), default="")
    tag = SelectField(_l("标签"), default="", validate_choice=False)
    difficulty = SelectField(_l("难度"), default="")
    lesson = SelectField(_l("关联课程"), default="", validate_choice=False)
    usage = SelectField(_l("使用情况"), default="")
    status = SelectField(_l("状态"), default="")

    def __init__(self, *args: Any, banks: list[tuple[str, str]], tags: list[str], lessons: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bank.choices = choices([("", _("全部题库")), *banks])
        self.type.choices = choices([("", _("全部题型")), *type_choices()])
        self.tag.choices = choices([("", _("全部标签")), *((t, t) for t in tags)])
        self.difficulty.choices = choices([("", _("全部难度")), *DIFFICULTIES])
        self.lesson.choices = choices([("", _("全部课程")), *lessons])
        self.usage.choices = choices([("", _("全部")), (NEVER_USED, _("从未使用")),
                                      (WEAK, _("得分率低（低于 %(p)d%%，至少 %(n)d 人次作答）",
                                               p=round(WEAK_FACILITY * 100), n=WEAK_MIN_ANSWERS))])
        self.status.choices = choices([("", _("在用")), ("retired", _("已停用"))])

    def wanted(self) -> dict[str, Any]:
        """The filters as ``queries.bank_questions`` takes them (call after ``validate``)."""
        return {"text": (self.q.data or "").strip(), "type": self.type.data or None, "tag": self.tag.data or None,
                "difficulty": int(self.difficulty.data) if self.difficulty.data else None,
                "lesson": self.lesson.data or None, "usage": self.usage.data or None,
                "retired": self.status.data == "retired", "bank": self.bank.data or None}

    def arguments(self) -> dict[str, str]:
        """The filters as query arguments, for the pager's links."""
        found = {}
        for name in ("q", "bank", "type", "tag", "difficulty", "lesson", "usage", "status"):
            raw = self[name].raw_data
            if raw and raw[0]:
                found[name] = raw[0]
        return found


class BankForm(FlaskForm):
    title = StringField(_l("题库名称"), validators=[DataRequired(), Length(max=200)])


class TagForm(FlaskForm):
    """Bulk tagging from the list: the ticked questions (``ids``), one tag, add or remove."""

    ids = SelectMultipleField(coerce=int, validate_choice=False)
    tag = StringField(_l("标签"), validators=[DataRequired(), Length(max=50)])
    action = RadioField(_l("操作"), default="add",
                        choices=[SelectChoice("add", _l("添加标签")), SelectChoice("remove", _l("移除标签"))])


# What validate_spec finds, as the editor's reader reads it. The rule's own sentence (English, naming the file and
# line for files) is the fallback for a finding not listed here.
PROBLEM_WORDS = (
    ("has no stem", _l("请填写题干。")),
    ("points must be positive", _l("分值必须大于 0。")),
    ("difficulty must be 1..5", _l("难度应为 1 到 5。")),
    ("needs at least two options", _l("选择题至少需要两个选项。")),
    ("has more than", _l("选项太多：最多 %(n)d 个。", n=len(LETTERS))),
    ("the answer must name existing options", _l("请勾选正确选项（勾选的选项须填写内容）。")),
    ("has exactly one answer", _l("单选题只能有一个正确选项。")),
    ("one weight per option", _l("选项改动后原有的部分得分权重已失效，请重新保存。")),
    ("answer must be true or false", _l("请选择判断题的答案：正确或错误。")),
    ("needs at least one accepted answer", _l("填空题至少需要一个参考答案。")),
    ("needs at least one number", _l("数值题至少需要一个答案。")),
    ("tolerance cannot be negative", _l("误差不能为负数。")),
    ("one weight per accepted answer", _l("答案改动后原有的部分得分比例已失效，请重新保存。")),
    ("one weight per number", _l("答案改动后原有的部分得分比例已失效，请重新保存。")),
    ("unknown question type", _l("请选择题型。")),
)


def problem_words(problem: str) -> str:
    return next((str(words) for marker, words in PROBLEM_WORDS if marker in problem), problem)


class QuestionForm(FlaskForm):
    name = StringField(_l("名称（可选，便于查找）"), validators=[Optional(), Length(max=200)])
    type = SelectField(_l("题型"), default="single")
    stem = TextAreaField(_l("题干（Markdown）"), validators=[DataRequired(), Length(max=5000)])
    options = FieldList(StringField(validators=[Optional(), Length(max=1000)]), min_entries=OPTION_ROWS,
                        max_entries=len(LETTERS))
    correct = SelectMultipleField(_l("正确选项"), validate_choice=False,
                                  choices=[SelectChoice(str(i), letter) for i, letter in enumerate(LETTERS)])
    truth = RadioField(_l("判断题答案"), choices=[SelectChoice("true", _l("正确")), SelectChoice("false", _l("错误"))],
                       validators=[Optional()], validate_choice=False)
    accepted = TextAreaField(_l("填空题参考答案（每行一个，任一个都算对；* 代表任意文字）"),
                             validators=[Optional(), Length(max=2000)])
    numbers = TextAreaField(_l("数值答案（每行一个：3、3±0.5 或 1..5，任一个都算对）"),
                            validators=[Optional(), Length(max=2000)])
    points = DecimalField(_l("分值"), default=1, places=None,
                          validators=[DataRequired(), NumberRange(min=0.1, max=100)])
    explanation = TextAreaField(_l("解析（Markdown，复盘时显示）"), validators=[Optional(), Length(max=5000)])
    tags = StringField(_l("标签（逗号分隔）"), validators=[Optional(), Length(max=300)])
    difficulty = SelectField(_l("难度（1 最易，5 最难）"), choices=choices(DIFFICULTIES), default="3")
    lesson = SelectField(_l("关联课程"), default="", validate_choice=False)

    def __init__(self, *args: Any, lessons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = choices(type_choices())
        self.lesson.choices = choices([("", _("（不关联）")), *lessons])

    @classmethod
    def from_spec(cls, spec: QuestionSpec, *, name: str, lessons: list[tuple[str, str]]) -> QuestionForm:
        rows = [*spec.options, *[""] * max(0, OPTION_ROWS - len(spec.options))]
        if spec.lesson and spec.lesson not in {slug for slug, _title in lessons}:
            lessons = [*lessons, (spec.lesson, spec.lesson)]  # a lesson no longer listed stays as it was
        return cls(data={
            "name": name, "type": spec.type, "stem": spec.stem, "options": rows,
            "correct": [str(i) for i in spec.correct],
            "truth": "" if spec.truth is None else ("true" if spec.truth else "false"),
            "numbers": "\n".join(format_key(value, tolerance) for value, tolerance in spec.numbers),
            "accepted": "\n".join(spec.accepted),
            "points": int(spec.points) if float(spec.points).is_integer() else spec.points,
            "explanation": spec.explanation,
            "tags": ", ".join(dict.fromkeys(t.removeprefix("category:") for t in spec.tags)),
            "difficulty": str(spec.difficulty), "lesson": spec.lesson or ""}, lessons=lessons)

    def typed_numbers(self) -> list[tuple[float, float] | None]:
        """Each line of the numeric answers read as a key; None for a line that is not one."""
        return [parse_key(line) for line in (self.numbers.data or "").splitlines() if line.strip()]

    def validate_numbers(self, field: Any) -> None:  # WTForms calls validate_<field> for the field
        if self.type.data == "numeric":
            bad = [line for line in (field.data or "").splitlines() if line.strip() and parse_key(line) is None]
            if bad:  # an empty field is the service's to name (PROBLEM_WORDS), like an empty fill-in
                raise ValidationError(_("“%(line)s”不是数字：每行写 3、3±0.5 或 1..5", line=bad[0][:40]))

    def to_spec(self, base: QuestionSpec | None = None) -> QuestionSpec:
        """What was typed, as a question (key and validity are the service's). Blank option rows are dropped and
        the ticked answers follow their options; what the form does not show (a file's category tag, GIFT's text
        format and per-answer feedback, partial-credit weights) is kept from ``base`` while it still fits."""
        kind = self.type.data
        ticked = {int(c) for c in self.correct.data or [] if str(c).isdigit()}
        options: list[str] = []
        correct: list[int] = []
        if kind in ("single", "multiple"):
            for index, entry in enumerate(self.options.entries):
                text = (entry.data or "").strip()
                if text:
                    if index in ticked:
                        correct.append(len(options))
                    options.append(text)
                elif index in ticked:
                    correct.append(len(LETTERS))  # ticked but empty: validate_spec names it
        truth = {"true": True, "false": False}.get(self.truth.data or "") if kind == "truefalse" else None
        accepted = tuple(a.strip() for a in (self.accepted.data or "").splitlines() if a.strip()) \
            if kind == "fill" else ()
        numbers = tuple(key for key in self.typed_numbers() if key is not None) if kind == "numeric" else ()
        typed_tags = split_tags(self.tags.data or "")
        kept = tuple(t for t in (base.tags if base else ()) if t.startswith("category:")
                     and t.removeprefix("category:") in typed_tags)
        extra = {k: v for k, v in (base.extra if base else {}).items() if k != "title"}
        if (self.name.data or "").strip():
            extra["title"] = self.name.data.strip()
        spec = QuestionSpec(
            key=base.key if base else "new", type=kind, stem=(self.stem.data or "").strip(), options=tuple(options),
            correct=tuple(correct), truth=truth, accepted=accepted, numbers=numbers,
            points=float(self.points.data) if self.points.data is not None else 0.0,
            explanation=(self.explanation.data or "").strip(), tags=(*kept, *typed_tags),
            difficulty=int(self.difficulty.data or 3), lesson=self.lesson.data or None, extra=extra)
        if base is not None and (base.type, base.options, base.accepted, base.numbers) == \
                (kind, spec.options, spec.accepted, spec.numbers):
            # The same answers to choose from: weights and per-answer feedback still refer to the right ones.
            spec = replace(spec, weights=base.weights if base.correct == spec.correct else None,
                           feedback=base.feedback)
        return spec
