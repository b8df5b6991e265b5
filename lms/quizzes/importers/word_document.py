"""A Word document (.docx) as the blocks a question reader walks: each body paragraph's text (pictures in it held as
marks), and each table, numbered in document order — the "段" numbers problems are reported by.

The file is checked before python-docx reads it (an old .doc, a renamed file, a zip bomb, macros are refused naming
the file); python-docx's XML parser never resolves entities. Pictures are read from the run XML (``a:blip r:embed``
in DrawingML, ``v:imagedata r:id`` in VML) and kept only in formats a browser shows. Pure: no Flask.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lms.core.errors import ValidationFailed
from lms.courses.media import MediaRefused, check_office

MAX_DOCX_BYTES = 20 * 1024 * 1024  # a 100-question paper with a screenshot in every question stays well under this
MAX_DOCX_UNPACKED = 200 * 1024 * 1024  # what its parts claim unpacked; python-docx holds every part in memory
MAX_BLOCKS = 100_000  # paragraphs and tables: 5,000 questions of 20 paragraphs each
IMAGE_MARK = 0xF0000  # picture i of WordDocument.images is the character chr(IMAGE_MARK + i) in a block's text
MAX_IMAGES = 0xFFFD  # the private-use plane-15 characters available as marks

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Nothing a reader sees: formatting, deleted text, field codes, footnote marks, bookmarks.
_HIDDEN = {f"{_W}{name}" for name in ("pPr", "rPr", "del", "moveFrom", "delText", "instrText", "fldChar",
                                      "footnoteReference", "endnoteReference", "commentReference",
                                      "bookmarkStart", "bookmarkEnd", "proofErr", "lastRenderedPageBreak")}
# Wingdings check and cross marks, as Word's Insert ▸ Symbol writes them.
_SYMBOLS = {"F0FC": "√", "F0FB": "×", "F0FE": "☑", "F0FD": "☒", "F0D6": "×", "F0D5": "×"}
# A picture's format from its first bytes → the extension it is stored under. Others (EMF/WMF from pasted formulas,
# BMP, TIFF) cannot be shown in a browser.
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"))
_CHINESE_LIST_FORMATS = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
                         "ideographTraditional", "japaneseCounting", "taiwaneseCounting"}


@dataclass(frozen=True)
class Block:
    """One body paragraph or table. ``list_format`` is the paragraph's automatic numbering ("decimal",
    "upperLetter", "chinese"), which Word shows but does not write into the text."""

    number: int
    text: str = ""
    table: bool = False
    list_format: str = ""
    problems: tuple[str, ...] = ()  # what in the paragraph cannot be imported (a formula, a linked picture …)

    def images(self) -> list[int]:
        return [ord(char) - IMAGE_MARK for char in self.text if ord(char) >= IMAGE_MARK]


@dataclass
class WordDocument:
    blocks: list[Block]
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (name unique in the file, bytes)


def read_docx(data: bytes, filename: str) -> WordDocument:
    """The document's blocks, or ValidationFailed naming the file when it is not a .docx one can read safely."""
    import docx  # here, not at the top: a server worker that never reads a .docx does not hold python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    _check_file(data, filename)
    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # python-docx names the wrong content type (a .docm, .dotx …)
        if "macroEnabled" in str(exc):
            raise ValidationFailed(f"{filename}：文件含有宏（.docm），请在 Word 中另存为“Word 文档 (.docx)”") from None
        raise ValidationFailed(f"{filename}：不是 Word 文档（.docx），请在 Word 中另存为“Word 文档 (.docx)”") from None
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, EOFError):
        raise ValidationFailed(f"{filename}：Word 文件已损坏，无法读取，请在 Word 中打开后重新保存") from None
    reader = _Reader(document.part, _list_formats(document), _style_numbering(document))
    return WordDocument(blocks=list(reader.blocks(document.element.body, filename)), images=reader.images)


