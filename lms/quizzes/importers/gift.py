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
from dataclasses import dataclass, replace

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.gift_answers import MARKERS, Answer, Unreadable, locate, split_answers
from lms.quizzes.importers.gift_lexer import (
    NONCHARACTER,
    Block,
    category_tag,
    comment_marks,
    drop_leading_lines,
    excerpt,
    hold_escapes,
    paragraphs,
    plain,
    split_comments,
    to_markdown,
)
from lms.quizzes.importers.results import MAX_QUESTIONS, ImportResult, Problems, Skipped, too_many_questions
from lms.quizzes.specs import LETTERS, QuestionSpec

BLANK = "＿＿＿"  # where a "missing word" answer block sat inside the sentence
MAX_PARAGRAPHS = 2 * MAX_QUESTIONS  # questions plus the comment and $CATEGORY paragraphs between them
TRUE_WORDS, FALSE_WORDS = ("T", "TRUE"), ("F", "FALSE")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


@dataclass(frozen=True)
class _Context:
    filename: str
    key: str
    tags: tuple[str, ...]
    problems: Problems


def parse_gift(text: str, filename: str) -> ImportResult:
    bad = NONCHARACTER.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ValidationFailed(f"{filename}：第{line}行含有非法字符 U+{ord(bad.group()):04X}，请检查文件是否损坏")
    problems = Problems(filename)
    questions: list[QuestionSpec] = []
    skipped: list[Skipped] = []
    category: str | None = None
    ordinal = 0
    keys: dict[str, int] = {}
    for paragraph, (paragraph_line, paragraph_text) in enumerate(paragraphs(text), 1):
        if paragraph > MAX_PARAGRAPHS:
            raise ValidationFailed(
                f"{filename}：题目、注释和分类段落超过 {MAX_PARAGRAPHS} 个的上限（第{paragraph_line}行起），"
                "请拆分成多个文件导入"
            )
        comments, chunk = split_comments(paragraph_text)
        body, first = drop_leading_lines(chunk, paragraph_line)
        if body.startswith("$CATEGORY:"):
            category_line, _, rest = body.partition("\n")
            category = category_tag(plain(hold_escapes(category_line[len("$CATEGORY:") :])))
            body, first = drop_leading_lines(rest, first + 1)
        body = body.rstrip("\n")
        if not body:
            continue
        ordinal += 1
        if ordinal > MAX_QUESTIONS:
            raise too_many_questions(filename, first)
        block = Block(hold_escapes(body), first)
        ids = comment_marks(comments, "[id:")
        key = ids[0] if ids else f"gift-{ordinal}"
        if key in keys:
            problems.add(block.first_line, f"题目编号 [id:{key}] 与第{keys[key]}行的题目重复")
        keys.setdefault(key, block.first_line)
        tags = tuple(dict.fromkeys([*([category] if category else []), *comment_marks(comments, "[tag:")]))
        outcome = _QuestionReader(block, _Context(filename, key[:100], tags, problems)).read()
        if isinstance(outcome, QuestionSpec):
            questions.append(outcome)
        elif isinstance(outcome, Skipped):
            skipped.append(outcome)
    problems.raise_if_any()
    return ImportResult(questions=questions, skipped=skipped, format="gift")


