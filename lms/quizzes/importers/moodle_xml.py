"""Moodle XML (question/format/xml, what Moodle exports by default) → QuestionSpecs.

Read as Moodle's own importer reads it: ``<question type="category">`` switches the category (kept as a tag, like
GIFT's ``$CATEGORY``), ``<name>`` names the question, ``<idnumber>`` is its key, each text is converted from its
``format`` attribute, ``<file encoding="base64">`` pictures referenced as ``@@PLUGINFILE@@/…`` become
ImportResult.files, and the old ``<image>``/``<image_base64>`` pair is appended to the stem as Moodle does.

The platform's types are multichoice (single and multiple), truefalse, shortanswer and numerical; other Moodle
types are skipped with their name, and a question Moodle would refuse (a fraction outside Moodle's list, a multiple
choice whose right answers do not add up to 100 %, no fully right answer, an empty text) is refused with its line;
the other questions still import. The XML is parsed by defusedxml: no entity expansion, no external entities.
Pure: no Flask.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.gift_lexer import category_tag
from lms.quizzes.importers.results import MAX_QUESTIONS, MEDIA_PREFIX, ImportResult, Skipped, too_many_questions
from lms.quizzes.importers.text_formats import to_markdown
from lms.quizzes.specs import LETTERS, QuestionSpec

MAX_XML_BYTES = 50 * 1024 * 1024  # Moodle exports carry their pictures as base64: far bigger than a GIFT file
FORMATS = {"moodle_auto_format": "moodle", "html": "html", "plain_text": "plain", "markdown": "markdown",
           "wiki_like": "moodle"}
# Moodle's answer grades (question_bank::fraction_options_full): an import with any other fraction is an error.
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
FRACTION_TOLERANCE = 0.00001  # Moodle's match_grade_options
SKIPPED_TYPES = {
    "description": "说明文字（description），不是题目",
    "essay": "问答题（essay）需要人工评分，本系统不支持",
    "matching": "配对题（matching）本系统不支持",
    "cloze": "完形填空/嵌入式答案题（cloze）本系统不支持",
    "multianswer": "完形填空/嵌入式答案题（multianswer）本系统不支持",
    "ddwtos": "拖放文字题（ddwtos）本系统不支持",
    "gapselect": "下拉选词填空题（gapselect）本系统不支持",
    "ddimageortext": "拖放到图片题（ddimageortext）本系统不支持",
    "ddmarker": "拖放标记题（ddmarker）本系统不支持",
    "calculated": "计算题（calculated）本系统不支持",
    "calculatedsimple": "简单计算题（calculatedsimple）本系统不支持",
    "calculatedmulti": "计算选择题（calculatedmulti）本系统不支持",
    "randomsamatch": "随机简答配对题（randomsamatch）本系统不支持",
    "ordering": "排序题（ordering）本系统不支持",
    "random": "随机抽题（random）不是具体题目，本系统不支持",
}
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>()]+)")
_TAG = re.compile(r"<[^>]*>")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Refused(Exception):
    """A question written wrongly: it goes to ImportResult.refused, the others still import."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on (ElementTree itself keeps no positions)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber if self.parser is not None else 0
        return element


def parse_moodle_xml(data: bytes, filename: str) -> ImportResult:
    if len(data) > MAX_XML_BYTES:
        raise ValidationFailed(
            f"{filename}：文件大小 {len(data) / (1 << 20):.1f} MB 超过 {MAX_XML_BYTES >> 20} MB 的上限，已拒绝"
            "（可在 Moodle 中按类别分批导出）"
        )
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ValidationFailed(f"{filename}：XML 含有实体声明或外部引用，出于安全原因已拒绝") from exc
    except SyntaxError as exc:  # ParseError (of either ElementTree module) is a SyntaxError carrying the position
        line, column = getattr(exc, "position", (0, 0))
        raise ValidationFailed(
            f"{filename}：第{line}行第{column + 1}列 XML 格式错误，不是有效的 Moodle XML 文件"
        ) from exc
    if root.tag != "quiz":
        raise ValidationFailed(f"{filename}：根元素是 <{root.tag}> 而不是 <quiz>，不是 Moodle XML 题库文件")
    return _FileReader(filename, builder.lines).read(root)


