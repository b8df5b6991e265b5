"""What every importer returns, the limits they share, and how they collect problems."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from lms.core.errors import ValidationFailed
from lms.core.tabular import text_line
from lms.quizzes.specs import QuestionSpec

MAX_TEXT_BYTES = 2 * 1024 * 1024  # a GIFT/Aiken bank of 5,000 questions is well under this
MAX_SPREADSHEET_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 5000
MAX_LISTED_PROBLEMS = 100  # a broken file lists its first problems and counts the rest; the message stays readable


@dataclass(frozen=True)
class Skipped:
    """A question the product cannot represent (matching, essay, numerical ranges …), named so a trainer finds it."""

    name: str
    line: int  # line in the text file, or row number in a spreadsheet
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """What a file holds: the questions that can be imported, those skipped because the platform has no such type
    (Moodle's essay, matching …), and those refused because they are written wrongly — each named by line (or row,
    or paragraph) and reason. A refused question never stops the others, as in Moodle; the import service decides
    (the trainer's preview, or ``--strict``) whether the good ones are written.

    ``files`` holds embedded pictures (Moodle XML's base64 files, a Word document's images) by a name unique in the
    file; a text refers to one as the Markdown image ``![…](import-media/<name>)``, which the import service
    replaces with the stored picture's address.
    """

    questions: list[QuestionSpec]
    skipped: list[Skipped] = field(default_factory=list)
    format: str = ""  # "gift", "aiken", "xlsx", "moodle-xml" or "docx": which reader read the file
    refused: list[Skipped] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


MEDIA_PREFIX = "import-media/"  # ![alt](import-media/<name>) in an imported text: a picture in ImportResult.files


class Problems:
    """Every problem of a file, each naming file and line (or row); raised together so nothing is half-imported."""

    def __init__(self, filename: str, *, unit: str = "行") -> None:
        self.filename = filename
        self.unit = unit
        self.listed: list[str] = []
        self.found: list[tuple[int, str]] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        self.found.append((line, message))
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(f"{self.filename} 第{line}{self.unit}：{message}")

    def __bool__(self) -> bool:
        return self.count > 0

    def refused(self, names: dict[int, str] | None = None) -> list[Skipped]:
        """Every problem as a refused question (named by ``names[line]`` when given), for ImportResult.refused."""
        return [Skipped((names or {}).get(line, ""), line, message) for line, message in self.found]

    def raise_if_any(self) -> None:
        if not self.count:
            return
        listed = list(self.listed)
        if self.count > len(listed):
            listed.append(f"……另有 {self.count - len(listed)} 处问题未列出")
        raise ValidationFailed(f"{self.filename}：发现 {self.count} 处问题，未导入任何题目", listed)


def too_many_questions(filename: str, line: int) -> ValidationFailed:
    return ValidationFailed(f"{filename}：题目超过 {MAX_QUESTIONS} 道的上限（第{line}行起），请拆分成多个文件导入")


def decode_text(data: bytes, filename: str) -> str:
    """The file as text with ``\\n`` line ends, or ValidationFailed: size is checked before anything is decoded.

    UTF-8 is expected; UTF-16 with a byte-order mark and GB18030 (what Chinese Windows Notepad saves) are accepted
    too, because trainers' files come from those editors.
    """
    if len(data) > MAX_TEXT_BYTES:
        raise ValidationFailed(
            f"{filename}：文件大小 {len(data) / (1 << 20):.1f} MB 超过 {MAX_TEXT_BYTES >> 20} MB 的上限，"
            "已拒绝（可拆分成多个文件导入）"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(f"{filename}：UTF-16 文本无法解码，请另存为 UTF-8 编码") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                line = text_line(data, exc.start)
                raise ValidationFailed(f"{filename}：第{line}行附近无法解码，请另存为 UTF-8 编码") from exc
    if "\x00" in text:
        raise ValidationFailed(f"{filename}：不是文本文件（含有空字符），请选择 GIFT 或 Aiken 文本文件")
    return text.replace("\r\n", "\n").replace("\r", "\n")
