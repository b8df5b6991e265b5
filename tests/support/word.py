"""Word documents for tests, written with python-docx the way a trainer types a paper: section headings, numbered
stems, options, 答案/解析/难度/知识点 lines, screenshots pasted into stems and options."""

from __future__ import annotations

import io
from collections.abc import Iterable

import docx
from docx.document import Document
from docx.shared import Cm
from PIL import Image, ImageDraw

Line = str | bytes  # text, or a picture (PNG bytes) pasted into the paragraph


def picture_png(seed: int, *, width: int = 160, height: int = 90) -> bytes:
    """A small PNG, different for every ``seed`` (so each question's picture is its own file)."""
    image = Image.new("RGB", (width, height), (240, 244, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, width - 8, 28), fill=((seed * 37) % 256, (seed * 91) % 256, 160))
    draw.text((10, 40), f"#{seed}", fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class WordPaper:
    """A .docx built paragraph by paragraph; ``para("1. 题干", png)`` writes the text then the picture."""

    def __init__(self) -> None:
        self.document: Document = docx.Document()

    def para(self, *parts: Line) -> WordPaper:
        paragraph = self.document.add_paragraph()
        for part in parts:
            if isinstance(part, bytes):
                paragraph.add_run().add_picture(io.BytesIO(part), width=Cm(3))
            else:
                paragraph.add_run(part)
        return self

    def lines(self, lines: Iterable[Line | tuple[Line, ...]]) -> WordPaper:
        for line in lines:
            self.para(*(line if isinstance(line, tuple) else (line,)))
        return self

    def table(self, rows: list[list[str]]) -> WordPaper:
        table = self.document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        return self

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


KINDS = ("single", "multiple", "truefalse", "fill", "numeric")
HEADINGS = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "fill": "填空题", "numeric": "数值题"}
NUMERALS = "一二三四五"


def trainer_paper(count: int = 100, *, picture_every: int = 4) -> bytes:
    """``count`` questions in five sections (single, multiple, true/false, fill, numeric, in equal shares), each with
    解析, 难度 and 知识点; every ``picture_every``-th question has a screenshot in its stem, and every single-choice
    question whose number is a multiple of 10 one in its option B. Question n's answer is predictable: see
    ``expected_answer``."""
    paper = WordPaper().para("渠道经理月度考试题库").para("说明：本卷由培训组整理，答案见每题之后。")
    per_kind = [count // len(KINDS) + (1 if index < count % len(KINDS) else 0) for index in range(len(KINDS))]
    number = 0
    for index, (kind, size) in enumerate(zip(KINDS, per_kind, strict=True)):
        paper.para(f"{NUMERALS[index]}、{HEADINGS[kind]}（共{size}题，每题{index + 1}分）")
        for ordinal in range(1, size + 1):
            number += 1
            _question(paper, kind, number, ordinal, picture=number % picture_every == 0)
    return paper.bytes()


def expected_answer(kind: str, number: int) -> object:
    """What question ``number`` (1-based over the paper) of ``kind`` answers, as the QuestionSpec holds it."""
    if kind == "single":
        return (number % 4,)
    if kind == "multiple":
        return tuple(sorted({number % 4, (number + 1) % 4}))
    if kind == "truefalse":
        return number % 2 == 0
    if kind == "fill":
        return (f"答案{number}", f"ANSWER{number}")
    return ((float(number), 0.5),)


def _question(paper: WordPaper, kind: str, number: int, ordinal: int, *, picture: bool) -> None:
    stem = f"{ordinal}. 第{number}题：关于本月渠道政策，下列说法"
    if kind == "fill":
        stem = f"{ordinal}、第{number}题：星级渠道的考核指标是____。"
    elif kind == "numeric":
        stem = f"{ordinal}．第{number}题：本月每户酬金为多少元？"
    paper.para(stem, picture_png(number)) if picture else paper.para(stem)
    letters = "ABCD"
    if kind in ("single", "multiple"):
        options = [f"{letter}. 选项{letter}{number}" for letter in letters]
        if number % 3 == 0:  # several on one line, as many papers print them
            paper.para("    ".join(options))
        elif kind == "single" and number % 10 == 0:
            paper.lines(options[:1]).para(options[1], picture_png(1000 + number)).lines(options[2:])
        else:
            paper.lines(options)
    answer = expected_answer(kind, number)
    if kind in ("single", "multiple"):
        written = "".join(letters[i] for i in answer)  # type: ignore[union-attr]
        paper.para(f"答案：{written}" if number % 2 else f"【答案】{'、'.join(written)}")
    elif kind == "truefalse":
        paper.para(f"正确答案：{('对', '√', '正确')[number % 3] if answer else ('错', '×', '错误')[number % 3]}")
    elif kind == "fill":
        paper.para(f"答案：答案{number}；ANSWER{number}")
    else:
        paper.para(f"答案：{number}±0.5")
    paper.para(f"解析：第{number}题的解析。").para("解析的第二段。")
    paper.para(f"难度：{('易', '中', '难')[number % 3]}").para(f"知识点：政策{number % 5}、渠道")