@dataclass
class _FileReader:
    filename: str
    lines: dict[int, int]
    questions: list[QuestionSpec] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)

    def read(self, root: Element) -> ImportResult:
        category: str | None = None
        ordinal = 0
        for element in root.iterfind("question"):
            line = self.lines.get(id(element), 0)
            kind = (element.get("type") or "").strip()
            if kind == "category":
                category = category_tag(_category_path(element)) or None
                continue
            ordinal += 1
            if ordinal > MAX_QUESTIONS:
                raise too_many_questions(self.filename, line)
            # Moodle cleans a name as PARAM_TEXT: no tags, one line.
            name = " ".join(_TAG.sub("", _text(element.find("name"))).split())[:255]
            try:
                outcome = self.question(element, kind, ordinal, category=category, line=line, name=name)
            except Refused as exc:
                self.refused.append(Skipped(name or _excerpt(_text(element.find("questiontext"))), line, exc.reason))
                continue
            if isinstance(outcome, Skipped):
                self.skipped.append(outcome)
            else:
                self.questions.append(outcome)
        return ImportResult(questions=self.questions, skipped=self.skipped, format="moodle-xml",
                            refused=self.refused, files=self.files)

    def question(self, element: Element, kind: str, ordinal: int, *, category: str | None, line: int,
                 name: str) -> QuestionSpec | Skipped:
        label = name or _excerpt(_text(element.find("questiontext")))
        if kind in SKIPPED_TYPES:
            return Skipped(label, line, SKIPPED_TYPES[kind])
        if kind not in ("multichoice", "truefalse", "shortanswer", "numerical"):
            return Skipped(label, line, f"题型“{kind or '（未注明）'}”本系统不支持")
        media = _Media(self.files, element)
        stem_format = _format(element.find("questiontext"), "html")
        stem = media.markdown(_text(element.find("questiontext")), stem_format)
        stem = media.old_image(element, stem)
        if not _has_content(stem):
            raise Refused("题干为空")
        key = _text_of(element.find("idnumber")).strip()[:100] or f"xml-{ordinal}"
        if key in self.keys:
            raise Refused(f"题目编号 idnumber“{key}”与第{self.keys[key]}行的题目重复")
        self.keys[key] = line
        explanation_element = element.find("generalfeedback")
        tags = tuple(dict.fromkeys(
            [*([category] if category else []),
             *(tag for tag in (_text(item).strip()[:100] for item in element.iterfind("tags/tag"))
               if tag)]
        ))
        spec = QuestionSpec(
            key=key,
            type="single",
            stem=stem,
            points=_points(element),
            explanation=media.markdown(_text(explanation_element), _format(explanation_element, stem_format)),
            tags=tags,
            source=f"{self.filename}:{line}",
            extra={"title": name} if name else {},
        )
        answers = [_Answer.read(item, media, stem_format) for item in element.iterfind("answer")]
        if kind == "multichoice":
            return _multichoice(spec, element, answers)
        if kind == "truefalse":
            return _truefalse(spec, answers)
        if kind == "shortanswer":
            return _shortanswer(spec, element, answers)
        return _numerical(spec, element, answers, label, line)


@dataclass(frozen=True)
class _Answer:
    text: str  # as written (trimmed)
    markdown: str  # for options: converted from its format
    fraction: float
    feedback: str  # Markdown
    element: Element

    @classmethod
    def read(cls, element: Element, media: _Media, default_format: str) -> _Answer:
        raw = _text(element)
        written = element.get("fraction")
        if written is None:  # Moodle 1.x wrote <fraction> as an element
            written = _text_of(element.find("fraction")) or "0"
        try:
            fraction = float(written) / 100
        except ValueError:
            raise Refused(f"答案“{_excerpt(raw)}”的得分比例“{written}”不是数字") from None
        if not math.isfinite(fraction) or not any(abs(fraction - sign * allowed) < FRACTION_TOLERANCE
                                                  for allowed in MOODLE_FRACTIONS for sign in (1, -1)):
            raise Refused(f"答案“{_excerpt(raw)}”的得分比例 {written}% 不是 Moodle 允许的值"
                          "（如 100、50、33.33333、25、-50 等）")
        feedback_element = element.find("feedback")
        return cls(
            text=raw.strip(),
            markdown=media.markdown(raw, _format(element, default_format)),
            fraction=_snap(fraction),
            feedback=media.markdown(_text(feedback_element), _format(feedback_element, default_format)),
            element=element,
        )


