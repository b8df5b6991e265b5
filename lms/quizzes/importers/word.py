"""Word (.docx) → QuestionSpecs, in the layout Chinese exam products (考试云, 问卷星 …) ask trainers to write::

    一、单选题（共10题，每题2分）
    1. 终端补贴政策的有效期是（  ）
    A. 当月有效    B. 次月有效    C. 长期有效
    答案：A
    解析：见本月终端政策第二条。
    难度：易
    知识点：终端政策、补贴

- A section heading (一、单选题 / 单项选择题 / 多选题 / 不定项选择题 / 判断题 / 是非题 / 填空题 / 数值题 / 计算题;
  问答题, 简答题 … are skipped) sets the type of the questions under it; "每题2分" sets their points. Without a
  heading the type follows from the question (options and letters, 对/错, text).
- A question starts at a numbered paragraph ("1." "1、" "1．" "（1）" "1)", or Word's automatic numbering); its stem
  may run over several paragraphs. A numbered list inside a stem or an explanation is told apart from the next
  question by what follows: a question is numbered in the same style as the one before, with a higher number, and
  has an option or an answer line before the next numbered paragraph (or the question before has no answer yet and
  this one carries the next number: the one before is refused, this one read).
- Options A–J, each on its own paragraph or several on one, separated by spaces (``A. 是  B. 否``).
- ``答案：`` / ``【答案】`` / ``正确答案：`` (letters, 对/错/√/×/T/F, texts separated by ；; | 或, a number with
  ``±`` tolerance or a range ``a~b``); a choice question's answer may instead sit in the stem's brackets, ``……（B）``,
  when that is the only such bracket; a true/false one's at the stem's end, ``……（√）``.
- ``解析：`` (running on until the next question or label), ``难度：`` (易/中/难, 简单/一般/困难, 1–5, ★★★),
  ``知识点：`` / ``标签：`` (separated by ，、,;), ``分值：``.
- Pictures go to ImportResult.files and the text shows them as ``![图片](import-media/<name>)``.

Each problem names its paragraph (第N段, counting every paragraph and table from the top) and refuses that question
only. Pure: no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.results import MAX_QUESTIONS, MEDIA_PREFIX, ImportResult, Problems, Skipped
from lms.quizzes.importers.spreadsheet import DIFFICULTY_WORDS, TRUTH
from lms.quizzes.importers.text_formats import to_markdown
from lms.quizzes.importers.word_document import IMAGE_MARK, Block, WordDocument, read_docx
from lms.quizzes.specs import LETTERS, QuestionSpec

SKIPPED = "skip"
# Section names → type; None: a choice question whose letters decide single or multiple.
SECTION_TYPES: dict[str, str | None] = {
    **dict.fromkeys(("单选题", "单选", "单项选择题", "单项选择", "单择题"), "single"),
    **dict.fromkeys(("多选题", "多选", "多项选择题", "多项选择", "不定项选择题", "不定项选择", "不定项"), "multiple"),
    **dict.fromkeys(("判断题", "判断", "是非题", "判断正误", "对错题"), "truefalse"),
    **dict.fromkeys(("填空题", "填空"), "fill"),
    **dict.fromkeys(("数值题", "计算题", "数值计算题"), "numeric"),
    **dict.fromkeys(("选择题", "选择"), None),
}
_NUMERALS = "一二三四五六七八九十百零〇"
_HEADING = re.compile(
    rf"(?P<prefix>第?[{_NUMERALS}\d]{{1,4}}(?:部分|大题)?\s*[、.．:：]?|[（(][{_NUMERALS}]{{1,3}}[)）])?"
    r"\s*(?P<name>[^\s（(：:，,]{1,12}?(?:题|选择|判断|填空))\s*[:：]?\s*(?:[（(](?P<note>[^)）]{0,200})[)）])?\s*[:：。]?"
)
_POINTS = re.compile(r"每\s*(?:小|道)?\s*题\s*(\d+(?:\.\d+)?)\s*分|(\d+(?:\.\d+)?)\s*分\s*/\s*题")
# "1." "1．" "1、" "1)" "1）" "（1）" "(1)"; "1." must not be a decimal ("1.5元").
_STEM = re.compile(r"(?:(?P<n>\d{1,4})\s*(?P<sep>[.．](?!\d)|[、]|[)）])|[（(]\s*(?P<p>\d{1,4})\s*[)）])\s*")
# An option letter where an option may start: at the start, or after a space or a non-ASCII character.
_OPTION = re.compile(r"(?:^|(?<=[\s\u3000])|(?<=[^\x00-\x7f]))[（(]?(?P<l>[A-JＡ-Ｊ])\s*[.．、)）]")
_LABELS = {
    **dict.fromkeys(("答案", "正确答案", "参考答案", "标准答案", "答"), "answer"),
    **dict.fromkeys(("解析", "答案解析", "试题解析", "解答", "分析"), "explanation"),
    **dict.fromkeys(("难度", "难易度", "难易程度"), "difficulty"),
    **dict.fromkeys(("知识点", "标签", "考点"), "tags"),
    **dict.fromkeys(("分值", "分数"), "points"),
}
_LABEL_NAMES = "|".join(sorted(_LABELS, key=len, reverse=True))
_LABEL = re.compile(rf"(?:【\s*(?P<b>{_LABEL_NAMES})\s*】\s*[:：]?|(?P<c>{_LABEL_NAMES})\s*[:：])\s*")
_INLINE_LETTERS = re.compile(r"[（(]\s*([A-JＡ-Ｊ](?:[\s,，、]*[A-JＡ-Ｊ])*)\s*[)）]")
_INLINE_TRUTH = re.compile(r"[（(]\s*(√|×|✓|✔|✗|✘|对|错|正确|错误)\s*[)）]\s*[。.]?\s*$")
_BLANK = re.compile(r"_{3,}|＿{2,}|[（(][\s\u3000]*[)）]")
_ANSWER_SEPARATORS = re.compile(r"[；;|｜]|(?<=\S)\s+或\s+(?=\S)|(?<=[^\s或])或(?=[^\s者许])")
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_TAG_SEPARATORS = re.compile(r"[,，、;；]+")
_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_TOLERANCE = re.compile(rf"(?P<v>{_NUMBER})\s*(?:(?:±|\+-|\+/-)\s*(?P<t>{_NUMBER}))?", re.ASCII)
_RANGE = re.compile(rf"(?P<a>{_NUMBER})\s*(?:~|\.\.|至|到)\s*(?P<b>{_NUMBER})")
EXTRA_TRUTH = {"✔": True, "✘": False, "对的": True, "错的": False}
SKIPPED_REASON = "{name}是主观题，本系统不支持（需人工阅卷），未导入"


@dataclass
class _Section:
    kind: str | None = None  # a QUESTION_TYPE, None (decided per question) or SKIPPED
    name: str = ""
    points: float | None = None


@dataclass
class _Draft:
    """One question as its paragraphs are read."""

    ordinal: int
    first: int  # paragraph number of its first paragraph
    number: int | None
    style: str
    section: _Section
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    answer: tuple[int, str] | None = None  # (paragraph, text)
    explanation: list[str] = field(default_factory=list)
    labels: dict[str, tuple[int, str]] = field(default_factory=dict)  # difficulty, tags, points
    mode: str = "stem"  # stem, options, answered, explanation
    problems: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, paragraph: int, message: str) -> None:
        self.problems.append((paragraph, message))


def parse_docx(data: bytes, filename: str) -> ImportResult:
    document = read_docx(data, filename)
    reader = _WordReader(filename, document)
    reader.read()
    used = {index for spec in reader.questions for index in _images_in(spec)}
    files = {document.images[index][0]: document.images[index][1] for index in sorted(used)}
    questions = [_with_images(spec, document) for spec in reader.questions]
    return ImportResult(questions=questions, skipped=reader.skipped, format="docx", refused=reader.refused(),
                        files=files)


class _WordReader:
    def __init__(self, filename: str, document: WordDocument) -> None:
        self.filename = filename
        self.blocks = _lines(document.blocks)
        self.problems = Problems(filename, unit="段")
        self.names: dict[int, str] = {}
        self.questions: list[QuestionSpec] = []
        self.skipped: list[Skipped] = []
        self.section = _Section()
        self.draft: _Draft | None = None
        self.ordinal = 0
        self.style = ""  # how the section's questions are numbered
        self.last_number: int | None = None

    def refused(self) -> list[Skipped]:
        return self.problems.refused(self.names)

    def read(self) -> None:
        body_follows = self.body_follows()
        for index, block in enumerate(self.blocks):
            self.block(block, body_follows[index])
        self.finish()

    def body_follows(self) -> list[bool]:
        """For each block: does an answer line or an option come before the next numbered paragraph or heading?
        That tells the next question from a numbered list inside an explanation."""
        follows = [False] * len(self.blocks)
        seen = False
        for index in range(len(self.blocks) - 1, -1, -1):
            block = self.blocks[index]
            text = _clean(block.text)
            follows[index] = seen
            if _is_numbered(block, text) or _heading(text) is not None:
                seen = False
            label = _LABEL.match(text)
            if (label and _LABELS[label.group("b") or label.group("c")] == "answer") or _option_starts(text, 0):
                seen = True
        return follows

    def block(self, block: Block, body_follows: bool) -> None:
        text = _clean(block.text)
        if block.table:
            if self.draft is not None and self.draft.mode != "explanation":
                self.draft.problem(block.number, "题目中含有表格，本系统无法导入表格：请把表格改为图片或文字")
            elif self.draft is not None:
                self.draft.problem(block.number, "解析中含有表格，本系统无法导入表格：请把表格改为图片或文字")
            return
        if not text:
            return
        heading = _heading(text)
        if heading is not None and block.list_format not in ("decimal", "upperLetter"):
            self.finish()
            self.section, self.style, self.last_number = heading, "", None
            return
        if self.starts_question(block, text, body_follows):
            self.finish()
            self.start(block, text)
            return
        draft = self.draft
        if draft is None:
            return  # a title or instructions before the first question
        draft.problems.extend((block.number, problem) for problem in block.problems)
        self.body(draft, block, text)

    def starts_question(self, block: Block, text: str, body_follows: bool) -> bool:
        numbered = _STEM.match(text)
        if numbered is None and block.list_format != "decimal":
            return False
        if self.draft is None:  # before the first heading, numbered instructions are not questions
            return body_follows or bool(self.section.name) or self.ordinal > 0
        number, style = _number_and_style(numbered)
        if style != self.style:
            return False
        expected = (self.last_number or 0) + 1
        if number == expected and self.draft.mode in ("stem", "options"):
            return True  # the question before has no answer line: it is refused, this one is read
        return body_follows and (number is None or number > (self.last_number or 0))

    def start(self, block: Block, text: str) -> None:
        self.ordinal += 1
        if self.ordinal > MAX_QUESTIONS:
            raise ValidationFailed(f"{self.filename}：题目超过 {MAX_QUESTIONS} 道的上限（第{block.number}段起），"
                                   "请拆分成多个文件导入")
        numbered = _STEM.match(text)
        number, self.style = _number_and_style(numbered)
        self.last_number = number if number is not None else (self.last_number or 0) + 1
        draft = _Draft(self.ordinal, block.number, number, self.style, self.section)
        draft.problems.extend((block.number, problem) for problem in block.problems)
        self.draft = draft
        self.body(draft, block, text[numbered.end():] if numbered else text, first=True)

    def body(self, draft: _Draft, block: Block, text: str, *, first: bool = False) -> None:
        label = _LABEL.match(text)
        if label and not first:
            self.label(draft, block.number, _LABELS[label.group("b") or label.group("c")], text[label.end():])
            return
        if draft.mode == "explanation":
            draft.explanation.append(text)
            return
        options = self.options(draft, block, text) if not first and draft.section.kind in (None, "single",
                                                                                            "multiple", "truefalse") \
            else None
        if options:
            if draft.mode in ("answered",):
                draft.problem(block.number, "选项写在了答案行之后：请把选项放在答案行之前")
                return
            draft.options.extend(options)
            draft.mode = "options"
            return
        if draft.mode == "stem":
            draft.stem.append(text)
        elif draft.mode == "options":
            draft.options[-1] = f"{draft.options[-1]}\n{text}"  # an option running over two paragraphs (a picture)
        else:
            draft.explanation.append(text)  # text after the answer without 解析： is still the explanation

    def options(self, draft: _Draft, block: Block, text: str) -> list[str]:
        """The options this paragraph holds, when it starts with the next option letter."""
        expected = len(draft.options)
        if expected >= len(LETTERS):
            return []
        starts = _option_starts(text, expected)
        if not starts:
            if block.list_format == "upperLetter" and draft.mode in ("stem", "options") and draft.stem:
                return [text]
            return []
        return [text[start:end].strip() for start, end in zip(starts[::2], starts[1::2], strict=True)]

    def label(self, draft: _Draft, paragraph: int, name: str, value: str) -> None:
        value = value.strip()
        if name == "answer":
            if draft.answer is not None:
                draft.problem(paragraph, "一道题有两个答案行")
            draft.answer = (paragraph, value)
            draft.mode = "answered"
        elif name == "explanation":
            draft.mode = "explanation"
            if value:
                draft.explanation.append(value)
        else:
            if name in draft.labels:
                draft.problem(paragraph, f"“{_LABEL_WORDS[name]}”写了两次")
            draft.labels[name] = (paragraph, value)
            if draft.mode == "explanation":
                draft.mode = "answered"

    def finish(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        name = _excerpt(" ".join(draft.stem))
        if draft.section.kind == SKIPPED:
            self.skipped.append(Skipped(name, draft.first, SKIPPED_REASON.format(name=draft.section.name)))
            return
        spec = _Builder(draft, self.filename).build()
        if isinstance(spec, Skipped):
            self.skipped.append(Skipped(name, spec.line, spec.reason))
        elif spec is None or draft.problems:
            if not draft.problems:
                draft.problem(draft.first, "无法识别的题目")
            for paragraph, message in sorted(dict.fromkeys(draft.problems)):
                self.problems.add(paragraph, message)
                self.names[paragraph] = name
        else:
            self.questions.append(spec)


_LABEL_WORDS = {"difficulty": "难度", "tags": "知识点", "points": "分值"}


class _Builder:
    """A finished draft as a QuestionSpec; its problems go to the draft."""

    def __init__(self, draft: _Draft, filename: str) -> None:
        self.draft = draft
        self.filename = filename

    def build(self) -> QuestionSpec | Skipped | None:  # noqa: PLR0911 - one return per way a question fails
        draft = self.draft
        stem = "\n".join(draft.stem).strip()
        if not stem:
            draft.problem(draft.first, "题干为空")
            return None
        answer_at, answer = draft.answer if draft.answer else (draft.first, "")
        kind = draft.section.kind
        fields: dict[str, object] = {}
        if kind is None and not draft.options and draft.answer is None:
            draft.problem(draft.first, "缺少答案行（如“答案：A”）")
            return None
        if draft.answer is not None and not answer:
            draft.problem(answer_at, "答案为空")
            return None
        if kind == "fill" or (kind is None and not draft.options and _BLANK.search(stem) and _truth(answer) is None):
            blanks = len(_BLANK.findall(stem))
            if blanks > 1:
                return Skipped("", draft.first, f"有 {blanks} 个空的填空题本系统不支持（每题一个空），未导入")
            kind, fields = "fill", self.fill(answer, answer_at)
        elif kind == "numeric":
            fields = self.numeric(answer, answer_at)
        elif kind == "truefalse" or (kind is None and not draft.options and draft.answer is not None):
            stem, fields = self.truefalse(stem, answer, answer_at)
            kind = "truefalse" if kind == "truefalse" or fields else "fill"
            if not fields and kind == "fill":
                fields = self.fill(answer, answer_at)
        else:
            stem, kind, fields = self.choice(stem, kind, answer, answer_at)
        if draft.answer is None and not fields.get("inline"):
            draft.problem(draft.first, "缺少答案行（如“答案：A”）")
        fields.pop("inline", None)
        if draft.problems or not fields:
            return None
        extra = self.extras()
        if extra is None:
            return None
        options = tuple(to_markdown(option, "plain") for option in draft.options) if kind in ("single", "multiple") \
            else ()
        return QuestionSpec(
            key=f"docx-{draft.ordinal}", type=kind or "single", stem=to_markdown(stem, "plain"), options=options,
            explanation=to_markdown("\n".join(draft.explanation), "plain") if draft.explanation else "",
            source=f"{self.filename}:段{draft.first}", **extra, **fields,  # type: ignore[arg-type]
        )

    def choice(self, stem: str, kind: str | None, answer: str,
               answer_at: int) -> tuple[str, str | None, dict[str, object]]:
        draft = self.draft
        if len(draft.options) < 2:
            draft.problem(draft.first, "选择题至少需要两个选项（A. … B. …）")
            return stem, kind, {}
        inline = _INLINE_LETTERS.findall(stem)
        inline_letters = _letters(inline[0], len(draft.options)) if len(inline) == 1 else None
        written = answer
        used_inline = False
        if not answer and inline_letters:
            written, used_inline = inline[0], True
        correct = self.letters(written, answer_at)
        if correct is None:
            return stem, kind, {}
        if inline_letters is not None and sorted(inline_letters) == sorted(correct):
            stem = _INLINE_LETTERS.sub("（  ）", stem, count=1)  # the answer is not shown to the person answering
        if kind == "single" and len(correct) > 1:
            draft.problem(answer_at, f"单选题只能有一个答案，却写了“{written}”（多个答案请放在多选题下）")
            return stem, kind, {}
        kind = kind or ("single" if len(correct) == 1 else "multiple")
        return stem, kind, {"correct": tuple(sorted(correct)), "inline": used_inline}

    def letters(self, written: str, answer_at: int) -> list[int] | None:
        draft = self.draft
        if not written:
            return None
        correct = _letters(written, len(draft.options))
        if correct is None:
            last = LETTERS[len(draft.options) - 1]
            draft.problem(answer_at,
                          f"答案“{written}”无效：应为 A–{last} 中的字母（本题只有 {len(draft.options)} 个选项）")
        elif len(set(correct)) != len(correct):
            draft.problem(answer_at, f"答案“{written}”中有重复的字母")
            return None
        return correct

    def truefalse(self, stem: str, answer: str, answer_at: int) -> tuple[str, dict[str, object]]:
        draft = self.draft
        inline = _INLINE_TRUTH.search(stem)
        truth = _truth(answer) if answer else None
        if truth is None and answer and draft.options:  # "A. 正确 B. 错误" with the answer "A"
            chosen = _letters(answer, len(draft.options))
            if chosen and len(chosen) == 1:
                truth = _truth(draft.options[chosen[0]])
        used_inline = False
        if not answer and inline:
            truth, used_inline = _truth(inline.group(1)), True
        if inline and truth is not None and _truth(inline.group(1)) == truth:
            stem = stem[: inline.start()] + "（  ）" + stem[inline.end():]
        if truth is None:
            if answer and draft.section.kind == "truefalse":
                draft.problem(answer_at, f"判断题答案“{answer}”无法识别（请写 对/错、正确/错误、√/× 或 T/F）")
            return stem, {}
        return stem, {"truth": truth, "inline": used_inline}

    def fill(self, answer: str, answer_at: int) -> dict[str, object]:
        accepted = tuple(dict.fromkeys(part.strip() for part in _ANSWER_SEPARATORS.split(answer) if part.strip()))
        if answer and not accepted:
            self.draft.problem(answer_at, "填空题答案为空")
        return {"accepted": accepted} if accepted else {}

    def numeric(self, answer: str, answer_at: int) -> dict[str, object]:
        numbers: list[tuple[float, float]] = []
        if not answer:
            return {}
        for part in _ANSWER_SEPARATORS.split(unicodedata.normalize("NFKC", answer)):
            found = _number(part.strip())
            if found is None:
                self.draft.problem(answer_at, f"数值题答案“{part.strip()}”不是数字（可写 3.5、3.5±0.1 或 3~4）")
                return {}
            numbers.append(found)
        return {"numbers": tuple(numbers)}

    def extras(self) -> dict[str, object] | None:
        draft = self.draft
        extra: dict[str, object] = {}
        if draft.section.points is not None:
            extra["points"] = draft.section.points
        for name, (paragraph, value) in draft.labels.items():
            if name == "difficulty":
                difficulty = _difficulty(value)
                if difficulty is None:
                    draft.problem(paragraph, f"难度“{value}”无法识别（易/中/难、简单/一般/困难或 1–5）")
                else:
                    extra["difficulty"] = difficulty
            elif name == "tags":
                extra["tags"] = tuple(dict.fromkeys(t.strip() for t in _TAG_SEPARATORS.split(value) if t.strip()))
            elif name == "points":
                points = _positive(value)
                if points is None:
                    draft.problem(paragraph, f"分值“{value}”不是正数")
                else:
                    extra["points"] = points
        return None if draft.problems else extra


def _lines(blocks: list[Block]) -> list[Block]:
    """A paragraph with line breaks (Shift+Enter, or text pasted from elsewhere) read as one paragraph per line,
    each keeping the paragraph's number."""
    lines: list[Block] = []
    for block in blocks:
        if "\n" not in block.text:
            lines.append(block)
            continue
        for index, line in enumerate(block.text.split("\n")):
            lines.append(replace(block, text=line, list_format=block.list_format if index == 0 else "",
                                 problems=block.problems if index == 0 else ()))
    return lines