def _check_file(data: bytes, filename: str) -> None:
    if len(data) > MAX_DOCX_BYTES:
        size = len(data) / (1 << 20)
        raise ValidationFailed(f"{filename}：文件大小 {size:.1f} MB 超过 {MAX_DOCX_BYTES >> 20} MB 的上限，"
                               "请压缩图片或拆分成多个文件导入")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file: Word 97–2003, or a protected .docx
        raise ValidationFailed(
            f"{filename}：这是旧版 Word（.doc）文件或加密文件，请在 Word 中另存为“Word 文档 (.docx)”（不加密码）")
    try:
        check_office(data, ".docx", "word/document.xml", max_unpacked=MAX_DOCX_UNPACKED)
    except MediaRefused as exc:
        raise ValidationFailed(f"{filename}：{exc}") from None


def _list_formats(document: Any) -> dict[tuple[str, str], str]:
    """(numId, ilvl) → the number format of Word's automatic numbering, from numbering.xml."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract: dict[str, dict[str, str]] = {}
    for item in numbering.iterchildren(f"{_W}abstractNum"):
        levels = abstract.setdefault(item.get(f"{_W}abstractNumId", ""), {})
        for level in item.iterchildren(f"{_W}lvl"):
            fmt = level.find(f"{_W}numFmt")
            levels[level.get(f"{_W}ilvl", "0")] = fmt.get(f"{_W}val", "") if fmt is not None else ""
    formats: dict[tuple[str, str], str] = {}
    for num in numbering.iterchildren(f"{_W}num"):
        link = num.find(f"{_W}abstractNumId")
        if link is None:
            continue
        for ilvl, fmt in abstract.get(link.get(f"{_W}val", ""), {}).items():
            formats[(num.get(f"{_W}numId", ""), ilvl)] = fmt
    return formats


def _style_numbering(document: Any) -> dict[str, Any]:
    """Paragraph style id → the automatic numbering it carries (Word's "List Number" and the like)."""
    try:
        styles = document.styles.element
    except (KeyError, NotImplementedError):
        return {}
    found: dict[str, Any] = {}
    for style in styles.iterchildren(f"{_W}style"):
        num = style.find(f"{_W}pPr/{_W}numPr")
        if num is not None:
            found[style.get(f"{_W}styleId", "")] = num
    return found


class _Reader:
    def __init__(self, part: Any, list_formats: dict[tuple[str, str], str], style_numbering: dict[str, Any]) -> None:
        self.part = part
        self.list_formats = list_formats
        self.style_numbering = style_numbering
        self.images: list[tuple[str, bytes]] = []
        self.image_marks: dict[str, str] = {}  # relationship id → its mark (a picture used twice is stored once)
        self.count = 0

    def blocks(self, body: Any, filename: str) -> Iterator[Block]:
        for child in body.iterchildren():
            if child.tag in (f"{_W}sdt", f"{_W}customXml"):  # content controls wrap paragraphs
                content = child.find(f"{_W}sdtContent")
                yield from self.blocks(content if content is not None else child, filename)
                continue
            if child.tag not in (f"{_W}p", f"{_W}tbl"):
                continue
            self.count += 1
            if self.count > MAX_BLOCKS:
                raise ValidationFailed(f"{filename}：段落超过 {MAX_BLOCKS} 个的上限，请拆分成多个文件导入")
            if child.tag == f"{_W}tbl":
                yield Block(self.count, table=True)
            else:
                yield self.paragraph(child)

    def paragraph(self, element: Any) -> Block:
        out: list[str] = []
        problems: list[str] = []
        self.inline(element, out, problems)
        return Block(self.count, "".join(out), list_format=self.list_format(element),
                     problems=tuple(dict.fromkeys(problems)))

    def list_format(self, element: Any) -> str:
        num = element.find(f"{_W}pPr/{_W}numPr")
        if num is None:
            style = element.find(f"{_W}pPr/{_W}pStyle")
            num = self.style_numbering.get(style.get(f"{_W}val", "")) if style is not None else None
        if num is None:
            return ""
        num_id, ilvl = num.find(f"{_W}numId"), num.find(f"{_W}ilvl")
        key = (num_id.get(f"{_W}val", "") if num_id is not None else "",
               ilvl.get(f"{_W}val", "0") if ilvl is not None else "0")
        found = self.list_formats.get(key, "")
        return "chinese" if found in _CHINESE_LIST_FORMATS else found

    def inline(self, element: Any, out: list[str], problems: list[str]) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _HIDDEN:
                continue
            if tag == f"{_W}t":
                out.append(_MARKS.sub("", child.text or ""))
            elif tag in (f"{_W}tab", f"{_W}ptab"):
                out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
            elif tag == f"{_W}sym":
                out.append(_SYMBOLS.get((child.get(f"{_W}char") or "").upper(), ""))
            elif tag in (f"{_W}drawing", f"{_W}pict", f"{_W}object"):
                self.picture(child, out, problems)
            elif tag in (f"{_M}oMath", f"{_M}oMathPara"):
                out.append("".join(t.text or "" for t in child.iter(f"{_M}t")))
                problems.append("含有 Word 公式，无法按原样导入：请把公式改为文字或图片")
            elif tag == f"{_MC}AlternateContent":  # the same drawing twice (new and old form): read the first only
                choice = next(iter(child), None)
                if choice is not None:
                    self.inline(choice, out, problems)
            else:  # runs, hyperlinks, tracked insertions, smart tags, simple fields, content controls
                self.inline(child, out, problems)

    def picture(self, element: Any, out: list[str], problems: list[str]) -> None:
        ids = [blip.get(f"{_R}embed") or "" for blip in element.iter(f"{_A}blip")]
        ids += [data.get(f"{_R}id") or "" for data in element.iter(f"{_V}imagedata")]
        linked = [blip.get(f"{_R}link") for blip in element.iter(f"{_A}blip") if blip.get(f"{_R}link")]
        if not any(ids):
            problems.append("链接到外部文件的图片无法导入，请在 Word 中插入图片本身" if linked
                            else "含有图表、形状或文本框，无法导入：请改为图片")
            return
        for rel_id in dict.fromkeys(i for i in ids if i):
            mark = self.image_mark(rel_id, problems)
            if mark:
                out.append(mark)
                break  # an OLE object's preview and its drawing are the same picture

    def image_mark(self, rel_id: str, problems: list[str]) -> str:
        if rel_id in self.image_marks:
            return self.image_marks[rel_id]
        relationship = self.part.rels.get(rel_id)
        if relationship is None or relationship.is_external:
            problems.append("图片缺失或链接到外部文件，请在 Word 中重新插入图片本身")
            return ""
        related = relationship.target_part
        blob: bytes = related.blob
        extension = _image_extension(blob)
        if extension is None:
            kind = related.partname.ext.upper() or "未知"
            problems.append(f"图片格式 {kind} 网页无法显示（常见于粘贴的公式），请改为 PNG 或 JPEG 图片")
            return ""
        if len(self.images) >= MAX_IMAGES:
            problems.append("图片过多，请拆分成多个文件导入")
            return ""
        self.images.append((hashlib.sha256(blob).hexdigest()[:20] + extension, blob))
        mark = chr(IMAGE_MARK + len(self.images) - 1)
        self.image_marks[rel_id] = mark
        return mark


_MARKS = re.compile("[\U000F0000-\U000FFFFD]")  # never in a trainer's text; dropped so no text can fake a picture


def _image_extension(blob: bytes) -> str | None:
    for magic, extension in _IMAGE_MAGIC:
        if blob.startswith(magic):
            return extension
    if blob[:4] == b"RIFF" and blob[8:12] == b"WEBP":
        return ".webp"
    return None
