"""Moodle GIFT → QuestionSpecs.

The reading follows Moodle's own importer (question/format/gift/format.php), so a file Moodle accepts reads the same
here: a blank line ends a question; whole-line ``//`` comments are dropped (Moodle's ``// [tag:x]`` and ``[id:x]``
marks are kept as tags and as the question key); ``::title::`` names the question; ``[markdown]``, ``[html]``,
``[plain]`` and ``[moodle]`` mark the text format; ``$CATEGORY:`` starts a category, kept as a tag; a backslash
escapes ``~ = # { } :`` and ``\\n`` is a line break. Where Moodle silently guesses (a stray ``}``, text before the
first ``=``), this reader names the line instead.

Hostile input costs what its size costs: the text is only walked with str.find/split/replace and anchored,
non-nested regular expressions, so there is no backtracking, and answer lists are capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.results import MAX_QUESTIONS, ImportResult, Problems, Skipped, too_many_questions
from lms.quizzes.specs import LETTERS, QuestionSpec

BLANK = "＿＿＿"  # where a "missing word" answer block sat inside the sentence
MAX_PARAGRAPHS = 2 * MAX_QUESTIONS  # questions plus the comment and $CATEGORY paragraphs between them
MAX_ANSWERS = 100  # answers in one block; far more than any real question, few enough to bound the work
FORMATS = ("markdown", "html", "plain", "moodle")
TRUE_WORDS, FALSE_WORDS = ("T", "TRUE"), ("F", "FALSE")

# While the structure is read, escaped control characters are held as Unicode noncharacters (never valid in a file
# people exchange, and refused on input), then written back either as Markdown or as plain text.
_ESCAPABLE = ":#={}~n"
_HELD_BACKSLASH = "\ufdd0"
_HELD = {char: chr(0xFDD1 + index) for index, char in enumerate(_ESCAPABLE)}
_NONCHARACTER = re.compile("[\ufdd0-\ufdef]")
_RELEASED = {char: "\n" if char == "n" else char for char in _ESCAPABLE}
_AS_PLAIN = str.maketrans({_HELD_BACKSLASH: "\\", **{_HELD[c]: _RELEASED[c] for c in _ESCAPABLE}})
# In Markdown "#" opens a heading and "{...}" an attribute list, so those two stay escaped, as does the backslash.
_AS_MARKDOWN = str.maketrans(
    {_HELD_BACKSLASH: "\\\\", **{_HELD[c]: "\\" + c if c in "#{}" else _RELEASED[c] for c in _ESCAPABLE}}
)
# [plain] text must show literally: escape what python-markdown would otherwise interpret.
_LITERAL_MARKDOWN = str.maketrans({**{c: "\\" + c for c in "\\`*_{}[]()>#+-.!"}, "<": "&lt;", "&": "&amp;"})

_LEADING_SPACE = re.compile(r"^[^\S\n]+", re.MULTILINE)
_COMMENT_LINE = re.compile(r"^//[^\n]*", re.MULTILINE)
_MARKED_COMMENT_LINE = re.compile(r"^//[^\n\[]*\[[^\n]*", re.MULTILINE)  # only these can hold [id:…] or [tag:…]
_BLANK_LINES = re.compile(r"\n\n+")  # a single repeated character: the regex engine keeps no stack for it
_MARKERS = {"choice": re.compile("[~=]"), "fill": re.compile("=")}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_PERCENT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


def _hold_escapes(line: str) -> str:
    line = line.replace("\\\\", _HELD_BACKSLASH)
    for char in _ESCAPABLE:
        line = line.replace("\\" + char, _HELD[char])
    return line


def _plain(held: str) -> str:
    return held.translate(_AS_PLAIN)


def _excerpt(held: str, limit: int = 40) -> str:
    words = " ".join(_plain(held[: limit * 4]).split())
    return words if len(words) <= limit else words[:limit] + "…"


@dataclass(frozen=True)
class _Block:
    """One question's text (lines trimmed, comment lines emptied, escapes held) and the line it starts on."""

    text: str
    first_line: int

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)