def _clean(text: str) -> str:
    return text.replace("\u3000", " ").replace("\xa0", " ").strip()


def _is_numbered(block: Block, text: str) -> bool:
    return block.list_format == "decimal" or _STEM.match(text) is not None


def _number_and_style(numbered: re.Match[str] | None) -> tuple[int | None, str]:
    if numbered is None:
        return None, "auto"
    if numbered.group("p"):
        return int(numbered.group("p")), "()"
    separator = numbered.group("sep")
    return int(numbered.group("n")), ")" if separator in ")）" else "."


def _heading(text: str) -> _Section | None:
    found = _HEADING.fullmatch(text)
    if found is None:
        return None
    name = found.group("name")
    note = found.group("note") or ""
    points_found = _POINTS.search(note) or _POINTS.search(text)
    points = float(points_found.group(1) or points_found.group(2)) if points_found else None
    if name in SECTION_TYPES:
        return _Section(SECTION_TYPES[name], name, points)
    if not name.endswith("题") or not found.group("prefix"):  # "五、案例分析题"; a bare "计算题" may be a stem line
        return None
    return _Section(SKIPPED, name, points)


def _option_starts(text: str, expected: int) -> list[int]:
    """Start and end of each option in ``text``, when it starts with letter number ``expected``: [s0, e0, s1, e1 …]."""
    bounds: list[int] = []
    ends: list[int] = []
    position = 0
    while expected < len(LETTERS):
        found = next((m for m in _OPTION.finditer(text, position)
                      if unicodedata.normalize("NFKC", m.group("l")) == LETTERS[expected]), None)
        if found is None or (not bounds and found.start() != 0):
            break
        if bounds:
            ends.append(found.start())
        bounds.append(found.end())
        position = found.end()
        expected += 1
    if not bounds:
        return []
    ends.append(len(text))
    return [value for pair in zip(bounds, ends, strict=True) for value in pair]


