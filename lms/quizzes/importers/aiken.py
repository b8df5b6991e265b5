"""Aiken → QuestionSpecs.

Aiken is the plainest multiple-choice format Moodle reads::

    终端补贴政策的有效期是？
    A. 当月有效
    B. 次月有效
    ANSWER: A

A question is its stem (one line or more), then options lettered in order, then the ``ANSWER:`` line, which ends
it; blank lines between questions are optional. Beyond Moodle, and because trainers type Chinese punctuation, the
letter may be followed by ``.`` ``)`` ``．`` ``、`` or ``）``, ``答案：`` stands for ``ANSWER:``, and several letters
(``ANSWER: AC`` or ``A,C``) make a multiple-choice question.
"""

from __future__ import annotations

import re
import unicodedata

from lms.quizzes.importers.results import MAX_QUESTIONS, ImportResult, Problems, too_many_questions
from lms.quizzes.specs import LETTERS, QuestionSpec

# Anchored, without nested repetition: linear on any line.
_OPTION = re.compile(r"([A-Za-zＡ-Ｚａ-ｚ])\s*[.)．、）]\s*(.*)", re.DOTALL)
_ANSWER = re.compile(r"(?:ANSWER|答案)\s*[:：]\s*(.*)", re.IGNORECASE | re.DOTALL)
_DETECT = re.compile(r"^[ \t]*(?:ANSWER|答案)[ \t]*[:：][ \t]*[A-JＡ-Ｊ]", re.MULTILINE)
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")


def looks_like_aiken(text: str) -> bool:
    """A ``.txt`` bank is Aiken when a line reads ``ANSWER: X``; GIFT never needs such a line."""
    return _DETECT.search(text) is not None


def parse_aiken(text: str, filename: str) -> ImportResult:
    reader = _AikenReader(filename)
    for number, raw in enumerate(text.split("\n"), 1):
        reader.line(number, raw.strip())
    if reader.stem:
        reader.problems.add(reader.stem_line, "题目缺少答案行（ANSWER: X）")
    reader.problems.raise_if_any()
    return ImportResult(questions=reader.questions, skipped=[], format="aiken")


class _AikenReader:
    """The question being read (stem lines, then options) and what has been read so far."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems = Problems(filename)
        self.questions: list[QuestionSpec] = []
        self.stem: list[str] = []
        self.stem_line = 0
        self.options: list[str] = []
        self.recovering = False  # after a broken question, read on from its answer line, not report every line

    def line(self, number: int, line: str) -> None:
        answer = _ANSWER.fullmatch(line)
        if self.recovering:
            self.recovering = answer is None
        elif not line:
            if self.stem and not self.options:
                self.stem.append("")  # a paragraph break inside a long stem
        elif answer:
            if self.stem:
                self.finish(answer.group(1), number)
            else:
                self.problems.add(number, "答案行之前没有题目")
        elif not self.stem:
            self.stem, self.stem_line, self.options = [line], number, []
        else:
            self.option_or_stem(number, line)

    def option_or_stem(self, number: int, line: str) -> None:
        option = _OPTION.fullmatch(line)
        expected = LETTERS[len(self.options)] if len(self.options) < len(LETTERS) else None
        if option and unicodedata.normalize("NFKC", option.group(1)).upper() == expected:
            if not option.group(2).strip():
                self.problems.add(number, f"选项 {expected} 的内容为空")
            self.options.append(option.group(2).strip())
        elif not self.options:
            self.stem.append(line)
        else:
            if option:
                wanted = f"应为 {expected}" if expected else f"最多 {len(LETTERS)} 个选项"
                self.problems.add(number, f"选项字母“{option.group(1)}”不连续（{wanted}）")
            else:
                self.problems.add(number, "既不是选项（如“B. …”）也不是答案行（ANSWER: X）")
            self.stem, self.options, self.recovering = [], [], True

    def finish(self, written: str, answer_line: int) -> None:
        correct = self.correct(written, answer_line)
        if correct is not None:
            while self.stem and not self.stem[-1]:
                self.stem.pop()
            self.questions.append(QuestionSpec(
                key=f"aiken-{len(self.questions) + 1}",
                type="single" if len(correct) == 1 else "multiple",
                stem="\n".join(self.stem),
                options=tuple(self.options),
                correct=tuple(sorted(correct)),
                source=f"{self.filename}:{self.stem_line}",
            ))
            if len(self.questions) > MAX_QUESTIONS:
                raise too_many_questions(self.filename, self.stem_line)
        self.stem, self.options = [], []

    def correct(self, written: str, answer_line: int) -> list[int] | None:
        """``D``, ``AC`` or ``A,C`` → 0-based indexes of existing options; None (and a problem) otherwise."""
        if len(self.options) < 2:
            self.problems.add(answer_line, "答案行之前至少需要两个选项（A. … B. …）")
            return None
        parts = [part for part in _LETTER_SEPARATORS.split(unicodedata.normalize("NFKC", written).upper()) if part]
        letters = [char for part in parts for char in part] if all(part.isalpha() for part in parts) else parts
        correct: list[int] = []
        for letter in letters:
            index = LETTERS.find(letter) if len(letter) == 1 else -1
            if not 0 <= index < len(self.options):
                last = LETTERS[len(self.options) - 1]
                self.problems.add(answer_line, f"答案“{written}”无效：应为 A–{last} 中的字母")
                return None
            if index in correct:
                self.problems.add(answer_line, f"答案“{written}”中字母 {letter} 重复")
                return None
            correct.append(index)
        if not correct:
            self.problems.add(answer_line, "答案行没有写答案字母")
            return None
        return correct
