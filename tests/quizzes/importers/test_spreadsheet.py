"""The .xlsx template: what trainers download, what they fill in, and each row error named by its row number."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import openpyxl
import pytest

from lms.core.errors import ValidationFailed
from lms.quizzes.importers import ImportResult, parse_file, xlsx_template
from lms.quizzes.importers.spreadsheet import COLUMNS

CHINESE = [chinese for _, chinese, _ in COLUMNS]
ENGLISH = [english for _, _, english in COLUMNS]


def workbook(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header if header is not None else CHINESE)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**values: Any) -> list[Any]:
    """A template row from Chinese column names: row(题型="单选", 题干="Q", 选项A="x", ...)."""
    return [values.get(name) for name in CHINESE]


def read(rows: list[list[Any]], header: list[str] | None = None) -> ImportResult:
    return parse_file(workbook(rows, header), "题库.xlsx")


def refusal(data: bytes, filename: str = "题库.xlsx") -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse_file(data, filename)
    return caught.value


def test_template_has_chinese_headers_examples_and_a_guide() -> None:
    data = xlsx_template()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["题目", "填写说明"]
    sheet = book["题目"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "分值", "解析",
                      "标签", "难度", "关联课程", "名称"]
    assert sheet.data_validations.dataValidation  # a drop-down for 题型 and a 1–5 check for 难度
    guide = " ".join(str(cell.value) for line in book["填写说明"].iter_rows() for cell in line)
    assert "用 | 分隔" in guide
    assert "ABD" in guide


def test_the_template_as_downloaded_imports_its_examples() -> None:
    result = parse_file(xlsx_template(), "模板.xlsx")
    assert result.format == "xlsx"
    assert [q.type for q in result.questions] == ["single", "multiple", "truefalse", "fill"]
    single, multiple, truefalse, fill = result.questions
    assert (single.correct, single.points, single.tags, single.difficulty) == ((0,), 5.0, ("终端", "政策"), 2)
    assert multiple.correct == (0, 1, 2)
    assert truefalse.truth is True
    assert fill.accepted == ("200", "二百")
    assert [q.source for q in result.questions] == [f"模板.xlsx:{n}" for n in range(2, 6)]
    assert [q.extra for q in result.questions] == [{"title": "终端补贴有效期"}, {}, {}, {}]


def test_every_column_is_read() -> None:
    values = row(题型="多选题", 题干="哪些是**宽带**业务？", 选项A="新装", 选项B="移机", 选项C="换终端", 答案="A、B",
                 分值="2.5分", 解析="见宽带政策。", 标签="宽带，政策;  新装 ", 难度="较难", 关联课程="broadband-policy")
    [question] = read([values]).questions
    assert question.type == "multiple"
    assert question.stem == "哪些是**宽带**业务？"
    assert question.options == ("新装", "移机", "换终端")
    assert question.correct == (0, 1)
    assert (question.points, question.explanation, question.difficulty) == (2.5, "见宽带政策。", 4)
    assert question.tags == ("宽带", "政策", "新装")
    assert (question.lesson, question.key) == ("broadband-policy", "xlsx-2")


def test_the_name_column_names_the_question_and_may_be_left_out() -> None:
    named, unnamed = read([row(题型="判断", 题干="Q1", 答案="对", 名称=" 预存话费 "),
                           row(题型="判断", 题干="Q2", 答案="错")]).questions
    assert (named.extra, unnamed.extra) == ({"title": "预存话费"}, {})
    [older] = read([["判断", "Q3", "", "", "", "", "", "", "对"]], header=CHINESE[:-1]).questions  # older template
    assert older.extra == {}
    [refused] = read([row(题型="判断", 题干="Q", 答案="对", 名称="长" * 201)]).refused
    assert "名称不能超过200个字符" in refused.reason


def test_english_headers_and_type_names() -> None:
    rows = [["single", "Q1", "a", "b", "", "", "", "", "B", 1, "", "", 3, ""],
            ["truefalse", "Q2", "", "", "", "", "", "", "false", 1, "", "", 3, ""]]
    result = read(rows, header=[h.replace("_", " ").title() for h in ENGLISH])  # "Option A", "Type", …
    assert [(q.type, q.correct, q.truth) for q in result.questions] == [("single", (1,), None),
                                                                       ("truefalse", (), False)]


@pytest.mark.parametrize(
    ("answer", "correct"),
    [("ABD", (0, 1, 3)), ("A,B,D", (0, 1, 3)), ("d b a", (0, 1, 3)), ("Ａ，Ｂ，Ｄ", (0, 1, 3)), ("C", (2,))],
)
def test_choice_answer_letters(answer: str, correct: tuple[int, ...]) -> None:
    [question] = read([row(题型="多选", 题干="Q", 选项A="a", 选项B="b", 选项C="c", 选项D="d", 答案=answer)]).questions
    assert question.correct == correct


@pytest.mark.parametrize(
    ("answer", "truth"),
    [("对", True), ("正确", True), ("true", True), ("TRUE", True), (True, True), ("√", True),
     ("错", False), ("错误", False), ("false", False), (False, False), ("×", False)],
)
def test_true_false_answers(answer: Any, truth: bool) -> None:
    [question] = read([row(题型="判断", 题干="80分为合格。", 答案=answer)]).questions
    assert (question.type, question.truth) == ("truefalse", truth)


def test_fill_answers_split_on_bars_and_defaults() -> None:
    [question] = read([row(题型="填空", 题干="处罚＿＿＿元", 答案=" 200 | 二百｜200元 | ")]).questions
    assert question.accepted == ("200", "二百", "200元")
    assert (question.points, question.difficulty, question.tags, question.lesson) == (1.0, 3, (), None)


def test_numbers_typed_into_cells_are_read_as_text() -> None:
    [question] = read([row(题型="填空", 题干="Q", 答案=200, 分值=5, 难度=2)]).questions
    assert (question.accepted, question.points, question.difficulty) == (("200",), 5.0, 2)


def test_blank_rows_are_not_questions() -> None:
    result = read([row(题型="判断", 题干="Q1", 答案="对"), row(), row(题型="判断", 题干="Q2", 答案="错")])
    assert [q.source for q in result.questions] == ["题库.xlsx:2", "题库.xlsx:4"]


@pytest.mark.parametrize(
    ("values", "message_part"),
    [
        ({"题型": "单选", "题干": "Q", "选项A": "a", "选项B": "b"}, "没有填写答案"),
        ({"题型": "问答", "题干": "Q", "答案": "x"}, "题型“问答”无效"),
        ({"题型": "单选", "答案": "A", "选项A": "a", "选项B": "b"}, "题干为空"),
        ({"题型": "单选", "题干": "Q", "选项A": "a", "选项B": "b", "答案": "AB"}, "单选题只能有一个答案"),
        ({"题型": "单选", "题干": "Q", "选项A": "a", "选项B": "b", "答案": "C"}, "“C”没有对应的选项"),
        ({"题型": "多选", "题干": "Q", "选项A": "a", "选项B": "b", "答案": "AA"}, "“A”重复"),
        ({"题型": "多选", "题干": "Q", "选项A": "a", "选项B": "b", "答案": "A1"}, "“1”没有对应的选项"),
        ({"题型": "单选", "题干": "Q", "选项A": "a", "选项C": "c", "答案": "A"}, "选项B为空"),
        ({"题型": "单选", "题干": "Q", "选项A": "a", "答案": "A"}, "至少需要两个选项"),
        ({"题型": "判断", "题干": "Q", "答案": "也许"}, "判断题答案“也许”无效"),
        ({"题型": "填空", "题干": "Q", "答案": " | "}, "填空题的多个答案用 | 分隔"),
        ({"题型": "判断", "题干": "Q", "答案": "对", "分值": "五"}, "分值“五”无效"),
        ({"题型": "判断", "题干": "Q", "答案": "对", "分值": 0}, "分值“0”无效"),
        ({"题型": "判断", "题干": "Q", "答案": "对", "分值": "nan"}, "分值“nan”无效"),
        ({"题型": "判断", "题干": "Q", "答案": "对", "难度": 6}, "难度“6”无效"),
        ({"题型": "判断", "题干": "Q", "答案": "对", "关联课程": "two words"}, "关联课程“two words”"),
    ],
)
def test_row_errors_name_the_row(values: dict[str, Any], message_part: str) -> None:
    good = row(题型="判断", 题干="fine", 答案="对")
    result = read([good, good, row(**values)])
    [refused] = result.refused
    assert refused.line == 4
    assert message_part in refused.reason
    assert len(result.questions) == 2  # the good rows still import, as Moodle does


def test_every_bad_row_is_reported_at_once() -> None:
    rows = [row(题型="判断", 题干="Q", 答案="对"), row(题型="单选", 题干="Q", 选项A="a", 选项B="b"),
            row(题型="判断", 题干="Q", 答案="对"), row(题型="填空", 答案="")]
    refused = read(rows).refused
    assert [(r.line, r.reason) for r in refused] == [
        (3, "没有填写答案"), (5, "题干为空；没有填写答案（填空题的多个答案用 | 分隔）")]


@pytest.mark.parametrize(
    ("header", "message_part"),
    [
        (["题型", "题干", "正确答案"], "未知列“正确答案”"),
        (["题型", "题干", "选项A"], "缺少必需列“答案”"),
        (["题型", "题干", "答案", "Answer"], "列“Answer”重复"),
    ],
)
def test_header_problems(header: list[str], message_part: str) -> None:
    problems = refusal(workbook([["单选", "Q", "A"]], header=header)).problems
    assert any(p.startswith("题库.xlsx 第1行：（表头）") and message_part in p for p in problems)


def test_content_under_a_column_without_header_is_an_error() -> None:
    rows = [[*row(题型="判断", 题干="Q", 答案="对"), "", "stray note"]]
    [refused] = read(rows, header=[*CHINESE, "", ""]).refused
    assert (refused.line, refused.reason) == (2, "第17列没有表头却有内容")


def test_the_template_saved_as_csv_reads_the_same() -> None:
    text = ",".join(CHINESE) + "\n单选,Q,a,b,,,,,B,2,,,,\n"
    [question] = parse_file(text.encode("utf-8-sig"), "题库.csv").questions
    assert (question.type, question.correct, question.points) == ("single", (1,), 2.0)


def test_corrupt_xlsx_is_refused_with_a_message() -> None:
    assert "不是有效的 Excel" in refusal(b"PK\x03\x04 this is not really a workbook").message
    assert "不是有效的 Excel" in refusal(b"\x00" * 1000).message
    truncated = xlsx_template()[:2000]
    assert refusal(truncated).message.startswith("题库.xlsx：")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")
    assert "无法读取 Excel 文件" in refusal(buffer.getvalue()).message


def test_zip_bomb_is_refused_quickly() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 << 20))
    data = buffer.getvalue()
    assert len(data) < 100_000  # 20 MB squeezed into a small upload
    started = time.perf_counter()
    error = refusal(data)
    assert time.perf_counter() - started < 1.0
    assert "压缩比异常" in error.message


def test_oversized_spreadsheet_is_refused_before_reading() -> None:
    assert "文件大小超过上限" in refusal(b"PK" + b"\x00" * (6 << 20)).message


def test_a_single_choice_where_either_answer_is_right_round_trips_through_the_template() -> None:
    """Moodle's {=b =c ~a}: the exporter writes "B或C", the reader makes it a single choice with both right."""
    from lms.quizzes.exporters import EXPORTERS
    from lms.quizzes.specs import QuestionSpec

    spec = QuestionSpec("e", "single", "任选其一", options=("甲", "乙", "丙"), correct=(1, 2), weights=(0.0, 1.0, 1.0))
    data = EXPORTERS["xlsx"].export([spec], title="t", media=lambda url: None)
    [read] = parse_file(data, "t.xlsx").questions
    assert (read.type, read.correct, read.weights) == ("single", (1, 2), (0.0, 1.0, 1.0))