class _QuestionReader:
    """Reads one question block; every reason it cannot be read goes to the file's problems, naming the line."""

    def __init__(self, block: Block, context: _Context) -> None:
        self.block = block
        self.context = context
        self.text_format = ""
        self.name = ""

    def skip(self, reason: str) -> Skipped:
        return Skipped(self.name, self.block.first_line, reason)

    def markdown(self, held: str) -> str:
        return to_markdown(held, self.text_format)

    def read(self) -> QuestionSpec | Skipped | None:
        try:
            return self.read_parts()
        except Unreadable as exc:
            self.context.problems.add(self.block.line_at(exc.offset), exc.message)
            return None

    def read_parts(self) -> QuestionSpec | Skipped:
        text = self.block.text
        parts = locate(text)
        self.text_format = parts.text_format
        self.name = parts.title or excerpt(text[parts.start :])
        if parts.opening < 0:
            return self.skip("没有答案块 {…}：这是说明文字（description），不是题目")
        before, answer, after = text[parts.start : parts.opening], text[parts.opening + 1 : parts.closing], \
            text[parts.closing + 1 :]
        stem = f"{before}{BLANK}{after}" if after.strip() else before
        self.name = parts.title or excerpt(stem)
        if "{" in after:
            return self.skip("一道题里有多个答案块（嵌入式/完形填空题），本系统不支持")
        if "}" in after:
            raise Unreadable(parts.closing + 1 + after.find("}"), "未转义的“}”（字面的 } 请写成 \\}）")
        if not stem.strip():
            raise Unreadable(parts.opening, "题干为空")
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
        raise Unreadable(base, "无法识别的答案块：选择题用 ~ 和 =，填空题用 =，判断题用 T/F，数值题以 # 开头")

    def choice(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        items = split_answers(answer, base, pattern=MARKERS["choice"], hint="~ 或 =")
        options = [self.markdown(item.text) for item in items]
        empty = [item for item, option in zip(items, options, strict=True) if not option]
        if empty:
            raise Unreadable(empty[0].offset, "选项内容为空")
        if len(items) < 2:
            raise Unreadable(base, "选择题至少需要两个选项")
        if len(items) > len(LETTERS):
            return self.skip(f"选项有 {len(items)} 个，本系统最多支持 {len(LETTERS)} 个")
        weights = tuple(item.weight for item in items)
        full = tuple(index for index, weight in enumerate(weights) if weight == 1)
        positive = tuple(index for index, weight in enumerate(weights) if weight > 0)
        partial = any(weight not in (0, 1) for weight in weights)
        spec = replace(spec, options=tuple(options),
                       feedback=_feedback_tuple([self.markdown(item.feedback) for item in items]))
        if not positive:
            raise Unreadable(base, "没有正确选项（用 = 标出正确答案，或用 ~%50% 这样的正权重）")
        if len(full) == 1:
            # One fully right answer: single choice; partial weights (~%50%) are kept for partial credit.
            return replace(spec, type="single", correct=full, weights=weights if partial else None)
        if len(full) > 1:
            if partial:
                return self.skip("多个“=”正确答案又带百分比权重，无法确定多选题如何计分")
            return replace(spec, type="multiple", correct=full, weights=None)
        total = sum(weights[index] for index in positive)
        if abs(total - 1) > 0.01:
            raise Unreadable(base, f"正确选项的权重之和应为 100%，现在是 {total * 100:g}%")
        return replace(spec, type="multiple", correct=positive, weights=weights)

    def fill(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        items = split_answers(answer, base, pattern=MARKERS["fill"], hint="=")
        accepted: list[str] = []
        feedback: list[str] = []
        for item in items:
            text = plain(item.text).strip()
            if not text:
                raise Unreadable(item.offset, "填空题的答案为空")
            if 0 < item.weight < 1:
                return self.skip(f"填空题的答案“{excerpt(item.text)}”只得部分分（{item.weight * 100:g}%），"
                                 "本系统的填空题只有全对或全错")
            if item.weight == 1 and text not in accepted:  # 0% or negative answers are simply not accepted
                accepted.append(text)
                feedback.append(self.markdown(item.feedback))
        if not accepted:
            raise Unreadable(base, "填空题没有完全正确（100%）的答案")
        return replace(spec, type="fill", accepted=tuple(accepted), feedback=_feedback_tuple(feedback))

    def numerical(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec | Skipped:
        """Exact values become a fill-in question; a tolerance, a range or partial credit cannot be represented."""
        hash_at = answer.find("#")
        body, body_base = answer[hash_at + 1 :], base + hash_at + 1
        if "=" in body:
            items = split_answers(body, body_base, pattern=MARKERS["fill"], hint="=")
        else:
            text, _, feedback_text = body.partition("#")
            items = [Answer("", text, 1.0, feedback_text, body_base)]
        accepted: list[str] = []
        feedback: list[str] = []
        reasons: list[str] = []  # why it cannot be represented; reported only if every value is a number
        for item in items:
            written = plain(item.text).strip()
            low, dots, high = written.partition("..")
            value, colon, margin = written.partition(":")
            numbers = (low, high) if dots else (value, margin) if colon else (value,)
            if any(len(number) > 50 or not _NUMBER.fullmatch(number.strip()) for number in numbers):
                raise Unreadable(item.offset, f"数值题的答案“{excerpt(item.text)}”不是数字")
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
            raise Unreadable(base, "数值题没有完全正确（100%）的答案")
        return replace(spec, type="fill", accepted=tuple(accepted), feedback=_feedback_tuple(feedback),
                       extra={**spec.extra, "numerical": "exact"})


def _feedback_tuple(feedback: list[str]) -> tuple[str, ...]:
    return tuple(feedback) if any(feedback) else ()
