"""Compact TrueType copies of the installed CJK fonts, so a certificate PDF stays small.

Why: WeasyPrint subsets the fonts it embeds but keeps every glyph id up to the highest one used. The Debian Noto CJK
fonts are CFF collections of 65,535 glyphs where common hanzi sit at ids 10,000–40,000, so even a subset carries
tens of thousands of empty CFF glyphs: about 220 KB per certificate. We therefore derive, once per machine, a
TrueType font holding only GB 2312 (every hanzi of everyday names and text, 7,500 glyphs) plus ASCII and
punctuation, from the installed Noto font (HarfBuzz subset, then quadratic outlines via fontTools). Empty
TrueType glyphs cost nothing, so the embedded subset is a few KB. The stylesheet names the installed Noto family
after ours, so a rare character outside GB 2312 still prints (from the full font, in a larger PDF).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CHARSET_VERSION = "gb2312-1"


@dataclass(frozen=True)
class FontSpec:
    family: str  # the family our stylesheet uses
    source_family: str  # the installed font it is derived from, named in the stylesheet as the fallback
    style: str  # fontconfig style of the source
    weight: int


SANS = FontSpec("Certificate Sans", "Noto Sans CJK SC", "Regular", 400)
SERIF_BOLD = FontSpec("Certificate Serif", "Noto Serif CJK SC", "Bold", 700)
FONTS = (SANS, SERIF_BOLD)


@dataclass(frozen=True)
class DerivedFont:
    spec: FontSpec
    path: Path


def has_harfbuzz_subset() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


@cache
def charset() -> frozenset[int]:
    """ASCII, common punctuation and all of GB 2312 (levels 1 and 2 hanzi and its symbols)."""
    points = set(range(0x20, 0x7F)) | {0xA0, 0xB7, 0xD7, 0xB0}
    points |= set(range(0x2010, 0x2027)) | set(range(0x2030, 0x203C)) | set(range(0x3000, 0x3040))
    points |= set(range(0xFF01, 0xFF5F))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(points)


def find_installed_font(spec: FontSpec) -> tuple[Path, int] | None:
    """(file, index in the collection) of the installed source font, asked of fontconfig; None if not installed."""
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return None
    fc = ctypes.CDLL(name)
    pointer = ctypes.c_void_p
    fc.FcNameParse.restype = pointer
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [pointer, pointer, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [pointer]
    fc.FcFontMatch.restype = pointer
    fc.FcFontMatch.argtypes = [pointer, pointer, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternGetString.argtypes = [pointer, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    fc.FcPatternGetInteger.argtypes = [pointer, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternDestroy.argtypes = [pointer]
    pattern = fc.FcNameParse(f"{spec.source_family}:style={spec.style}".encode())
    fc.FcConfigSubstitute(None, pattern, 0)
    fc.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    match = fc.FcFontMatch(None, pattern, ctypes.byref(result))
    fc.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        family, file, index = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
        fc.FcPatternGetString(match, b"family", 0, ctypes.byref(family))
        fc.FcPatternGetString(match, b"file", 0, ctypes.byref(file))
        fc.FcPatternGetInteger(match, b"index", 0, ctypes.byref(index))
        # fontconfig always answers with *some* font; only the one we asked for will do.
        if family.value is None or file.value is None or family.value.decode() != spec.source_family:
            return None
        return Path(file.value.decode()), index.value
    finally:
        fc.FcPatternDestroy(match)


def _subset_with_harfbuzz(source: Path, index: int, points: frozenset[int]) -> bytes | None:
    hb_name, subset_name = ctypes.util.find_library("harfbuzz"), ctypes.util.find_library("harfbuzz-subset")
    if hb_name is None or subset_name is None:
        return None
    hb, hbs = ctypes.CDLL(hb_name), ctypes.CDLL(subset_name)
    pointer = ctypes.c_void_p
    hb.hb_blob_create_from_file.restype = pointer
    hb.hb_blob_create_from_file.argtypes = [ctypes.c_char_p]
    hb.hb_face_create.restype = pointer
    hb.hb_face_create.argtypes = [pointer, ctypes.c_uint]
    hb.hb_set_add.argtypes = [pointer, ctypes.c_uint32]
    hb.hb_tag_from_string.restype = ctypes.c_uint32
    hb.hb_tag_from_string.argtypes = [ctypes.c_char_p, ctypes.c_int]
    hb.hb_face_reference_blob.restype = pointer
    hb.hb_face_reference_blob.argtypes = [pointer]
    hb.hb_blob_get_data.restype = ctypes.POINTER(ctypes.c_char)
    hb.hb_blob_get_data.argtypes = [pointer, ctypes.POINTER(ctypes.c_uint)]
    hb.hb_blob_destroy.argtypes = [pointer]
    hb.hb_face_destroy.argtypes = [pointer]
    hbs.hb_subset_input_create_or_fail.restype = pointer
    hbs.hb_subset_input_unicode_set.restype = pointer
    hbs.hb_subset_input_unicode_set.argtypes = [pointer]
    hbs.hb_subset_input_set.restype = pointer
    hbs.hb_subset_input_set.argtypes = [pointer, ctypes.c_int]
    hbs.hb_subset_input_set_flags.argtypes = [pointer, ctypes.c_uint]
    hbs.hb_subset_or_fail.restype = pointer
    hbs.hb_subset_or_fail.argtypes = [pointer, pointer]
    hbs.hb_subset_input_destroy.argtypes = [pointer]
    no_hinting, desubroutinize, notdef_outline, drop_table_set = 0x1, 0x4, 0x40, 3

    blob = hb.hb_blob_create_from_file(str(source).encode())
    face = hb.hb_face_create(blob, index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for point in sorted(points):
            hb.hb_set_add(unicodes, point)
        dropped = hbs.hb_subset_input_set(subset_input, drop_table_set)
        for tag in (b"GSUB", b"GPOS", b"BASE", b"VORG", b"vhea", b"vmtx", b"DSIG"):  # horizontal text only
            hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
        hbs.hb_subset_input_set_flags(subset_input, no_hinting | desubroutinize | notdef_outline)
        subset_face = hbs.hb_subset_or_fail(face, subset_input)
        if not subset_face:
            return None
        subset_blob = hb.hb_face_reference_blob(subset_face)
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(subset_blob, ctypes.byref(length))
        content = ctypes.string_at(data, length.value)
        hb.hb_blob_destroy(subset_blob)
        hb.hb_face_destroy(subset_face)
        return content or None
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _subset_with_fonttools(source: Path, index: int, points: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx"]
    font = TTFont(str(source), fontNumber=index)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _to_truetype(otf: bytes, family: str) -> bytes:
    """CFF outlines → TrueType quadratic outlines (fontTools cu2qu), renamed to our family."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(otf))
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # max_err in font units (1000 per em): invisible at any print size
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                      "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    names = font["name"]
    postscript = family.replace(" ", "")
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (6,):
            names.setName(postscript, record.nameID, record.platformID, record.platEncID, record.langID)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _build_key(source: Path, index: int) -> str:
    stat = source.stat()
    identity = f"{source}|{index}|{stat.st_size}|{int(stat.st_mtime)}|{CHARSET_VERSION}"
    return hashlib.sha256(identity.encode()).hexdigest()[:12]


