"""Aiken → QuestionSpecs, read as Moodle reads it (question/format/aiken/format.php), with extensions for Chinese
trainers.

Aiken is the plainest multiple-choice format Moodle reads::

    终端补贴政策的有效期是？
    A. 当月有效
    B. 次月有效
    ANSWER: A

As in Moodle: a line that is neither an option (a capital letter, ``)`` or ``.``, optional space) nor ``ANSWER:``
starts a question; options follow; the ``ANSWER:`` line ends it. Texts are shown literally (Moodle escapes them as
HTML: ``<b>`` and ``2*3`` show as written), converted with text_formats.to_markdown as "plain". Each question that
cannot be read is refused with its line, as Moodle reports it, and the others are imported: too few options, an
option or answer line outside a question, a question whose answer line never comes before the next question.

Beyond Moodle, on purpose:
- a stem may run over several lines until the first option (Moodle would start a new question on each line and
  discard the previous one);
- options may be lettered ``A、`` ``A．`` ``A）`` or with full-width or small letters, and must be lettered in order
  (Moodle accepts any letters and maps the answer by position, which goes wrong silently when a letter is skipped);
- ``答案：`` stands for ``ANSWER:``, in any case;
- several letters (``ANSWER: AC``, ``A,C``, ``A、C``) make a multiple-answer question, each right option worth an
  equal share (Moodle reads only the first letter);
- an answer letter with no such option is refused (Moodle would import a question without a right answer).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lms.core.errors import ValidationFailed
from lms.quizzes.importers.results import MAX_QUESTIONS, ImportResult, Skipped, too_many_questions
from lms.quizzes.importers.text_formats import to_markdown
from lms.quizzes.specs import LETTERS, QuestionSpec

MAX_QUESTION_LINES = 100  # stem and options of one question; more means an answer line is missing

# Anchored, without nested repetition: linear on any line.
_OPTION = re.compile(r"([A-Za-zＡ-Ｚａ-ｚ])\s*[.)．、）]\s*(.*)", re.DOTALL)
_MOODLE_OPTION = re.compile(r"[A-Z][).]")  # what Moodle reads as an option even outside a question
_ANSWER_LINE = re.compile(r"(?:ANSWER|答案)[^\S\n]*[:：](.*)", re.IGNORECASE | re.DOTALL)
# "ANSWER: B" or "答案：A、C" alone on its line; letters and separators are disjoint, so nothing backtracks far.
_DETECT = re.compile(
    r"^[ \t]*(?:ANSWER|答案)[ \t]*[:：][ \t]*[A-JＡ-Ｊ](?:[ \t,，、]*[A-JＡ-Ｊ])*[ \t]*$", re.MULTILINE | re.IGNORECASE
)
_ANSWER_START = re.compile(r"^[^\S\n]*(?:ANSWER|答案)[^\S\n]*[:：]", re.MULTILINE | re.IGNORECASE)
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")


def looks_like_aiken(text: str) -> bool:
    """A ``.txt`` bank is Aiken when a line reads ``ANSWER: X``; GIFT never needs such a line."""
    return _DETECT.search(text) is not None


@dataclass
class _Open:
    """The question being read."""

    first: int
    stem: list[str]
    options: list[str] = field(default_factory=list)
    broken: bool = False  # refused already: its lines are passed over up to its answer line

    def name(self) -> str:
        words = " ".join(" ".join(self.stem).split())
        return words if len(words) <= 40 else words[:40] + "…"


def parse_aiken(text: str, filename: str) -> ImportResult:
    """Line by line, one line string at a time (a 2 MB file never becomes a million strings at once); the lines of a
    refused question are passed over with one regular-expression search for the next answer line."""
    reader = _AikenReader(filename)
    number, position = 1, 0
    while position <= len(text):
        if reader.open is not None and reader.open.broken:
            found = _ANSWER_START.search(text, position)
            if found is None:
                break
            number += text.count("\n", position, found.start())
            position = found.start()
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        reader.line(number, text[position:end].strip())
        number, position = number + 1, end + 1
    reader.end()
    return ImportResult(questions=reader.questions, format="aiken", refused=reader.refused)


class _AikenReader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.questions: list[QuestionSpec] = []
        self.refused: list[Skipped] = []
        self.open: _Open | None = None
        self.answers = 0

    def refuse(self, name: str, line: int, reason: str) -> None:
        self.refused.append(Skipped(name, line, reason))
        if len(self.refused) > MAX_QUESTIONS:
            raise ValidationFailed(f"{self.filename}：超过 {MAX_QUESTIONS} 处无法读取的题目，不像 Aiken 题库文件")

    def refuse_open(self, line: int, reason: str) -> None:
        question = self.open
        assert question is not None  # noqa: S101 - called only with a question open
        self.refuse(question.name(), line, reason)
        question.broken = True

    def line(self, number: int, line: str) -> None:  # noqa: PLR0912 - one branch per kind of line
        question = self.open
        if not line:
            if question and not question.options and not question.broken:
                question.stem.append("")  # a paragraph break inside a long stem
            return
        answer = _ANSWER_LINE.match(line) if line[0] in "AaＡａ答" else None
        if answer:
            self.answers += 1
            if self.answers > MAX_QUESTIONS:
                raise too_many_questions(self.filename, number)
            if question is None:
                self.refuse("", number, "答案行之前没有题目")
            elif not question.broken:
                self.finish(question, answer.group(1).strip(), number)
            self.open = None
            return
        if question is not None and question.broken:
            return
        option = _OPTION.fullmatch(line)
        if question is None:
            if _MOODLE_OPTION.match(line):
                self.refuse("", number, "选项之前没有题目")
            else:
                self.open = _Open(number, [line])
            return
        letter = unicodedata.normalize("NFKC", option.group(1)).upper() if option else ""
        expected = LETTERS[len(question.options)] if len(question.options) < len(LETTERS) else None
        if option and letter == expected:
            if not option.group(2).strip():
                self.refuse_open(number, f"选项 {expected} 的内容为空")
            else:
                question.options.append(option.group(2).strip())
        elif not question.options:
            question.stem.append(line)
        elif option:
            wanted = f"应为 {expected}" if expected else f"最多 {len(LETTERS)} 个选项"
            self.refuse_open(number, f"选项字母“{option.group(1)}”不连续（{wanted}）")
        else:  # Moodle: a new question starts here; the open one never got its answer line
            self.refuse(question.name(), question.first, f"题目缺少答案行（ANSWER: X），第{number}行已开始下一题")
            self.open = _Open(number, [line])
            return
        if len(question.stem) + len(question.options) > MAX_QUESTION_LINES and not question.broken:
            self.refuse_open(question.first, f"题目超过 {MAX_QUESTION_LINES} 行，可能缺少答案行（ANSWER: X）")

    def end(self) -> None:
        if self.open is not None and not self.open.broken:
            self.refuse(self.open.name(), self.open.first, "题目缺少答案行（ANSWER: X）")

    def finish(self, question: _Open, written: str, answer_line: int) -> None:
        if len(question.options) < 2:
            self.refuse(question.name(), answer_line, "答案行之前至少需要两个选项（A. … B. …）")
            return
        correct = self.correct(question, written, answer_line)
        if correct is None:
            return
        while question.stem and not question.stem[-1]:
            question.stem.pop()
        self.questions.append(QuestionSpec(
            key=f"aiken-{len(self.questions) + 1}",
            type="single" if len(correct) == 1 else "multiple",
            stem=to_markdown("\n".join(question.stem), "plain"),
            options=tuple(to_markdown(option, "plain") for option in question.options),
            correct=tuple(sorted(correct)),
            source=f"{self.filename}:{question.first}",
        ))

    def correct(self, question: _Open, written: str, answer_line: int) -> list[int] | None:
        """``D``, ``AC`` or ``A,C`` → 0-based indexes of existing options; None (and a refusal) otherwise."""
        option_count = len(question.options)
        parts = [part for part in _LETTER_SEPARATORS.split(unicodedata.normalize("NFKC", written).upper()) if part]
        letters = [char for part in parts for char in part] if all(part.isalpha() for part in parts) else parts
        correct: list[int] = []
        for letter in letters:
            index = LETTERS.find(letter) if len(letter) == 1 else -1
            if not 0 <= index < option_count:
                self.refuse(question.name(), answer_line,
                            f"答案“{written}”无效：应为 A–{LETTERS[option_count - 1]} 中的字母")
                return None
            if index in correct:
                self.refuse(question.name(), answer_line, f"答案“{written}”中字母 {letter} 重复")
                return None
            correct.append(index)
        if not correct:
            self.refuse(question.name(), answer_line, "答案行没有写答案字母")
            return None
        return correct
