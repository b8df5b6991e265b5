"""Moodle GIFT → QuestionSpecs, read as Moodle's own importer reads it (question/format/gift/format.php).

A blank line ends a question; whole-line ``//`` comments are dropped, their ``[id:x]`` becomes the question's key and
their ``[tag:x]`` its tags; ``$CATEGORY:`` starts a category, kept as a tag; ``::title::`` names the question
(``extra["title"]``); a backslash escapes ``~ = # { } :`` and ``\\n`` is a line break. The type is decided in
Moodle's order: no braces → description, ``{}`` → essay, ``{#…}`` → numerical, a ``~`` → multiple choice, ``=`` with
``->`` → matching, ``T``/``TRUE``/``F``/``FALSE`` (case as written) → true/false, anything else → short answer.

Texts: the question text may start with ``[moodle]``, ``[html]``, ``[plain]`` or ``[markdown]``; unmarked text is
Moodle's "moodle" format. General feedback, each answer and each feedback may carry their own marker and otherwise
take the question text's format (Moodle's parse_text_with_format with the question's format as default). Each is
converted once with text_formats.to_markdown, so it shows what Moodle shows.

Multiple choice is single-answer when the block holds a ``=`` and multiple-answer when it does not (Moodle's rule):
``{=a =b ~c}`` is single choice where either is right, ``{~%100%a ~%-50%b ~%-50%c}`` is a checkbox question.

Beyond Moodle, on purpose (each named in the tests' tally): a question with several answer blocks (Moodle reads the
first and leaves the rest in the text) is skipped as cloze; a stray or nested brace is refused where Moodle's reading
becomes arbitrary; a numerical answer that is not a number is refused (Moodle's importer turns it into "any answer");
``$CATEGORY:`` may sit directly above its first question.

A question that cannot be read goes to ``refused`` with its line and reason; the others are read. Only the file as a
whole (a NUL or internal character, too many paragraphs) raises ValidationFailed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from lms.core.errors import ValidationFailed
from lms.quizzes.importers import text_formats
from lms.quizzes.importers.gift_answers import Piece, Unreadable, pieces, split_format, split_weight
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
)
from lms.quizzes.importers.results import MAX_QUESTIONS, ImportResult, Skipped, too_many_questions
from lms.quizzes.specs import LETTERS, QuestionSpec

BLANK = "_____"  # Moodle's blank where a missing-word answer block sat inside the sentence
MAX_PARAGRAPHS = 2 * MAX_QUESTIONS  # questions plus the comment and $CATEGORY paragraphs between them
TRUE_WORDS, FALSE_WORDS = ("T", "TRUE"), ("F", "FALSE")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)  # PHP's is_numeric, less hex
_FULL = 1e-6  # a fraction this close to 1 is full marks (33.333% × 3 is 0.99999)


@dataclass(frozen=True)
class _Context:
    filename: str
    key: str
    tags: tuple[str, ...]


class _Skip(Exception):
    """A question of a type the platform does not have."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_gift(text: str, filename: str) -> ImportResult:
    bad = NONCHARACTER.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ValidationFailed(f"{filename}：第{line}行含有非法字符 U+{ord(bad.group()):04X}，请检查文件是否损坏")
    result = ImportResult(questions=[], format="gift")
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
        idnumber, marked_tags = comment_marks(comments)
        key = idnumber[:100] or f"gift-{ordinal}"
        tags = tuple(dict.fromkeys([*([category] if category else []), *(tag[:100] for tag in marked_tags)]))
        reader = _QuestionReader(Block(hold_escapes(body), first), _Context(filename, key, tags))
        if key in keys:
            result.refused.append(Skipped(reader.name(), first, f"题目编号 [id:{key}] 与第{keys[key]}行的题目重复"))
            continue
        keys[key] = first
        reader.read_into(result)
    return result


