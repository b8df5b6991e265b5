"""Word (.docx) papers in the common Chinese layout, written with python-docx as a trainer writes them."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from docx.oxml import parse_xml

from lms.core.errors import ValidationFailed
from lms.quizzes.importers import SUPPORTED_EXTENSIONS, parse_file, word
from lms.quizzes.importers.results import MAX_QUESTIONS, MEDIA_PREFIX
from lms.quizzes.importers.word import parse_docx
from lms.quizzes.rules import validate_spec
from tests.support.word import KINDS, WordPaper, expected_answer, picture_png, trainer_paper

PICTURE = re.compile(rf"!\[图片\]\({MEDIA_PREFIX}([0-9a-f]+\.png)\)")


def read(*lines, heading="一、单选题"):
    paper = WordPaper()
    if heading:
        paper.para(heading)
    return parse_docx(paper.lines(lines).bytes(), "paper.docx")


def only(result):
    assert (result.refused, result.skipped) == ([], [])
    assert len(result.questions) == 1, result.questions
    return result.questions[0]


# --- a whole paper -------------------------------------------------------------------------------------------------


def test_a_hundred_question_paper_with_pictures_imports_every_question_with_its_answer_and_pictures():
    data = trainer_paper(100)
    started = time.perf_counter()
    result = parse_docx(data, "月考.docx")
    elapsed = time.perf_counter() - started
    assert result.refused == []
    assert result.skipped == []
    assert result.format == "docx"
    assert len(result.questions) == 100
    assert [q.type for q in result.questions] == [kind for kind in KINDS for _ in range(20)]
    for number, question in enumerate(result.questions, 1):
        expected = expected_answer(question.type, number)
        held = {"single": question.correct, "multiple": question.correct, "truefalse": question.truth,
                "fill": question.accepted, "numeric": question.numbers}[question.type]
        assert held == expected, (number, question)
        assert question.points == KINDS.index(question.type) + 1  # "每题N分" in the section heading
        assert question.explanation == f"第{number}题的解析。  \n解析的第二段。"
        assert question.tags == (f"政策{number % 5}", "渠道")
        assert question.difficulty == (1, 3, 5)[number % 3]
        assert question.source.startswith("月考.docx:段")
        assert validate_spec(question) == []
    pictured = [q for q in result.questions if PICTURE.search(q.stem)]
    assert len(pictured) == 25  # every fourth stem
    in_options = {name for q in result.questions for option in q.options for name in PICTURE.findall(option)}
    assert len(in_options) == 2  # options B of questions 10 and 20
    named = {name for q in result.questions for text in (q.stem, *q.options) for name in PICTURE.findall(text)}
    assert named == set(result.files)
    assert all(data.startswith(b"\x89PNG") for data in result.files.values())
    assert elapsed < 5, f"parsing took {elapsed:.2f}s"


def test_the_same_paper_imports_the_same_keys_so_a_second_import_changes_nothing():
    data = trainer_paper(10)
    assert parse_docx(data, "a.docx").questions == parse_docx(data, "a.docx").questions
    assert [q.key for q in parse_docx(data, "a.docx").questions] == [f"docx-{n}" for n in range(1, 11)]


def test_parse_file_reads_docx_and_asks_for_docx_instead_of_old_word_files():
    assert ".docx" in SUPPORTED_EXTENSIONS
    assert len(parse_file(trainer_paper(5), "Paper.DOCX").questions) == 5
    for name in ("paper.doc", "paper.wps", "paper.docm"):
        with pytest.raises(ValidationFailed, match=rf"{re.escape(name)}：.*另存为“Word 文档 \(.docx\)”"):
            parse_file(b"whatever", name)


# --- layouts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1.", "1、", "1．", "（1）", "(1)", "1)", "1）"])
def test_stems_numbered_in_every_common_way(number):
    question = only(read(f"{number} 下列哪项正确？", "A. 甲", "B. 乙", "答案：B"))
    assert question.stem == "下列哪项正确？"
    assert question.correct == (1,)


@pytest.mark.parametrize("options", [
    ["A. 是", "B. 否", "C. 不确定"],
    ["A、是", "B、否", "C、不确定"],
    ["A．是", "B．否", "C．不确定"],
    ["A) 是", "B) 否", "C) 不确定"],
    ["(A) 是", "(B) 否", "(C) 不确定"],
    ["（A）是", "（B）否", "（C）不确定"],
    ["A. 是  B. 否  C. 不确定"],
    ["A. 是\tB. 否\tC. 不确定"],
    ["A.是B.否C.不确定"],
    ["A. 是   B. 否", "C. 不确定"],
    ["Ａ．是　Ｂ．否　Ｃ．不确定"],
])
def test_options_on_their_own_lines_or_several_on_one(options):
    question = only(read("1. 你同意吗？", *options, "答案：C"))
    assert question.options == ("是", "否", "不确定")
    assert question.correct == (2,)


def test_options_up_to_j():
    letters = "ABCDEFGHIJ"
    question = only(read("1. 选出最后一项", *(f"{letter}. 第{letter}项" for letter in letters), "答案：J",
                         heading="二、多选题"))
    assert len(question.options) == 10
    assert question.correct == (9,)


@pytest.mark.parametrize(("line", "correct"), [
    ("答案：ABD", (0, 1, 3)),
    ("答案：A,B,D", (0, 1, 3)),
    ("答案：A、B、D", (0, 1, 3)),
    ("【答案】A B D", (0, 1, 3)),
    ("正确答案：ＡＢＤ", (0, 1, 3)),
    ("答案: bd", (1, 3)),
    ("【答案】：C", (2,)),
])
def test_choice_answers_in_every_common_form(line, correct):
    question = only(read("1. 哪些正确？", "A. 甲", "B. 乙", "C. 丙", "D. 丁", line, heading="二、多选题"))
    assert question.type == "multiple"
    assert question.correct == correct


@pytest.mark.parametrize(("written", "truth"), [
    ("对", True), ("错", False), ("正确", True), ("错误", False), ("√", True), ("×", False), ("T", True),
    ("F", False), ("✔", True), ("✘", False), ("true", True),
])
def test_true_false_answers(written, truth):
    question = only(read("1. 连续两个月不及格处罚200元。", f"答案：{written}", heading="三、判断题"))
    assert question.type == "truefalse"
    assert question.truth is truth


def test_true_false_written_as_two_options():
    question = only(read("1. 通报批评只针对首次不及格。", "A. 正确  B. 错误", "答案：B", heading="三、判断题"))
    assert question.truth is False


@pytest.mark.parametrize(("written", "accepted"), [
    ("实名制", ("实名制",)),
    ("实名；实名制", ("实名", "实名制")),
    ("实名; 实名制", ("实名", "实名制")),
    ("实名 | 实名制", ("实名", "实名制")),
    ("实名或实名制", ("实名", "实名制")),
    ("或者", ("或者",)),
])
def test_fill_in_answers_several_accepted(written, accepted):
    question = only(read("1. 入网必须落实（  ）制度。", f"答案：{written}", heading="四、填空题"))
    assert question.type == "fill"
    assert question.accepted == accepted
    assert validate_spec(question) == []


def test_fill_in_blank_marked_with_underscores_keeps_them_visible():
    question = only(read("1. 入网必须落实____制度。", "答案：实名", heading="四、填空题"))
    assert "&#95;" in question.stem  # the underscores show as underscores, not Markdown emphasis


@pytest.mark.parametrize(("written", "numbers"), [
    ("1000", ((1000.0, 0.0),)),
    ("3.5±0.1", ((3.5, 0.1),)),
    ("3.5 +- 0.1", ((3.5, 0.1),)),
    ("３．５", ((3.5, 0.0),)),
    ("3~4", ((3.5, 0.5),)),
    ("-2；2", ((-2.0, 0.0), (2.0, 0.0))),
])
def test_numeric_answers(written, numbers):
    question = only(read("1. 共多少元？", f"答案：{written}", heading="五、计算题"))
    assert question.type == "numeric"
    assert [pytest.approx(pair) for pair in question.numbers] == list(numbers)


def test_an_answer_written_in_the_stems_brackets_is_read_and_hidden():
    question = only(read("1. 终端补贴的有效期是（B）。", "A. 长期", "B. 当月", "C. 次月"))
    assert question.correct == (1,)
    assert "B" not in question.stem
    assert "（  ）" in question.stem
    several = only(read("1. 必须核验的有（ A B D ）", "A. 证件", "B. 人像", "C. 工作证明", "D. 一证五号",
                        heading="二、多选题"))
    assert several.correct == (0, 1, 3)
    judged = only(read("1. 首次不及格通报批评。（√）", heading="三、判断题"))
    assert judged.truth is True
    assert "√" not in judged.stem


def test_an_answer_in_brackets_that_agrees_with_the_answer_line_is_hidden_and_two_brackets_are_not_guessed():
    agreed = only(read("1. 有效期是（B）。", "A. 长期", "B. 当月", "答案：B"))
    assert "（  ）" in agreed.stem
    result = read("1. 比较（A）和（B）的区别", "A. 甲", "B. 乙")
    assert result.questions == []
    assert [(r.line, r.reason) for r in result.refused] == [(2, "缺少答案行（如“答案：A”）")]


def test_without_headings_the_type_follows_from_the_question():
    result = read("1. 单个答案？", "A. 甲", "B. 乙", "答案：A",
                  "2. 多个答案？", "A. 甲", "B. 乙", "C. 丙", "答案：AC",
                  "3. 这是判断。", "答案：错",
                  "4. 填____。", "答案：空", heading="")
    assert [q.type for q in result.questions] == ["single", "multiple", "truefalse", "fill"]


@pytest.mark.parametrize(("heading", "kind"), [
    ("一、单项选择题", "single"), ("二、多项选择题", "multiple"), ("三、不定项选择题", "multiple"),
    ("第一部分 单选题", "single"), ("（一）多选题", "multiple"), ("选择题", "single"),
])
def test_section_headings_name_the_type(heading, kind):
    assert only(read("1. 题？", "A. 甲", "B. 乙", "答案：B", heading=heading)).type == kind


def test_heading_points_and_a_questions_own_points():
    result = read("1. 题一？", "A. 甲", "B. 乙", "答案：A", "2. 题二？", "A. 甲", "B. 乙", "答案：A", "分值：5",
                  heading="一、单项选择题（本大题共2小题，每小题2.5分，共5分）")
    assert [q.points for q in result.questions] == [2.5, 5.0]


def test_difficulty_words_numbers_and_stars_and_tags_by_any_separator():
    result = read(*[line for number, level in enumerate(["易", "一般", "困难", "2", "★★★★"], 1)
                    for line in (f"{number}. 题？", "A. 甲", "B. 乙", "答案：A", f"难度：{level}")],
                  "6. 题？", "A. 甲", "B. 乙", "答案：A", "知识点：终端政策，补贴、入网;实名制")
    assert [q.difficulty for q in result.questions] == [1, 3, 5, 2, 4, 3]
    assert result.questions[-1].tags == ("终端政策", "补贴", "入网", "实名制")


def test_multi_paragraph_stems_and_explanations_with_numbered_lists_inside():
    result = read(
        "1. 某渠道本月情况如下：", "（1）新装宽带20户；", "（2）合约机15台。", "以下说法正确的是：",
        "A. 甲", "B. 乙", "答案：B",
        "解析：分两步：", "1. 先算宽带；", "2. 再算终端。", "所以选 B。",
        "2. 第二题？", "A. 甲", "B. 乙", "答案：A")
    first, second = result.questions
    assert first.stem == "某渠道本月情况如下：  \n（1）新装宽带20户；  \n（2）合约机15台。  \n以下说法正确的是："
    assert first.explanation == "分两步：  \n1&#46; 先算宽带；  \n2&#46; 再算终端。  \n所以选 B。"
    assert second.stem == "第二题？"


def test_a_question_numbered_out_of_sequence_after_an_explanation_is_still_a_question():
    result = read("1. 甲？", "A. 是", "B. 否", "答案：A", "解析：见文件。", "3. 乙？", "A. 是", "B. 否", "答案：B")
    assert [q.stem for q in result.questions] == ["甲？", "乙？"]


def test_a_question_typed_in_one_paragraph_with_line_breaks():
    question = only(read("1. 有效期是？\nA. 当月\nB. 次月\n答案：A\n解析：见政策。"))
    assert question.options == ("当月", "次月")
    assert question.explanation == "见政策。"


def test_text_is_shown_as_written_not_as_markdown():
    question = only(read("1. 2*3*4 等于多少？# 注意", "A. <b>24</b>", "B. [9]", "答案：A"))
    assert "*" not in question.stem
    assert "&#42;" in question.stem
    assert question.options[0] == "&#60;b&#62;24&#60;/b&#62;"


def test_automatic_numbering_starts_questions():
    paper = WordPaper().para("一、单选题")
    for stem, answer in (("甲？", "A"), ("乙？", "B")):
        paper.document.add_paragraph(stem, style="List Number")
        paper.lines(["A. 是", "B. 否", f"答案：{answer}"])
    result = parse_docx(paper.bytes(), "auto.docx")
    assert [(q.stem, q.correct) for q in result.questions] == [("甲？", (0,)), ("乙？", (1,))]


def test_text_before_the_first_heading_is_not_a_question():
    result = read("说明：", "1. 本卷共2题。", "2. 考试时间30分钟。", heading="渠道经理月考")
    assert result.questions == []
    assert result.refused == []


# --- pictures --------------------------------------------------------------------------------------------------------


def test_pictures_in_stems_options_and_explanations_become_files():
    stem, option, explained = picture_png(1), picture_png(2), picture_png(3)
    question = only(read(("1. 下图是哪个页面？", stem), ("A. ", option), "B. 都不是", "答案：A", ("解析：", explained)))
    names = PICTURE.findall(question.stem) + PICTURE.findall(question.options[0]) + \
        PICTURE.findall(question.explanation)
    assert len(names) == 3
    assert question.stem.startswith("下图是哪个页面？![图片](import-media/")
    result = read(("1. 下图是哪个页面？", stem), ("A. ", option), "B. 都不是", "答案：A", ("解析：", explained))
    assert sorted(result.files.values()) == sorted([stem, option, explained])


def test_a_picture_used_twice_is_one_file_and_refused_questions_leave_theirs_behind():
    shared = picture_png(7)
    result = read(("1. 甲", shared), "A. 是", "B. 否", "答案：A", ("2. 乙", shared), "A. 是", "B. 否", "答案：B",
                  ("3. 丙", picture_png(8)), "A. 是", "B. 否")
    assert len(result.questions) == 2
    assert len(result.refused) == 1
    assert list(result.files.values()) == [shared]


def test_a_picture_a_browser_cannot_show_refuses_its_question():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    result = read(("1. 甲", buffer.getvalue()), "A. 是", "B. 否", "答案：A", "2. 乙", "A. 是", "B. 否", "答案：B")
    assert [q.stem for q in result.questions] == ["乙"]
    assert result.refused[0].line == 2
    assert "BMP" in result.refused[0].reason


# --- refused questions, named by paragraph ---------------------------------------------------------------------------


def test_bad_questions_are_refused_by_paragraph_and_the_rest_imported():
    paper = WordPaper().lines([
        "一、单选题",                                           # 1
        "1. 没有答案？", "A. 甲", "B. 乙",                        # 2-4
        "2. 字母超出选项？", "A. 甲", "B. 乙", "答案：C",            # 5-8
        "3. 单选写了两个答案？", "A. 甲", "B. 乙", "答案：AB",        # 9-12
        "4. 好题一？", "A. 甲", "B. 乙", "答案：A",                 # 13-16
        "5. 难度写错？", "A. 甲", "B. 乙", "答案：A", "难度：很难",     # 17-21
        "6. 含表格？",                                           # 22
    ]).table([["套餐", "月费"], ["A", "59"]]).lines([            # 23
        "A. 甲", "B. 乙", "答案：A",                              # 24-26
        "二、判断题",                                            # 27
        "1. 判断答案无法识别。", "答案：可能",                       # 28-29
        "2. 好题二。", "答案：对",                                 # 30-31
        "三、简答题（每题10分）",                                   # 32
        "1. 简述实名制要求。", "答案：……",                          # 33-34
        "四、填空题",                                            # 35
        "1. 答案为空____。", "答案：",                              # 36-37
    ])
    result = parse_docx(paper.bytes(), "bad.docx")
    assert [q.stem for q in result.questions] == ["好题一？", "好题二。"]
    assert [(r.line, r.reason) for r in result.refused] == [
        (2, "缺少答案行（如“答案：A”）"),
        (8, "答案“C”无效：应为 A–B 中的字母（本题只有 2 个选项）"),
        (12, "单选题只能有一个答案，却写了“AB”（多个答案请放在多选题下）"),
        (21, "难度“很难”无法识别（易/中/难、简单/一般/困难或 1–5）"),
        (23, "题目中含有表格，本系统无法导入表格：请把表格改为图片或文字"),
        (29, "判断题答案“可能”无法识别（请写 对/错、正确/错误、√/× 或 T/F）"),
        (37, "答案为空"),
    ]
    assert result.refused[0].name == "没有答案？"
    assert [(s.line, s.reason) for s in result.skipped] == [(33, "简答题是主观题，本系统不支持（需人工阅卷），未导入")]


def test_a_word_formula_refuses_its_question():
    paper = WordPaper().lines(["一、单选题", "1. 求值："])
    paper.document.paragraphs[-1]._p.append(parse_xml(
        '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        "<m:sSup><m:e><m:r><m:t>x</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup></m:oMath>"))
    paper.lines(["A. 1", "B. 4", "答案：B"])
    result = parse_docx(paper.bytes(), "math.docx")
    assert result.questions == []
    assert result.refused[0].line == 2
    assert "公式" in result.refused[0].reason


def test_more_than_the_limit_of_questions_is_refused_naming_the_file(monkeypatch):
    assert word.MAX_QUESTIONS == MAX_QUESTIONS == 5000
    monkeypatch.setattr(word, "MAX_QUESTIONS", 3)  # the shared limit, lowered so the test writes a short paper
    lines = [line for number in range(1, 5) for line in (f"{number}. 题？", "答案：对")]
    with pytest.raises(ValidationFailed, match=r"paper\.docx：题目超过 3 道的上限（第8段起）"):
        read(*lines, heading="一、判断题")


# --- hostile files ---------------------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_docx_is_refused_naming_it():
    with pytest.raises(ValidationFailed, match=r"fake\.docx：.*不是 Office 文件"):
        parse_docx(b"just some text pretending", "fake.docx")
    with pytest.raises(ValidationFailed, match=r"old\.docx：这是旧版 Word（\.doc）文件"):
        parse_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.docx")
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationFailed, match=r"sheet\.docx：.*内容不是这种 Office 文件"):
        parse_docx(workbook.getvalue(), "sheet.docx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = io.BytesIO(trainer_paper(1))
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open("word/media/x.bin", "w") as out:
        chunk = bytes(1 << 20)
        for _ in range(201):
            out.write(chunk)
    assert len(bomb.getvalue()) < 1 << 20
    with pytest.raises(ValidationFailed, match=r"bomb\.docx：文件结构异常（解压后过大）"):
        parse_docx(bomb.getvalue(), "bomb.docx")


def test_a_macro_document_is_refused():
    macro = io.BytesIO(trainer_paper(1))
    with zipfile.ZipFile(macro, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(ValidationFailed, match=r"paper\.docm：文件含有宏"):
        parse_docx(macro.getvalue(), "paper.docm")


def test_a_docm_content_type_without_macros_is_refused_too():
    source = zipfile.ZipFile(io.BytesIO(trainer_paper(1)))
    renamed = io.BytesIO()
    with zipfile.ZipFile(renamed, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            archive.writestr(item, data)
    with pytest.raises(ValidationFailed, match=r"x\.docx：文件含有宏（\.docm）"):
        parse_docx(renamed.getvalue(), "x.docx")


def test_a_truncated_docx_is_refused():
    with pytest.raises(ValidationFailed, match=r"cut\.docx："):
        parse_docx(trainer_paper(3)[:2000], "cut.docx")