def _letters(written: str, option_count: int) -> list[int] | None:
    """``ABD``, ``A,B,D``, ``A、B`` → 0-based indexes of existing options, or None."""
    parts = [p for p in _LETTER_SEPARATORS.split(unicodedata.normalize("NFKC", written).upper()) if p]
    letters = [char for part in parts for char in part]
    if not letters or any(char not in LETTERS[:option_count] for char in letters):
        return None
    return [LETTERS.index(char) for char in letters]


def _truth(written: str) -> bool | None:
    folded = unicodedata.normalize("NFKC", written).strip().strip("。.").lower()
    found = TRUTH.get(folded)
    return found if found is not None else EXTRA_TRUTH.get(folded)


def _number(text: str) -> tuple[float, float] | None:
    ranged = _RANGE.fullmatch(text)
    if ranged:
        low, high = sorted((float(ranged.group("a")), float(ranged.group("b"))))
        return (low + high) / 2, (high - low) / 2
    found = _TOLERANCE.fullmatch(text)
    if found is None:
        return None
    return float(found.group("v")), abs(float(found.group("t"))) if found.group("t") else 0.0


def _difficulty(value: str) -> int | None:
    folded = unicodedata.normalize("NFKC", value).strip()
    if folded in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[folded]
    if folded.isdigit() and 1 <= int(folded) <= 5:
        return int(folded)
    stars = folded.count("★")
    if stars and folded.strip("★☆") == "" and stars <= 5:
        return stars
    return None


