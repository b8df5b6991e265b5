"""The question-bank spreadsheet: the downloadable .xlsx template and the reader for what trainers fill in.

One row per question under Chinese headers (English ones work too). A row written wrongly is refused with its row
number and every reason, and the other rows still import; a header that cannot be read refuses the whole file.
"""

from __future__ import annotations

import io
import re
import unicodedata

from lms.core.tabular import read_table
from lms.quizzes.importers.results import MAX_QUESTIONS, MAX_SPREADSHEET_BYTES, ImportResult, Problems, Skipped
from lms.quizzes.specs import QuestionSpec

OPTION_LETTERS = "ABCDEF"
# (field, Chinese header, English header), in template order.
COLUMNS = (
    ("type", "题型", "type"),
    ("stem", "题干", "stem"),
    *((f"option_{letter.lower()}", f"选项{letter}", f"option_{letter.lower()}") for letter in OPTION_LETTERS),
    ("answer", "答案", "answer"),
    ("points", "分值", "points"),
    ("explanation", "解析", "explanation"),
    ("tags", "标签", "tags"),
    ("difficulty", "难度", "difficulty"),
    ("lesson", "关联课程", "lesson"),
    ("name", "名称", "name"),  # optional, last so files made from the older template still line up
)
# Options G–J are read when their columns are there (the exporter adds them for a question with more than six
# options); the template shows A–F, enough for nearly every question.
EXTRA_OPTION_LETTERS = "GHIJ"
ALL_OPTION_LETTERS = OPTION_LETTERS + EXTRA_OPTION_LETTERS
EXTRA_COLUMNS = tuple((f"option_{letter.lower()}", f"选项{letter}", f"option_{letter.lower()}")
                      for letter in EXTRA_OPTION_LETTERS)
MAX_NAME_LENGTH = 200  # BankQuestion.name
REQUIRED = ("type", "stem", "answer")