def _multichoice(spec: QuestionSpec, element: Element, answers: list[_Answer]) -> QuestionSpec | Skipped:
    if len(answers) < 2:
        raise Refused("选择题至少需要两个选项")
    empty = [number for number, answer in enumerate(answers, 1) if not _has_content(answer.markdown)]
    if empty:
        raise Refused(f"第 {empty[0]} 个选项内容为空")
    if len(answers) > len(LETTERS):
        return Skipped(spec.extra.get("title", ""), _line(spec), f"选项有 {len(answers)} 个，本系统最多支持 "
                       f"{len(LETTERS)} 个")
    fractions = tuple(answer.fraction for answer in answers)
    spec = replace(spec, options=tuple(answer.markdown for answer in answers),
                   feedback=_feedback([answer.feedback for answer in answers]))
    single = _text_of(element.find("single")).strip().lower() not in ("false", "0")
    if single:
        if max(fractions) != 1:
            raise Refused(f"单选题须有一个得 100% 的选项，现在最高是 {max(fractions) * 100:g}%")
        correct = tuple(i for i, f in enumerate(fractions) if f == 1)
        # Partial fractions, or several fully right options (either is right, as Moodle scores it): kept as weights.
        partial = len(correct) > 1 or any(fraction not in (0, 1) for fraction in fractions)
        return replace(spec, type="single", correct=correct, weights=fractions if partial else None)
    total = round(sum(fraction for fraction in fractions if fraction > 0), 2)
    if total != 1:
        raise Refused(f"多选题各正确选项的得分比例之和应为 100%，现在是 {total * 100:g}%")
    # Moodle scores a multiple choice by its fractions (the chosen ones summed, clamped to 0..100 %): always kept.
    return replace(spec, type="multiple", correct=tuple(i for i, f in enumerate(fractions) if f > 0),
                   weights=fractions)


def _truefalse(spec: QuestionSpec, answers: list[_Answer]) -> QuestionSpec:
    if len(answers) != 2:
        raise Refused(f"判断题应有 true 和 false 两个答案，现在有 {len(answers)} 个")
    by_word: dict[str, _Answer] = {}
    for position, answer in enumerate(answers):
        word = answer.text.lower()
        if word not in ("true", "false"):  # Moodle: an old file without the words lists true first, then false
            word = "true" if position == 0 else "false"
        by_word[word] = answer
    if set(by_word) != {"true", "false"}:
        raise Refused("判断题的两个答案应分别是 true 和 false")
    if by_word["true"].fraction == 1:
        truth = True
    elif by_word["false"].fraction == 1:
        truth = False
    else:
        raise Refused("判断题没有得 100% 的答案")
    return replace(spec, type="truefalse", truth=truth,
                   feedback=_feedback([by_word["true"].feedback, by_word["false"].feedback]))


def _shortanswer(spec: QuestionSpec, element: Element, answers: list[_Answer]) -> QuestionSpec:
    if not answers:
        raise Refused("填空题没有答案")
    if any(not answer.text for answer in answers):
        raise Refused("填空题的答案为空")
    if max(answer.fraction for answer in answers) != 1:
        raise Refused("填空题没有得 100% 的答案")
    fractions = tuple(answer.fraction for answer in answers)
    extra = dict(spec.extra)
    if _text_of(element.find("usecase")).strip() == "1":
        # The platform compares case-insensitively; the trainer sees that Moodle did not.
        extra["usecase"] = "1"
    return replace(spec, type="fill", accepted=tuple(answer.text for answer in answers),
                   weights=None if all(fraction == 1 for fraction in fractions) else fractions,
                   feedback=_feedback([answer.feedback for answer in answers]), extra=extra)


def _numerical(spec: QuestionSpec, element: Element, answers: list[_Answer], label: str,
               line: int) -> QuestionSpec | Skipped:
    units = [_text_of(unit.find("unit_name")).strip() for unit in element.iterfind("units/unit")]
    grading = _text_of(element.find("unitgradingtype")).strip()
    if units and grading not in ("", "0"):
        return Skipped(label, line, f"数值题要求填写单位（{'、'.join(u for u in units if u)}），本系统只比较数值")
    numbers: list[tuple[float, float]] = []
    kept: list[_Answer] = []
    extra = dict(spec.extra)
    for answer in answers:
        if answer.text in ("*", ""):
            if answer.fraction > 0:
                return Skipped(label, line, "数值题的“*”答案（任何数字都得分）本系统不支持")
            if answer.feedback:  # feedback for any other number: the platform has no place to show it
                extra["feedback_other"] = answer.feedback
            continue
        try:
            value = float(answer.text)
            tolerance = abs(float(_text_of(answer.element.find("tolerance")).strip() or 0))
        except ValueError:
            raise Refused(f"数值题的答案“{_excerpt(answer.text)}”或其误差不是数字") from None
        if not (math.isfinite(value) and math.isfinite(tolerance)):
            raise Refused(f"数值题的答案“{_excerpt(answer.text)}”不是有限的数字")
        numbers.append((value, tolerance))
        kept.append(answer)
    if not kept or max(answer.fraction for answer in kept) != 1:
        raise Refused("数值题没有得 100% 的答案")
    fractions = tuple(answer.fraction for answer in kept)
    return replace(spec, type="numeric", numbers=tuple(numbers),
                   weights=None if all(fraction == 1 for fraction in fractions) else fractions,
                   feedback=_feedback([answer.feedback for answer in kept]), extra=extra)