def _positive(value: str) -> float | None:
    folded = unicodedata.normalize("NFKC", value).strip().removesuffix("分").strip()
    try:
        number = float(folded)
    except ValueError:
        return None
    return number if 0 < number < 1000 else None


def _excerpt(text: str) -> str:
    plain = "".join(char if ord(char) < IMAGE_MARK else "[图片]" for char in text)
    plain = " ".join(plain.split())
    return plain if len(plain) <= 40 else plain[:39] + "…"


def _images_in(spec: QuestionSpec) -> set[int]:
    texts = (spec.stem, spec.explanation, *spec.options)
    return {ord(char) - IMAGE_MARK for text in texts for char in text if ord(char) >= IMAGE_MARK}


def _with_images(spec: QuestionSpec, document: WordDocument) -> QuestionSpec:
    """The image marks become Markdown pictures (after to_markdown, which would have escaped their brackets)."""
    def swap(text: str) -> str:
        return "".join(f"![图片]({MEDIA_PREFIX}{document.images[ord(c) - IMAGE_MARK][0]})" if ord(c) >= IMAGE_MARK
                       else c for c in text)

    if not _images_in(spec):
        return spec
    return replace(spec, stem=swap(spec.stem), explanation=swap(spec.explanation),
                   options=tuple(swap(option) for option in spec.options))