def derive_font(spec: FontSpec, font_dir: Path) -> DerivedFont | None:
    """The compact copy of ``spec`` in ``font_dir``, built if missing; None if the source font is not installed."""
    found = find_installed_font(spec)
    if found is None:
        log.warning("font %s (%s) is not installed; certificates fall back to system fonts",
                    spec.source_family, spec.style)
        return None
    source, index = found
    slug = spec.family.lower().replace(" ", "-")
    target = font_dir / f"{slug}-{_build_key(source, index)}.ttf"
    if target.exists():
        return DerivedFont(spec, target)
    log.info("building %s from %s (once per machine)", target.name, source.name)
    otf = _subset_with_harfbuzz(source, index, charset())
    if otf is None:
        otf = _subset_with_fonttools(source, index, charset())
    content = _to_truetype(otf, spec.family)
    font_dir.mkdir(parents=True, exist_ok=True)
    # Write then rename: a parallel worker building the same font never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=font_dir, suffix=".part")
    with os.fdopen(handle, "wb") as output:
        output.write(content)
    os.replace(temporary, target)
    for stale in font_dir.glob(f"{slug}-*.ttf"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return DerivedFont(spec, target)


def derive_fonts(font_dir: Path) -> tuple[DerivedFont, ...]:
    return tuple(font for spec in FONTS if (font := derive_font(spec, font_dir)) is not None)