class _QuestionReader:
    """Reads one question block into the result: a question, a skipped one, or a refused one with its line."""

    def __init__(self, block: Block, context: _Context) -> None:
        self.block = block
        self.context = context
        self.title = ""
        self.start = 0  # where the question text begins in the block, after the title
        self.question_format = text_formats.DEFAULT_FORMAT
        self.stem_excerpt = ""
        text = block.text
        if text.startswith("::"):
            end = text.find("::", 2)
            if end >= 0:
                self.title = " ".join(plain(text[2:end]).split())[:255]
                self.start = end + 2
            else:  # Moodle drops the "::" and reads on, naming the question by its text
                self.start = 2

    def name(self) -> str:
        text = self.block.text[self.start :]
        return self.title or self.stem_excerpt or excerpt(text.partition("{")[0] or text)

    def read_into(self, result: ImportResult) -> None:
        try:
            result.questions.append(self.read())
        except _Skip as skip:
            result.skipped.append(Skipped(self.name(), self.block.first_line, skip.reason))
        except Unreadable as exc:
            result.refused.append(Skipped(self.name(), self.block.line_at(exc.offset), exc.message))

    def text(self, held: str, default: str | None = None) -> str:
        """A held text as Markdown, in its own ``[format]`` or else ``default`` (the question text's format)."""
        return _render(*split_format(held, default or self.question_format))

    def read(self) -> QuestionSpec:
        text, start = self.block.text, self.start
        opening, closing = text.find("{", start), text.find("}", start)
        if opening < 0 and closing < 0:
            self.stem_excerpt = excerpt(text[start:])
            raise _Skip("没有答案块 {…}：这是说明文字（description），不是题目")
        if closing < 0:
            raise Unreadable(opening, "“{”没有对应的“}”：答案块必须在空行之前结束（字面的 { 请写成 \\{）")
        if opening < 0 or closing < opening:
            raise Unreadable(closing, "未转义的“}”（字面的 } 请写成 \\}）")
        nested = text.find("{", opening + 1, closing)
        if nested >= 0:
            raise Unreadable(nested, "答案块里出现未转义的“{”（字面的 { 请写成 \\{）")
        after = text[closing + 1 :]
        self.stem_excerpt = excerpt(text[start:opening] + (BLANK + after if after else ""))
        if "{" in after:
            raise _Skip("一道题里有多个答案块（嵌入式/完形填空题），本系统不支持")
        if "}" in after:
            raise Unreadable(closing + 1 + after.find("}"), "未转义的“}”（字面的 } 请写成 \\}）")
        held_stem = (text[start:opening] + (BLANK + after if after else "")).strip()
        self.question_format, stem_text = split_format(held_stem, text_formats.DEFAULT_FORMAT)
        marked = stem_text != held_stem  # the author wrote a [format] marker
        stem = _render(self.question_format, stem_text)
        inner = text[opening + 1 : closing]
        base = opening + 1 + len(inner) - len(inner.lstrip())
        answer = inner.strip()
        explanation = ""
        general = answer.rfind("####")
        if general >= 0:
            answer, explanation = answer[:general].strip(), self.text(answer[general + 4 :])
        spec = QuestionSpec(
            key=self.context.key,
            type="single",
            stem=stem,
            explanation=explanation,
            tags=self.context.tags,
            source=f"{self.context.filename}:{self.block.first_line}",
            extra={key: value for key, value in (("title", self.title), ("format", marked and self.question_format))
                   if value},
        )
        question = self.answer_block(spec, answer, base)
        if not question.stem:
            raise Unreadable(opening, "题干为空")
        return question

    def answer_block(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec:
        """The kind of question, decided in Moodle's order."""
        if not answer:
            raise _Skip("问答题（essay，空答案块 {}）需要人工评分，本系统不支持")
        if answer.startswith("#"):
            return self.numerical(spec, answer[1:], base + 1)
        if "~" in answer:
            return self.choice(spec, answer, base)
        if "=" in answer and "->" in answer:
            raise _Skip("配对题（matching，=… -> …）本系统不支持")
        hash_at = answer.find("#")
        verdict = answer[:hash_at].strip() if hash_at > 0 else answer
        if verdict in TRUE_WORDS + FALSE_WORDS:
            return self.truefalse(spec, answer)
        return self.short_answer(spec, answer, base)

    def truefalse(self, spec: QuestionSpec, answer: str) -> QuestionSpec:
        # {T#shown to whoever answers wrongly#shown to whoever answers rightly}; kept as (if "true", if "false").
        bits = [*answer.split("#", 2), "", ""]
        truth = split_format(bits[0], self.question_format)[1].strip() in TRUE_WORDS
        wrong, right = self.text(bits[1]), self.text(bits[2])
        feedback = (right, wrong) if truth else (wrong, right)
        return replace(spec, type="truefalse", truth=truth, feedback=feedback if any(feedback) else ())

    def choice(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec:
        single = "=" in answer  # Moodle: multiple answers are allowed when no "=" marks a 100% answer
        options: list[str] = []
        weights: list[float] = []
        feedback: list[str] = []
        found = pieces(answer, base, split_at="~=", kept="=")
        if len(found) < 2:
            raise Unreadable(base, "选择题至少需要两个选项")
        for piece in found:
            body = piece.text.strip()
            if body.startswith("="):
                weight: float | None = 1.0
                body = body[1:]
            else:
                weight, body = split_weight(body, piece.offset)
            written, _, comment = body.partition("#")
            option = self.text(written)
            if not option:  # Moodle keeps no answer whose text is blank
                continue
            options.append(option)
            weights.append(_checked(weight or 0.0, piece))
            feedback.append(self.text(comment))
        if len(options) < 2:
            raise Unreadable(base, "选择题至少需要两个内容不为空的选项")
        if len(options) > len(LETTERS):
            raise _Skip(f"选项有 {len(options)} 个，本系统最多支持 {len(LETTERS)} 个")
        spec = replace(spec, options=tuple(options), feedback=tuple(feedback) if any(feedback) else ())
        if single:
            full = tuple(index for index, weight in enumerate(weights) if abs(weight - 1) < _FULL)
            if not full:
                raise Unreadable(base, "单选题（有“=”）需要一个 100% 的正确选项")
            # Partial fractions, or several fully right options (either is right): the weights say how it scores.
            partial = len(full) > 1 or any(weight not in (0.0, 1.0) for weight in weights)
            return replace(spec, type="single", correct=full, weights=tuple(weights) if partial else None)
        positive = tuple(index for index, weight in enumerate(weights) if weight > 0)
        if not positive:
            raise Unreadable(base, "没有正确选项（用 = 标出正确答案，或用 ~%50% 这样的正权重）")
        total = sum(weights[index] for index in positive)
        if abs(total - 1) > 0.005:  # Moodle rounds the sum to two places
            raise Unreadable(base, f"多选题正确选项的权重之和应为 100%，现在是 {total * 100:g}%")
        return replace(spec, type="multiple", correct=positive, weights=tuple(weights))

    def short_answer(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec:
        accepted: list[str] = []
        weights: list[float] = []
        feedback: list[str] = []
        for piece in pieces(answer, base, split_at="="):
            weight, body = split_weight(piece.text.strip(), piece.offset)
            written, _, comment = body.partition("#")
            text = plain(split_format(written, self.question_format)[1]).strip()
            if not text or text in accepted:  # blank answers are dropped; a repeat never matches first in Moodle
                continue
            accepted.append(text)
            weights.append(_checked(1.0 if weight is None else weight, piece))
            feedback.append(self.text(comment))
        if not accepted:
            raise Unreadable(base, "填空题的答案为空")
        if not any(abs(weight - 1) < _FULL for weight in weights):
            raise Unreadable(base, "填空题没有 100% 的答案")
        return replace(spec, type="fill", accepted=tuple(accepted),
                       weights=None if all(weight == 1 for weight in weights) else tuple(weights),
                       feedback=tuple(feedback) if any(feedback) else ())

    def numerical(self, spec: QuestionSpec, answer: str, base: int) -> QuestionSpec:
        """``{#3}``, ``{#3:0.5}``, ``{#1..5}``, ``{#=3:0 =%50%3:1#close}``, ``{#3:2~#any other answer}``."""
        other = ""
        tilde = answer.find("~")
        if tilde >= 0:  # Moodle: feedback for any other answer, stored as a 0% answer "*"
            other = self.text(answer[tilde:].partition("#")[2])
            answer = answer[:tilde]
        numbers: list[tuple[float, float]] = []
        weights: list[float] = []
        feedback: list[str] = []
        found = pieces(answer, base, split_at="=")
        if not found:
            raise Unreadable(base, "数值题没有答案（如 {#3}、{#3:0.5} 或 {#1..5}）")
        for piece in found:
            weight, body = split_weight(piece.text.strip(), piece.offset)
            written, _, comment = body.partition("#")
            value = plain(split_format(written, self.question_format)[1]).strip()
            fraction = _checked(1.0 if weight is None else weight, piece)
            if value == "*":
                if fraction:
                    raise _Skip(f"数值题的“*”（任何数字都得 {fraction * 100:g}%）本系统不支持")
                other = other or self.text(comment)
                continue
            numbers.append(_number_and_tolerance(value, piece))
            weights.append(fraction)
            feedback.append(self.text(comment))
        if not numbers:
            raise Unreadable(base, "数值题没有答案（如 {#3}、{#3:0.5} 或 {#1..5}）")
        if not any(abs(weight - 1) < _FULL for weight in weights):
            raise Unreadable(base, "数值题没有 100% 的答案")
        extra = {**spec.extra, "other_feedback": other} if other else spec.extra
        return replace(spec, type="numeric", numbers=tuple(numbers),
                       weights=None if all(weight == 1 for weight in weights) else tuple(weights),
                       feedback=tuple(feedback) if any(feedback) else (), extra=extra)


def _render(text_format: str, held: str) -> str:
    # [markdown] text is Markdown once its GIFT escapes are read, as in Moodle: a doubled backslash in the file is one
    # backslash in the Markdown, where it may escape a star.
    return text_formats.to_markdown(plain(held).strip(), text_format)


def _checked(weight: float, piece: Piece) -> float:
    if not -1 <= weight <= 1:
        raise Unreadable(piece.offset, f"权重 {weight * 100:g}% 超出 -100% 到 100% 的范围")
    return weight


def _number_and_tolerance(written: str, piece: Piece) -> tuple[float, float]:
    """``3`` → (3, 0); ``3:0.5`` → (3, 0.5); ``1..5`` → (3, 2): Moodle's midpoint and half-width."""
    if written.find("..") > 0:
        low, _, high = written.partition("..")
        lower, upper = _number(low, written, piece), _number(high, written, piece)
        # Rounded to 12 significant digits, so {#3.141..3.142} is 3.1415 ± 0.0005, not 3.1414999999999997.
        return float(f"{(lower + upper) / 2:.12g}"), float(f"{abs(upper - lower) / 2:.12g}")
    if written.find(":") > 0:
        value, _, tolerance = written.partition(":")
        return _number(value, written, piece), abs(_number(tolerance, written, piece))
    return _number(written, written, piece), 0.0


def _number(text: str, written: str, piece: Piece) -> float:
    text = text.strip()
    if len(text) > 50 or not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise Unreadable(piece.offset, f"数值题的答案“{excerpt(written)}”不是数字")
    return float(text)