class _Media:
    """The question's embedded files: each decoded once into the file's ``files`` under a name unique in the file,
    and every ``@@PLUGINFILE@@/…`` reference in the question's texts pointed at ``import-media/<name>``."""

    def __init__(self, files: dict[str, bytes], question: Element) -> None:
        self.files = files
        self.names: dict[str, str] = {}  # path in the question ("myfolder/moodle.txt") → name in ImportResult.files
        for item in question.iter("file"):
            path = ((item.get("path") or "/").strip("/") + "/" + (item.get("name") or "").strip()).strip("/")
            if path and path not in self.names:
                self.names[path] = self.add(path.rsplit("/", 1)[-1], _decode(item.text or "", path))

    def add(self, wanted: str, content: bytes) -> str:
        stem, dot, suffix = (_SAFE_NAME.sub("-", wanted).strip("-.") or "file").rpartition(".")
        if not dot:
            stem, suffix = suffix, ""
        ending = f".{suffix}" if dot else ""
        name, number = f"{stem}{ending}", 1
        while name in self.files and self.files[name] != content:
            number += 1
            name = f"{stem}-{number}{ending}"
        self.files[name] = content
        return name

    def markdown(self, text: str, text_format: str) -> str:
        def point(match: re.Match[str]) -> str:
            name = self.names.get(unquote(match.group(1)).strip("/"))
            return f"{MEDIA_PREFIX}{name}" if name else match.group()

        return to_markdown(_PLUGINFILE.sub(point, text), text_format)

    def old_image(self, question: Element, stem: str) -> str:
        """Moodle 1.9's ``<image>`` + ``<image_base64>``: Moodle appends the picture to the question text."""
        data, wanted = _text_of(question.find("image_base64")), _text_of(question.find("image")).strip()
        if not (data.strip() and wanted):
            return stem
        name = self.add(wanted.replace("/", "_"), _decode(data, wanted))
        return f'{stem} <img src="{MEDIA_PREFIX}{name}" alt="">'.strip()


def _decode(data: str, name: str) -> bytes:
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(f"内嵌文件“{name}”的 base64 内容无法解码") from None


def _text(element: Element | None) -> str:
    """The ``<text>`` child of a Moodle text element, as written (CDATA and entities already resolved)."""
    if element is None:
        return ""
    return _text_of(element.find("text")).strip()


def _text_of(element: Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


def _format(element: Element | None, default: str) -> str:
    written = (element.get("format") if element is not None else None) or ""
    return FORMATS.get(written.strip(), default if not written.strip() else "html")


def _category_path(element: Element) -> str:
    category = element.find("category")
    if category is None:
        return ""
    return _text(category) or _text_of(category).strip()


def _points(element: Element) -> float:
    written = _text_of(element.find("defaultgrade")).strip()
    if not written:
        return 1.0
    try:
        points = float(written)
    except ValueError:
        raise Refused(f"分值“{written}”不是数字") from None
    if not (math.isfinite(points) and points > 0):
        raise Refused(f"分值 {written} 应大于 0")
    return points


def _snap(fraction: float) -> float:
    """Moodle's stored grade (0.3333333 for 33.33333 %), so equal fractions compare equal."""
    for allowed in MOODLE_FRACTIONS:
        for value in (allowed, -allowed):
            if abs(fraction - value) < FRACTION_TOLERANCE:
                return value
    return fraction


def _has_content(markdown: str) -> bool:
    return bool(_TAG.sub("", markdown).replace("&nbsp;", "").strip()) or "<img" in markdown


def _feedback(texts: list[str]) -> tuple[str, ...]:
    return tuple(texts) if any(texts) else ()


def _excerpt(text: str, length: int = 40) -> str:
    plain = " ".join(_TAG.sub(" ", text).split())
    return plain if len(plain) <= length else plain[: length - 1] + "…"


def _line(spec: QuestionSpec) -> int:
    return int(spec.source.rsplit(":", 1)[1])
