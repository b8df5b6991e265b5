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

MAX_QUESTION_LINES = 100  # stem and options of one question; more means an answer line is missing

# Anchored, without nested repetition: linear on any line.
_OPTION = re.compile(r"([A-Za-zＡ-Ｚａ-ｚ])\s*[.)．、）]\s*(.*)", re.DOTALL)
_ANSWER_LINE = re.compile(r"^[^\S\n]*(?:ANSWER|答案)[^\S\n]*[:：]([^\n]*)", re.MULTILINE | re.IGNORECASE)
# "ANSWER: B" or "答案：A、C" alone on its line; letters and separators are disjoint, so nothing backtracks far.
_DETECT = re.compile(
    r"^[ \t]*(?:ANSWER|答案)[ \t]*[:：][ \t]*[A-JＡ-Ｊ](?:[ \t,，、]*[A-JＡ-Ｊ])*[ \t]*$", re.MULTILINE | re.IGNORECASE
)
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")


def looks_like_aiken(text: str) -> bool:
    """A ``.txt`` bank is Aiken when a line reads ``ANSWER: X``; GIFT never needs such a line."""
    return _DETECT.search(text) is not None


def parse_aiken(text: str, filename: str) -> ImportResult:
    """Questions are found by their answer lines (a regular expression over the whole text), then read line by line."""
    reader = _AikenReader(filename)
    position, line = 0, 1  # ``line`` is the number of the line ``position`` is on
    for count, answer in enumerate(_ANSWER_LINE.finditer(text), 1):
        if count > MAX_QUESTIONS:
            raise too_many_questions(filename, line)
        chunk = text[position : answer.start()]
        reader.question(chunk, line, answer.group(1).strip())
        line += chunk.count("\n")
        position = answer.end()
    rest = text[position:]
    if rest.strip():
        reader.problems.add(line + _leading_lines(rest), "题目缺少答案行（ANSWER: X）")
    reader.problems.raise_if_any()
    return ImportResult(questions=reader.questions, skipped=[], format="aiken")


def _leading_lines(text: str) -> int:
    return text[: len(text) - len(text.lstrip())].count("\n")


class _AikenReader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems = Problems(filename)
        self.questions: list[QuestionSpec] = []

    def question(self, chunk: str, line: int, written: str) -> None:
        """One question: ``chunk`` holds its lines (from line number ``line``), ``written`` its answer letters."""
        answer_line = line + chunk.count("\n")
        body = chunk.strip()
        if not body:
            self.problems.add(answer_line, "答案行之前没有题目")
            return
        first = line + _leading_lines(chunk)
        if body.count("\n") >= MAX_QUESTION_LINES:
            self.problems.add(first, f"题目超过 {MAX_QUESTION_LINES} 行，可能缺少答案行（ANSWER: X）")
            return
        stem: list[str] = []
        options: list[str] = []
        for number, raw in enumerate(body.split("\n"), first):
            text = raw.strip()
            if not stem:
                stem.append(text)
            elif not self.option_or_stem(number, text, stem, options):
                return
        while stem and not stem[-1]:
            stem.pop()
        correct = self.correct(written, len(options), answer_line)
        if correct is not None:
            self.questions.append(QuestionSpec(
                key=f"aiken-{len(self.questions) + 1}",
                type="single" if len(correct) == 1 else "multiple",
                stem="\n".join(stem),
                options=tuple(options),
                correct=tuple(sorted(correct)),
                source=f"{self.filename}:{first}",
            ))

    def option_or_stem(self, number: int, text: str, stem: list[str], options: list[str]) -> bool:
        """Add the line where it belongs; False (and a problem) when it belongs nowhere."""
        if not text:
            if not options:
                stem.append("")  # a paragraph break inside a long stem
            return True
        option = _OPTION.fullmatch(text)
        expected = LETTERS[len(options)] if len(options) < len(LETTERS) else None
        if option and unicodedata.normalize("NFKC", option.group(1)).upper() == expected:
            if not option.group(2).strip():
                self.problems.add(number, f"选项 {expected} 的内容为空")
                return False
            options.append(option.group(2).strip())
        elif not options:
            stem.append(text)
        elif option:
            wanted = f"应为 {expected}" if expected else f"最多 {len(LETTERS)} 个选项"
            self.problems.add(number, f"选项字母“{option.group(1)}”不连续（{wanted}）")
            return False
        else:
            self.problems.add(number, "既不是选项（如“B. …”）也不是答案行（ANSWER: X）")
            return False
        return True

    def correct(self, written: str, option_count: int, answer_line: int) -> list[int] | None:
        """``D``, ``AC`` or ``A,C`` → 0-based indexes of existing options; None (and a problem) otherwise."""
        if option_count < 2:
            self.problems.add(answer_line, "答案行之前至少需要两个选项（A. … B. …）")
            return None
        parts = [part for part in _LETTER_SEPARATORS.split(unicodedata.normalize("NFKC", written).upper()) if part]
        letters = [char for part in parts for char in part] if all(part.isalpha() for part in parts) else parts
        correct: list[int] = []
        for letter in letters:
            index = LETTERS.find(letter) if len(letter) == 1 else -1
            if not 0 <= index < option_count:
                self.problems.add(answer_line, f"答案“{written}”无效：应为 A–{LETTERS[option_count - 1]} 中的字母")
                return None
            if index in correct:
                self.problems.add(answer_line, f"答案“{written}”中字母 {letter} 重复")
                return None
            correct.append(index)
        if not correct:
            self.problems.add(answer_line, "答案行没有写答案字母")
            return None
        return correct
