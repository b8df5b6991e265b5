"""Moodle XML export: what Moodle's reader expects, and the round trip export → import gives the same questions."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from lms.core.markdown import render_markdown
from lms.quizzes.exporters.moodle_xml import export_moodle_xml
from lms.quizzes.importers import parse_file
from lms.quizzes.specs import QuestionSpec

PICTURE = b"\x89PNG\r\n\x1a\n-a-small-picture"
SPECS = [
    QuestionSpec(key="q-single", type="single", stem="哪项是 **5G** 套餐？\n\n![套餐](/media/plan.png)",
                 options=("畅享 5G", "4G 基础", "宽带"), correct=(0,), explanation="见资费表。",
                 feedback=("对", "不对", "不对"), tags=("资费",), extra={"title": "套餐识别"}, points=2.0),
    QuestionSpec(key="q-partial", type="single", stem="Best?", options=("best", "partly", "wrong"), correct=(0,),
                 weights=(1.0, 0.5, -0.3333333)),
    QuestionSpec(key="q-multiple", type="multiple", stem="Pick", options=("a", "b", "c", "d"), correct=(0, 1),
                 weights=(0.5, 0.5, -1.0, 0.0), feedback=("fa", "fb", "fc", "fd")),
    QuestionSpec(key="q-tf", type="truefalse", stem="Moodle is open source.", truth=True,
                 feedback=("Right.", "Wrong.")),
    QuestionSpec(key="q-fill", type="fill", stem="Capital of France?", accepted=("Paris", "Par*"),
                 weights=(1.0, 0.5), feedback=("Yes", "Almost"), extra={"usecase": "1"}),
    QuestionSpec(key="q-numeric", type="numeric", stem="Answer?", numbers=((42.0, 0.5), (13.0, 0.0)),
                 weights=(1.0, 0.0), feedback=("Well done!", "No")),
]


def media(url: str) -> tuple[str, bytes] | None:
    return ("plan.png", PICTURE) if url == "/media/plan.png" else None


@pytest.fixture(scope="module")
def exported() -> bytes:
    return export_moodle_xml(SPECS, category="渠道政策/终端", media=media)


def test_round_trip_gives_the_same_questions_answers_and_scores(exported: bytes) -> None:
    result = parse_file(exported, "export.xml")
    assert not result.skipped
    assert not result.refused
    assert len(result.questions) == len(SPECS)
    for before, after in zip(SPECS, result.questions, strict=True):
        assert (after.key, after.type, after.points) == (before.key, before.type, before.points)
        assert (after.correct, after.weights, after.truth) == (before.correct, before.weights, before.truth)
        assert (after.accepted, after.numbers) == (before.accepted, before.numbers)
        assert after.tags == ("渠道政策/终端", *before.tags)
        assert after.extra.get("title") == before.extra.get("title", after.extra.get("title"))
        assert after.extra.get("usecase") == before.extra.get("usecase")
        # Texts come back as the HTML they were rendered to: they show the same.
        assert render_markdown(after.stem).replace("import-media/plan.png", "/media/plan.png") == \
            render_markdown(before.stem)
        assert [render_markdown(o) for o in after.options] == [render_markdown(o) for o in before.options]
        assert [render_markdown(f) for f in after.feedback] == [render_markdown(f) for f in before.feedback]
        assert render_markdown(after.explanation) == render_markdown(before.explanation)


def test_the_picture_survives_the_round_trip(exported: bytes) -> None:
    result = parse_file(exported, "export.xml")
    assert result.files == {"plan.png": PICTURE}
    assert '<img alt="套餐" src="import-media/plan.png">' in render_markdown(result.questions[0].stem)


def test_a_multiple_choice_without_weights_gets_moodle_fractions_that_add_up() -> None:
    spec = QuestionSpec(key="m", type="multiple", stem="Pick", options=("a", "b", "c"), correct=(0, 1, 2))
    [question] = parse_file(export_moodle_xml([spec], category="c", media=media), "m.xml").questions
    assert (question.correct, question.weights) == ((0, 1, 2), (0.3333333, 0.3333333, 0.3333333))


def question_elements(exported: bytes) -> list[Element]:
    return fromstring(exported).findall("question")


def test_the_file_has_the_shape_moodles_reader_expects(exported: bytes) -> None:
    assert exported.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    category, *questions = question_elements(exported)
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/渠道政策/终端"
    assert [q.get("type") for q in questions] == \
        ["multichoice", "multichoice", "multichoice", "truefalse", "shortanswer", "numerical"]
    for question in questions:
        assert question.findtext("name/text")
        assert question.find("questiontext").get("format") == "html"
        assert question.findtext("defaultgrade")
        assert all(answer.get("fraction") is not None for answer in question.findall("answer"))
    single = questions[0]
    assert single.findtext("single") == "true"
    assert single.findtext("idnumber") == "q-single"
    assert [a.get("fraction") for a in single.findall("answer")] == ["100", "0", "0"]
    assert [a.get("fraction") for a in questions[1].findall("answer")] == ["100", "50", "-33.33333"]
    assert questions[2].findtext("single") == "false"
    text = single.findtext("questiontext/text")
    assert '<img alt="套餐" src="@@PLUGINFILE@@/plan.png">' in text
    file = single.find("questiontext/file")
    assert (file.get("name"), file.get("encoding"), file.get("path")) == ("plan.png", "base64", "/")
    assert [a.findtext("text") for a in questions[3].findall("answer")] == ["true", "false"]
    assert questions[4].findtext("usecase") == "1"
    assert [a.findtext("tolerance") for a in questions[5].findall("answer")] == ["0.5", "0"]
    assert [t.findtext("text") for t in single.findall("tags/tag")] == ["资费"]


def test_a_picture_the_resolver_does_not_know_keeps_its_address() -> None:
    spec = QuestionSpec(key="x", type="truefalse", stem="![x](https://example.org/x.png)", truth=False)
    [_, question] = question_elements(export_moodle_xml([spec], category="c", media=media))
    assert 'src="https://example.org/x.png"' in question.findtext("questiontext/text")
    assert question.find("questiontext/file") is None