def _norm(text: str) -> str:
    """Header and keyword matching ignores width (Ａ/A), case, surrounding space and space/hyphen/underscore."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-_]+", "_", folded)


HEADERS = {_norm(label): name for name, chinese, english in (*COLUMNS, *EXTRA_COLUMNS) for label in (chinese, english)}
TYPE_NAMES = {
    **dict.fromkeys(("单选", "单选题", "single", "single_choice"), "single"),
    **dict.fromkeys(("多选", "多选题", "multiple", "multiple_choice"), "multiple"),
    **dict.fromkeys(("判断", "判断题", "truefalse", "true_false", "tf"), "truefalse"),
    **dict.fromkeys(("填空", "填空题", "fill", "fill_in"), "fill"),
    **dict.fromkeys(("数值", "数值题", "numeric", "number"), "numeric"),
}
TRUTH = {
    **dict.fromkeys(("对", "正确", "是", "√", "✓", "true", "t", "yes", "y"), True),
    **dict.fromkeys(("错", "错误", "否", "×", "✗", "x", "false", "f", "no", "n"), False),
}
DIFFICULTY_WORDS = {
    "易": 1, "简单": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "一般": 3, "较难": 4, "难": 5, "困难": 5,
}
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_TAG_SEPARATORS = re.compile(r"[,，;；、|｜]")
_FILL_SEPARATORS = re.compile(r"[|｜]")
# A numeric answer: ``3.5``, ``3.5±0.1`` (or ``3.5:0.1``), or a range ``1..5``; several separated by ``|``.
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMERIC_ANSWER = re.compile(rf"(?P<value>{_NUMBER})(?:\s*(?:±|\+-|:)\s*(?P<tolerance>{_NUMBER})|"
                             rf"\s*\.\.\s*(?P<high>{_NUMBER}))?")


def parse_spreadsheet(data: bytes, filename: str) -> ImportResult:
    table = read_table(data, filename, max_rows=MAX_QUESTIONS, max_bytes=MAX_SPREADSHEET_BYTES)
    problems = Problems(filename)
    positions, unnamed = _map_header(table.header, problems)
    problems.raise_if_any()
    questions: list[QuestionSpec] = []
    refused: list[Skipped] = []
    for number, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue  # an empty row is not a question
        reasons = [f"第{index + 1}列没有表头却有内容" for index in unnamed if _cell(cells, index)]
        row = {name: _cell(cells, index) for name, index in positions.items()}
        spec = _row_question(number, row, filename, reasons)
        if reasons:  # this row is refused; the others still import (as Moodle does)
            refused.append(Skipped(row.get("name") or row.get("stem", "")[:40], number, "；".join(reasons)))
        elif spec is not None:
            questions.append(spec)
    return ImportResult(questions=questions, skipped=[], format="xlsx", refused=refused)


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _map_header(header: list[str], problems: Problems) -> tuple[dict[str, int], list[int]]:
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    for index, label in enumerate(header):
        if not label.strip():
            unnamed.append(index)
            continue
        name = HEADERS.get(_norm(label.lstrip("\ufeff")))
        if name is None:
            problems.add(1, f"（表头）未知列“{label.strip()}”，请使用模板中的列名")
        elif name in positions:
            problems.add(1, f"（表头）列“{label.strip()}”重复")
        else:
            positions[name] = index
    labels = {name: chinese for name, chinese, _ in COLUMNS}
    for name in REQUIRED:
        if name not in positions:
            problems.add(1, f"（表头）缺少必需列“{labels[name]}”")
    return positions, unnamed


def _row_question(number: int, row: dict[str, str], filename: str, reasons: list[str]) -> QuestionSpec | None:  # noqa: PLR0912 - one check per column reads best as a flat list
    kind = TYPE_NAMES.get(_norm(row.get("type", "")))
    if kind is None:
        reasons.append(f"题型“{row.get('type', '')}”无效（单选/多选/判断/填空/数值）")
    stem = row.get("stem", "")
    if not stem:
        reasons.append("题干为空")
    options = [row.get(f"option_{letter.lower()}", "") for letter in ALL_OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    answer = row.get("answer", "")
    fields: dict[str, object] = {}
    if kind in ("single", "multiple"):
        gaps = [ALL_OPTION_LETTERS[index] for index, option in enumerate(options) if not option]
        if gaps:
            reasons.append(f"选项{'、'.join(gaps)}为空，但后面的选项有内容")
        if len(options) < 2:
            reasons.append("选择题至少需要两个选项（选项A、选项B）")
        either = kind == "single" and bool(_EITHER.search(answer))  # "B或C": either is right (Moodle's {=b =c})
        correct = _letters(_EITHER.sub("", answer), len(options), reasons) if either else \
            _letters(answer, len(options), reasons)
        if correct is not None and kind == "single" and len(correct) != 1 and not either:
            reasons.append(f"单选题只能有一个答案（现在是“{answer}”；任选其一算对请写“B或C”）")
        fields = {"options": tuple(options), "correct": tuple(sorted(correct or ()))}
        if either and correct:
            fields["weights"] = tuple(1.0 if index in correct else 0.0 for index in range(len(options)))
    elif kind == "truefalse":
        truth = TRUTH.get(_norm(answer))
        if truth is None:
            reasons.append(f"判断题答案“{answer}”无效（对/错、正确/错误、true/false）" if answer else "没有填写答案")
        fields = {"truth": truth}
    elif kind == "fill":
        accepted = tuple(dict.fromkeys(part.strip() for part in _FILL_SEPARATORS.split(answer) if part.strip()))
        if not accepted:
            reasons.append("没有填写答案（填空题的多个答案用 | 分隔）")
        fields = {"accepted": accepted}
    elif kind == "numeric":
        fields = {"numbers": _numbers(answer, reasons)}
    points = _points(row.get("points", ""), reasons)
    difficulty = _difficulty(row.get("difficulty", ""), reasons)
    tags = tuple(dict.fromkeys(tag.strip() for tag in _TAG_SEPARATORS.split(row.get("tags", "")) if tag.strip()))
    if any(len(tag) > 50 for tag in tags):
        reasons.append("标签不能超过50个字符")
    lesson = row.get("lesson", "") or None
    if lesson is not None and (len(lesson) > 100 or any(char.isspace() for char in lesson)):
        reasons.append(f"关联课程“{lesson}”应为课程标识（不含空格，最多100个字符）")
    name = row.get("name", "")
    if len(name) > MAX_NAME_LENGTH:
        reasons.append(f"名称不能超过{MAX_NAME_LENGTH}个字符")
    if reasons or kind is None:
        return None
    return QuestionSpec(
        key=f"xlsx-{number}",
        type=kind,
        stem=stem,
        points=points,
        explanation=row.get("explanation", ""),
        tags=tags,
        difficulty=difficulty,
        lesson=lesson,
        source=f"{filename}:{number}",
        extra={"title": name} if name else {},  # the question's name, as a GIFT ::title:: is kept
        **fields,  # type: ignore[arg-type]
    )


_EITHER = re.compile("或")


def _letters(answer: str, option_count: int, reasons: list[str]) -> list[int] | None:
    """``ABD``, ``A,B,D``, ``A、B、D`` or ``ａｂｄ`` → 0-based option indexes."""
    if not answer:
        reasons.append("没有填写答案")
        return None
    parts = [part for part in _LETTER_SEPARATORS.split(unicodedata.normalize("NFKC", answer).upper()) if part]
    letters = [char for part in parts for char in part]
    indexes: list[int] = []
    for letter in letters:
        index = ALL_OPTION_LETTERS.find(letter)
        if index in indexes:
            reasons.append(f"答案“{answer}”中的“{letter}”重复")
            return None
        if not 0 <= index < option_count:
            reasons.append(f"答案“{answer}”中的“{letter}”没有对应的选项")
            return None
        indexes.append(index)
    return indexes


def _numbers(answer: str, reasons: list[str]) -> tuple[tuple[float, float], ...]:
    """``3.5|3.6±0.1|1..5`` → (value, tolerance) pairs; a range is its midpoint and half-width."""
    numbers: list[tuple[float, float]] = []
    for part in _FILL_SEPARATORS.split(unicodedata.normalize("NFKC", answer)):
        text = part.strip().replace("，", ".")
        if not text:
            continue
        match = _NUMERIC_ANSWER.fullmatch(text)
        if match is None:
            reasons.append(f"数值题答案“{part.strip()}”无效（如 3.5、3.5±0.1 或 1..5，多个用 | 分隔）")
            return ()
        value = float(match["value"])
        if match["high"] is not None:
            high = float(match["high"])
            numbers.append(((value + high) / 2, abs(high - value) / 2))
        else:
            numbers.append((value, abs(float(match["tolerance"] or 0))))
    if not numbers and answer:
        reasons.append(f"数值题答案“{answer}”无效")
    elif not numbers:
        reasons.append("没有填写答案")
    return tuple(numbers)


def _points(text: str, reasons: list[str]) -> float:
    if not text:
        return 1.0
    try:
        value = float(unicodedata.normalize("NFKC", text).removesuffix("分").strip())
    except ValueError:
        value = float("nan")
    if not 0 < value <= 100:  # also false for NaN
        reasons.append(f"分值“{text}”无效（大于0、不超过100的数）")
        return 1.0
    return value


def _difficulty(text: str, reasons: list[str]) -> int:
    if not text:
        return 3
    normalized = unicodedata.normalize("NFKC", text).strip()
    level = DIFFICULTY_WORDS.get(normalized) or (int(normalized) if normalized in {"1", "2", "3", "4", "5"} else None)
    if level is None:
        reasons.append(f"难度“{text}”无效（1–5，或 易/较易/中/较难/难）")
        return 3
    return level


# --- the template ---------------------------------------------------------------------------------------------------

EXAMPLES = (
    ("单选", "终端补贴政策的有效期是？", "当月有效", "次月有效", "长期有效", "以通知为准", "", "", "A", 5,
     "见《11月终端政策》第2节。", "终端,政策", 2, "", "终端补贴有效期"),
    ("多选", "以下哪些业务可以在社会渠道管理系统中办理？", "订购终端", "办理宽带", "报名营销活动", "员工考勤打卡",
     "", "", "ABC", 5, "考勤不在社会渠道管理系统中办理。", "系统操作", 3, "", ""),
    ("判断", "月度业务测试恰好80分为合格。", "", "", "", "", "", "", "对", 2, "80分及以上合格，80分以下不合格。",
     "考核", 1, "", ""),
    ("填空", "连续两个月业务测试不合格，处以＿＿＿元现金处罚。", "", "", "", "", "", "", "200|二百", 3,
     "多个可接受的答案用 | 分隔。", "考核", 2, "", ""),
)
GUIDE = (
    ("总则", "每行一道题，第1行是表头，请勿修改表头。第2–5行是示例，导入前请删除或替换。"),
    ("总则", "导入时逐行检查：有问题的行按行号列出原因且不导入，其余的行照常导入；导入前会先显示预览，确认后才写入。"),
    ("题型", "必填：单选、多选、判断、填空、数值（也可写 single / multiple / truefalse / fill / numeric）。"),
    ("题干", "必填，可使用 Markdown（如 **加粗**）。"),
    ("选项A–选项F", "单选、多选至少填两个选项，从选项A起依次填写，中间不要留空；判断、填空和数值题不填。"
                    "选项多于6个时，可在表头末尾加“选项G”至“选项J”列。"),
    ("答案", "单选写一个字母（如 A；任选其一都算对写 B或C）；多选写多个字母（如 ABD 或 A,B,D）；"
             "判断写 对/错（或 正确/错误、true/false）；"
             "填空写所有可接受的答案，用 | 分隔（如 200|二百），评分时忽略全角/半角和大小写；"
             "数值写数值，可带误差（如 3.5±0.1）或范围（如 1..5），多个用 | 分隔。"),
    ("分值", "选填，大于0的数，默认 1。"),
    ("解析", "选填，交卷后（按测验的设置）显示给学员。"),
    ("标签", "选填，多个标签用逗号分隔，组卷时可按标签抽题。"),
    ("难度", "选填，1（易）到 5（难），也可写 易/较易/中/较难/难，默认 3。"),
    ("关联课程", "选填，讲解这道题的课程标识（课程网址 /lessons/ 后面的部分）。"),
    ("名称", "选填，题目的简短名称（最多200个字），显示在题库的题目列表中。"),
)


def xlsx_template() -> bytes:
    """The template trainers download: the questions sheet first (the reader reads the first sheet), then a guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has its first sheet
    sheet.title = "题目"
    sheet.append([chinese for _, chinese, _ in COLUMNS])
    for example in EXAMPLES:
        sheet.append(list(example))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    widths = {"题型": 8, "题干": 40, "答案": 10, "分值": 6, "解析": 30, "标签": 14, "难度": 6, "关联课程": 16}
    for index, (_, chinese, _) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(chinese, 16)
    sheet.freeze_panes = "A2"
    last_row = MAX_QUESTIONS + 1
    kinds = DataValidation(type="list", formula1='"单选,多选,判断,填空"', allow_blank=True)
    kinds.error, kinds.errorTitle = "请选择：单选、多选、判断或填空", "题型"
    kinds.add(f"A2:A{last_row}")
    sheet.add_data_validation(kinds)
    difficulty_column = get_column_letter([chinese for _, chinese, _ in COLUMNS].index("难度") + 1)
    levels = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    levels.error, levels.errorTitle = "难度为 1 到 5 的整数", "难度"
    levels.add(f"{difficulty_column}2:{difficulty_column}{last_row}")
    sheet.add_data_validation(levels)

    guide = workbook.create_sheet("填写说明")
    guide.append(["列", "说明"])
    for row in GUIDE:
        guide.append(list(row))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 100
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
