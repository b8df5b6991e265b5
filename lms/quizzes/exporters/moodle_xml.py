"""QuestionSpecs → Moodle XML that Moodle's importer (question/format/xml) reads.

Single and multiple choice become ``multichoice``, true/false ``truefalse``, fill-in ``shortanswer`` and numeric
``numerical``. Markdown texts are rendered to HTML (lms.core.markdown) and written with ``format="html"``; a picture
whose address ``media`` resolves is embedded as a base64 ``<file>`` and referenced as ``@@PLUGINFILE@@/<name>``, as
Moodle exports it. Fractions are written as Moodle's percentages; a weight close to one of Moodle's allowed grades
is written as that grade, others as they are (Moodle's import then asks for "nearest grade").

A multiple choice without weights (scored by the quiz's policy here) is written with Moodle's usual partial-credit
fractions: each right option 1/k of the mark (k right options, always one of Moodle's grades for k ≤ 10) and each
wrong one -100 %, so a wrong tick costs everything, as close to all-or-nothing as Moodle's multichoice comes.
Pure: no Flask.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from lms.core.markdown import render_markdown
from lms.quizzes.importers.moodle_xml import FRACTION_TOLERANCE, MOODLE_FRACTIONS
from lms.quizzes.specs import QuestionSpec

_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
_TAG = re.compile(r"<[^>]*>")
MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse", "fill": "shortanswer",
                "numeric": "numerical"}


def export_moodle_xml(specs: Iterable[QuestionSpec], *, category: str,
                      media: Callable[[str], tuple[str, bytes] | None]) -> bytes:
    """The questions as one Moodle XML file, all in ``$course$/top/<category>``."""
    quiz = Element("quiz")
    head = SubElement(quiz, "question", type="category")
    _text(SubElement(head, "category"), f"$course$/top/{category.strip('/')}")
    for spec in specs:
        _question(quiz, spec, media)
    indent(quiz, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="utf-8", xml_declaration=False) + b"\n"


def _question(quiz: Element, spec: QuestionSpec, media: Callable[[str], tuple[str, bytes] | None]) -> None:
    question = SubElement(quiz, "question", type=MOODLE_TYPES[spec.type])
    _text(SubElement(question, "name"), spec.extra.get("title") or _name(spec.stem))
    _html(question, "questiontext", spec.stem, media)
    _html(question, "generalfeedback", spec.explanation, media)
    _text_element(question, "defaultgrade", _number(spec.points))
    _text_element(question, "penalty", "0.3333333")
    _text_element(question, "hidden", "0")
    _text_element(question, "idnumber", spec.key)
    if spec.type in ("single", "multiple"):
        _choices(question, spec, media)
    elif spec.type == "truefalse":
        for index, word in enumerate(("true", "false")):
            right = (word == "true") == bool(spec.truth)
            answer = _answer(question, 1.0 if right else 0.0, "moodle_auto_format")
            _text(answer, word)
            _html(answer, "feedback", _at(spec.feedback, index), media)
    elif spec.type == "fill":
        _text_element(question, "usecase", spec.extra.get("usecase", "0"))
        for index, accepted in enumerate(spec.accepted):
            answer = _answer(question, _weight(spec, index), "plain_text")
            _text(answer, accepted)
            _html(answer, "feedback", _at(spec.feedback, index), media)
    else:
        for index, (value, tolerance) in enumerate(spec.numbers):
            answer = _answer(question, _weight(spec, index), "plain_text")
            _text(answer, _number(value))
            _html(answer, "feedback", _at(spec.feedback, index), media)
            _text_element(answer, "tolerance", _number(tolerance))
        _text_element(question, "unitgradingtype", "0")
        _text_element(question, "unitpenalty", "0.1000000")
        _text_element(question, "showunits", "3")  # no units
        _text_element(question, "unitsleft", "0")
    if spec.tags:
        tags = SubElement(question, "tags")
        for tag in spec.tags:
            _text(SubElement(tags, "tag"), tag)


def _choices(question: Element, spec: QuestionSpec, media: Callable[[str], tuple[str, bytes] | None]) -> None:
    _text_element(question, "single", "true" if spec.type == "single" else "false")
    _text_element(question, "shuffleanswers", "true")
    _text_element(question, "answernumbering", "ABCD")
    if spec.weights is not None:
        fractions = list(spec.weights)
    elif spec.type == "single":
        fractions = [1.0 if index in spec.correct else 0.0 for index in range(len(spec.options))]
    else:
        share = 1 / max(len(spec.correct), 1)
        fractions = [share if index in spec.correct else -1.0 for index in range(len(spec.options))]
    for index, option in enumerate(spec.options):
        answer = _answer(question, fractions[index], "html")
        _html_text(answer, option, media)
        _html(answer, "feedback", _at(spec.feedback, index), media)


def _answer(question: Element, fraction: float, text_format: str) -> Element:
    return SubElement(question, "answer", fraction=_percent(fraction), format=text_format)


def _html(parent: Element, tag: str, markdown: str, media: Callable[[str], tuple[str, bytes] | None]) -> None:
    element = SubElement(parent, tag, format="html")
    _html_text(element, markdown, media)


def _html_text(element: Element, markdown: str, media: Callable[[str], tuple[str, bytes] | None]) -> None:
    html = render_markdown(markdown).strip() if markdown.strip() else ""
    files: dict[str, bytes] = {}

    def embed(match: re.Match[str]) -> str:
        found = media(match.group(2))
        if found is None:
            return match.group()
        wanted, content = found
        name, number = wanted, 1
        while name in files and files[name] != content:
            number += 1
            stem, dot, suffix = wanted.rpartition(".")
            name = f"{stem}-{number}.{suffix}" if dot else f"{wanted}-{number}"
        files[name] = content
        return f"{match.group(1)}@@PLUGINFILE@@/{quote(name)}{match.group(3)}"

    _text(element, _IMG_SRC.sub(embed, html))
    for name, content in files.items():
        SubElement(element, "file", name=name, path="/", encoding="base64").text = base64.b64encode(content).decode()


def _text(parent: Element, value: str) -> None:
    SubElement(parent, "text").text = value


def _text_element(parent: Element, tag: str, value: str) -> None:
    SubElement(parent, tag).text = value


def _weight(spec: QuestionSpec, index: int) -> float:
    return spec.weights[index] if spec.weights is not None and index < len(spec.weights) else 1.0


def _at(texts: tuple[str, ...], index: int) -> str:
    return texts[index] if index < len(texts) else ""


def _percent(fraction: float) -> str:
    for allowed in MOODLE_FRACTIONS:
        for value in (allowed, -allowed):
            if abs(fraction - value) < FRACTION_TOLERANCE:
                fraction = value
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".") if fraction else "0"


def _number(value: float) -> str:
    return f"{value:.15g}"


def _name(stem: str) -> str:
    plain = " ".join(_TAG.sub(" ", render_markdown(stem)).split()) or "question"
    return plain if len(plain) <= 60 else plain[:59] + "…"