@dataclass(frozen=True)
class _Answer:
    marker: str  # "~", "=" or "" for a numerical answer without "="
    text: str  # held text, weight and feedback removed
    weight: float
    feedback: str  # held text
    offset: int


@dataclass(frozen=True)
class _Context:
    filename: str
    key: str
    tags: tuple[str, ...]
    problems: Problems


def parse_gift(text: str, filename: str) -> ImportResult:
    bad = _NONCHARACTER.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ValidationFailed(f"{filename}：第{line}行含有非法字符 U+{ord(bad.group()):04X}，请检查文件是否损坏")
    problems = Problems(filename)
    questions: list[QuestionSpec] = []
    skipped: list[Skipped] = []
    category: str | None = None
    ordinal = 0
    keys: dict[str, int] = {}
    for paragraph, (paragraph_line, paragraph_text) in enumerate(_paragraphs(text), 1):
        if paragraph > MAX_PARAGRAPHS:
            raise ValidationFailed(
                f"{filename}：题目、注释和分类段落超过 {MAX_PARAGRAPHS} 个的上限（第{paragraph_line}行起），"
                "请拆分成多个文件导入"
            )
        comments: list[str] = []
        chunk = paragraph_text
        if chunk.startswith("//") or "\n//" in chunk:
            # Emptied rather than removed, so every line keeps its number.
            comments = _MARKED_COMMENT_LINE.findall(chunk)
            chunk = _COMMENT_LINE.sub("", chunk)
        body, first = _drop_leading_lines(chunk, paragraph_line)
        if body.startswith("$CATEGORY:"):
            category_line, _, rest = body.partition("\n")
            category = _category_tag(_plain(_hold_escapes(category_line[len("$CATEGORY:") :])))
            body, first = _drop_leading_lines(rest, first + 1)
        body = body.rstrip("\n")
        if not body:
            continue
        ordinal += 1
        if ordinal > MAX_QUESTIONS:
            raise too_many_questions(filename, first)
        block = _Block(_hold_escapes(body), first)
        ids = _comment_marks(comments, "[id:")
        key = ids[0] if ids else f"gift-{ordinal}"
        if key in keys:
            problems.add(block.first_line, f"题目编号 [id:{key}] 与第{keys[key]}行的题目重复")
        keys.setdefault(key, block.first_line)
        tags = tuple(dict.fromkeys([*([category] if category else []), *_comment_marks(comments, "[tag:")]))
        outcome = _QuestionReader(block, _Context(filename, key[:100], tags, problems)).read()
        if isinstance(outcome, QuestionSpec):
            questions.append(outcome)
        elif isinstance(outcome, Skipped):
            skipped.append(outcome)
    problems.raise_if_any()
    return ImportResult(questions=questions, skipped=skipped, format="gift")


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Each question's text, every line trimmed as Moodle trims it, with the number of its first line.

    A blank line ends a question. Only regular expressions that cannot backtrack touch the text (trailing space is
    removed as the leading space of the reversed text), and no object is made per line, so any layout of a file
    costs time, and little memory, in proportion to its size.
    """
    text = _LEADING_SPACE.sub("", text)
    text = _LEADING_SPACE.sub("", text[::-1])[::-1]
    line, position = 1, 0
    for blank in _BLANK_LINES.finditer(text):
        if blank.start() > position:
            yield line, text[position : blank.start()]
        line += text.count("\n", position, blank.end())
        position = blank.end()
    if position < len(text):
        yield line, text[position:]


def _drop_leading_lines(text: str, first: int) -> tuple[str, int]:
    """Lines emptied at the top of a question (comments, a category) no longer count as its first line."""
    body = text.lstrip("\n")
    return body, first + len(text) - len(body)


def _category_tag(path: str) -> str | None:
    """``$course$/top/渠道政策/终端`` → ``渠道政策/终端``: the context and Moodle's "top" say nothing to a trainer."""
    parts = [part.strip() for part in path.strip().split("/") if part.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join(parts)[:100] or None


def _comment_marks(comments: list[str], prefix: str) -> list[str]:
    """Values of Moodle's ``// [tag:x] [id:y]`` comment marks."""
    found: list[str] = []
    for line in comments:
        start = line.find(prefix)
        while start >= 0:
            end = line.find("]", start)
            if end < 0:
                break
            value = line[start + len(prefix) : end].strip()
            if value:
                found.append(value)
            start = line.find(prefix, end)
    return found


@dataclass(frozen=True)
class _Parts:
    """Where a question's pieces sit in its block: the answer block is ``text[opening + 1 : closing]``."""

    title: str
    text_format: str
    start: int  # where the question text begins, after the title and the format marker
    opening: int
    closing: int


class _Unreadable(Exception):
    """A question that cannot be read; becomes one problem naming the line of ``offset`` in its block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _QuestionReader:
    """Reads one question block; every reason it cannot be read goes to the file's problems, naming the line."""

    def __init__(self, block: _Block, context: _Context) -> None:
        self.block = block
        self.context = context
        self.text_format = ""
        self.name = ""

    def skip(self, reason: str) -> Skipped:
        return Skipped(self.name, self.block.first_line, reason)

    def markdown(self, held: str) -> str:
        if self.text_format == "plain":
            return _plain(held).strip().translate(_LITERAL_MARKDOWN)
        return held.translate(_AS_MARKDOWN).strip()

    def read(self) -> QuestionSpec | Skipped | None:
        try:
            return self.read_parts()
        except _Unreadable as exc:
            self.context.problems.add(self.block.line_at(exc.offset), exc.message)
            return None

    def read_parts(self) -> QuestionSpec | Skipped:
        parts = self.locate()
        if isinstance(parts, Skipped):
            return parts
        text = self.block.text
        before, answer, after = text[parts.start : parts.opening], text[parts.opening + 1 : parts.closing], \
            text[parts.closing + 1 :]
        stem = f"{before}{BLANK}{after}" if after.strip() else before
        self.name = parts.title or _excerpt(stem)
        if "{" in after:
            return self.skip("一道题里有多个答案块（嵌入式/完形填空题），本系统不支持")
        if "}" in after:
            raise _Unreadable(parts.closing + 1 + after.find("}"), "未转义的“}”（字面的 } 请写成 \\}）")
        if not stem.strip():
            raise _Unreadable(parts.opening, "题干为空")
        explanation = ""
        general = answer.rfind("####")
        if general >= 0:
            answer, explanation = answer[:general], answer[general + 4 :]
        extra = {key: value for key, value in (("title", parts.title), ("format", parts.text_format)) if value}
        spec = QuestionSpec(
            key=self.context.key,
            type="single",
            stem=self.markdown(stem),
            explanation=self.markdown(explanation),
            tags=self.context.tags,
            source=f"{self.context.filename}:{self.block.first_line}",
            extra=extra,
        )
        return self.answer_block(spec, answer, parts.opening + 1)

    def locate(self) -> _Parts | Skipped:
        """Title, format marker and the one answer block, as Moodle finds them."""
        text = self.block.text
        start, title = 0, ""
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                raise _Unreadable(0, "标题以“::”开头却没有结尾的“::”（字面的冒号请写成 \\:）")
            title, start = _plain(text[2:end]).strip(), end + 2
        self.text_format = ""
        head = len(text) - len(text[start:].lstrip())
        for name in FORMATS:
            if text[head : head + len(name) + 2].lower() == f"[{name}]":
                self.text_format, start = name, head + len(name) + 2
                break
        self.name = title or _excerpt(text[start:])
        opening = text.find("{", start)
        stray = text.find("}", start, opening if opening >= 0 else len(text))
        if stray >= 0:
            raise _Unreadable(stray, "未转义的“}”（字面的 } 请写成 \\}）")
        if opening < 0:
            return self.skip("没有答案块 {…}：这是说明文字（description），不是题目")
        closing = text.find("}", opening + 1)
        if closing < 0:
            raise _Unreadable(opening, "“{”没有对应的“}”：答案块必须在空行之前结束（字面的 { 请写成 \\{）")
        nested = text.find("{", opening + 1, closing)
        if nested >= 0:
            raise _Unreadable(nested, "答案块里出现未转义的“{”（字面的 { 请写成 \\{）")
        return _Parts(title, self.text_format, start, opening, closing)

    def answer_block(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        """The kind of question, decided in Moodle's order: essay, numerical, choice, matching, true/false, short."""
        kind = answer.strip()
        if not kind:
            return self.skip("问答题（essay，空答案块 {}）需要人工评分，本系统不支持")
        if kind.startswith("#"):
            return self.numerical(spec, answer, base)
        if "~" in answer:
            return self.choice(spec, answer, base)
        if "=" in answer and "->" in answer:
            return self.skip("配对题（matching，=… -> …）本系统不支持")
        verdict, _, feedback = answer.partition("#")
        if verdict.strip().upper() in TRUE_WORDS + FALSE_WORDS:
            truth = verdict.strip().upper() in TRUE_WORDS
            # GIFT: {T#shown when answered wrongly#shown when answered rightly}; kept as (if "true", if "false").
            wrong, _, right = feedback.partition("#")
            by_choice = [self.markdown(text) for text in ((right, wrong) if truth else (wrong, right))]
            return replace(spec, type="truefalse", truth=truth, feedback=_feedback_tuple(by_choice))
        if "=" in answer:
            return self.fill(spec, answer, base)
        raise _Unreadable(base, "无法识别的答案块：选择题用 ~ 和 =，填空题用 =，判断题用 T/F，数值题以 # 开头")

    def answers(self, answer: str, base: int, *, pattern: re.Pattern[str], hint: str) -> list[_Answer]:
        """Split an answer block at its markers; read each answer's ``%weight%`` and ``#feedback``."""
        found: list[_Answer] = []
        previous: re.Match[str] | None = None
        for match in pattern.finditer(answer):
            if previous is None:
                lead = answer[: match.start()]
                if lead.strip():
                    raise _Unreadable(base, f"答案块中“{_excerpt(lead)}”前面缺少 {hint}")
            else:
                found.append(_one_answer(previous, answer[previous.end() : match.start()], base))
                if len(found) >= MAX_ANSWERS:
                    raise _Unreadable(base, f"答案块中的答案超过 {MAX_ANSWERS} 个")
            previous = match
        if previous is not None:
            found.append(_one_answer(previous, answer[previous.end() :], base))
        for item in found:
            if not -1 <= item.weight <= 1:
                raise _Unreadable(item.offset, "权重必须在 -100% 到 100% 之间")
        return found

    def choice(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        items = self.answers(answer, base, pattern=_MARKERS["choice"], hint="~ 或 =")
        options = [self.markdown(item.text) for item in items]
        empty = [item for item, option in zip(items, options, strict=True) if not option]
        if empty:
            raise _Unreadable(empty[0].offset, "选项内容为空")
        if len(items) < 2:
            raise _Unreadable(base, "选择题至少需要两个选项")
        if len(items) > len(LETTERS):
            return self.skip(f"选项有 {len(items)} 个，本系统最多支持 {len(LETTERS)} 个")
        weights = tuple(item.weight for item in items)
        full = tuple(index for index, weight in enumerate(weights) if weight == 1)
        positive = tuple(index for index, weight in enumerate(weights) if weight > 0)
        partial = any(weight not in (0, 1) for weight in weights)
        spec = replace(spec, options=tuple(options),
                       feedback=_feedback_tuple([self.markdown(item.feedback) for item in items]))
        if not positive:
            raise _Unreadable(base, "没有正确选项（用 = 标出正确答案，或用 ~%50% 这样的正权重）")
        if len(full) == 1:
            # One fully right answer: single choice; partial weights (~%50%) are kept for partial credit.
            return replace(spec, type="single", correct=full, weights=weights if partial else None)
        if len(full) > 1:
            if partial:
                return self.skip("多个“=”正确答案又带百分比权重，无法确定多选题如何计分")
            return replace(spec, type="multiple", correct=full, weights=None)
        total = sum(weights[index] for index in positive)
        if abs(total - 1) > 0.01:
            raise _Unreadable(base, f"正确选项的权重之和应为 100%，现在是 {total * 100:g}%")
        return replace(spec, type="multiple", correct=positive, weights=weights)

    def fill(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        items = self.answers(answer, base, pattern=_MARKERS["fill"], hint="=")
        accepted: list[str] = []
        feedback: list[str] = []
        for item in items:
            text = _plain(item.text).strip()
            if not text:
                raise _Unreadable(item.offset, "填空题的答案为空")
            if 0 < item.weight < 1:
                return self.skip(f"填空题的答案“{_excerpt(item.text)}”只得部分分（{item.weight * 100:g}%），"
                                 "本系统的填空题只有全对或全错")
            if item.weight == 1 and text not in accepted:  # 0% or negative answers are simply not accepted
                accepted.append(text)
                feedback.append(self.markdown(item.feedback))
        if not accepted:
            raise _Unreadable(base, "填空题没有完全正确（100%）的答案")
        return replace(spec, type="fill", accepted=tuple(accepted), feedback=_feedback_tuple(feedback))

    def numerical(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        """Exact values become a fill-in question; a tolerance, a range or partial credit cannot be represented."""
        hash_at = answer.find("#")
        body, body_base = answer[hash_at + 1 :], base + hash_at + 1
        if "=" in body:
            items = self.answers(body, body_base, pattern=_MARKERS["fill"], hint="=")
        else:
            text, _, feedback_text = body.partition("#")
            items = [_Answer("", text, 1.0, feedback_text, body_base)]
        accepted: list[str] = []
        feedback: list[str] = []
        reasons: list[str] = []  # why it cannot be represented; reported only if every value is a number
        for item in items:
            written = _plain(item.text).strip()
            low, dots, high = written.partition("..")
            value, colon, margin = written.partition(":")
            numbers = (low, high) if dots else (value, margin) if colon else (value,)
            if any(len(number) > 50 or not _NUMBER.fullmatch(number.strip()) for number in numbers):
                raise _Unreadable(item.offset, f"数值题的答案“{_excerpt(item.text)}”不是数字")
            if dots:
                reasons.append(f"数值题的取值区间（{written}）本系统不支持")
            elif colon and float(margin) != 0:
                reasons.append(f"数值题的误差范围（{written}，±{margin.strip()}）本系统不支持")
            elif 0 < item.weight < 1:
                reasons.append(f"数值题的答案 {written} 只得部分分（{item.weight * 100:g}%），本系统不支持")
            elif item.weight == 1 and value.strip() not in accepted:
                accepted.append(value.strip())
                feedback.append(self.markdown(item.feedback))
        if reasons:
            return self.skip(reasons[0])
        if not accepted:
            raise _Unreadable(base, "数值题没有完全正确（100%）的答案")
        return replace(spec, type="fill", accepted=tuple(accepted), feedback=_feedback_tuple(feedback),
                       extra={**spec.extra, "numerical": "exact"})


def _feedback_tuple(feedback: list[str]) -> tuple[str, ...]:
    return tuple(feedback) if any(feedback) else ()


def _one_answer(marker: re.Match[str], body: str, base: int) -> _Answer:
    offset = base + marker.end()
    weight = 1.0 if marker.group() == "=" else 0.0
    stripped = body.lstrip()
    if stripped.startswith("%"):
        end = stripped.find("%", 1)
        middle = stripped[1:end] if 0 < end <= 12 else ""
        if _PERCENT.fullmatch(middle):
            weight, stripped = round(float(middle) / 100, 6), stripped[end + 1 :]  # 33.333% → 0.33333
    text, _, feedback = stripped.partition("#")
    return _Answer(marker.group(), text, weight, feedback, offset)
