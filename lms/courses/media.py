"""Lesson media: what an uploaded screenshot or attachment is (decided from its bytes, never from its name alone),
images re-encoded without metadata, and the content-addressed store on disk. No Flask, no database."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow's format name → (extension, content type). The format comes from the file's magic bytes.
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": (".png", "image/png"),
    "JPEG": (".jpg", "image/jpeg"),
    "WEBP": (".webp", "image/webp"),
    "GIF": (".gif", "image/gif"),
}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
PDF = "application/pdf"
MP4 = "video/mp4"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# An Office file is a zip whose main part sits where its kind says; a renamed .xlsm/.docm (macros) is refused.
OFFICE_PARTS = {".xlsx": (XLSX, "xl/workbook.xml"), ".docx": (DOCX, "word/document.xml"),
                ".pptx": (PPTX, "ppt/presentation.xml")}
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"MSNV"}
ATTACHMENT_EXTENSIONS = {".pdf", ".mp4", *OFFICE_PARTS}
ACCEPTED_EXTENSIONS = tuple(sorted(IMAGE_EXTENSIONS | ATTACHMENT_EXTENSIONS))
MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_UNPACKED = 500 * 1024 * 1024  # what the parts claim unpacked: beyond this it is a zip bomb, not a document
MAX_GIF_FRAMES = 300
MAX_NAME = 200


class MediaRefused(ValueError):
    """The upload is not accepted; the message says why, in words a trainer understands."""


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int = 15 * 1024 * 1024
    image_max_width: int = 1600
    image_max_pixels: int = 40_000_000

    @classmethod
    def from_settings(cls, config: dict[str, object]) -> MediaLimits:
        return cls(max_bytes=int(config["LMS_MEDIA_MAX_BYTES"]),  # type: ignore[call-overload]
                   image_max_width=int(config["LMS_MEDIA_IMAGE_MAX_WIDTH"]),  # type: ignore[call-overload]
                   image_max_pixels=int(config["LMS_MEDIA_IMAGE_MAX_PIXELS"]))  # type: ignore[call-overload]


@dataclass(frozen=True)
class CheckedMedia:
    """What is stored: the bytes (re-encoded for images), their type and a content-addressed name."""

    data: bytes
    content_type: str
    extension: str
    original_name: str
    width: int | None = None
    height: int | None = None

    @property
    def stored_name(self) -> str:
        return hashlib.sha256(self.data).hexdigest() + self.extension

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def clean_name(filename: str) -> str:
    """The name as the trainer sees it: no folders, no control characters, at most 200 characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:MAX_NAME]
    return name or "file"


def check_upload(data: bytes, filename: str, limits: MediaLimits) -> CheckedMedia:
    """Accept a screenshot (PNG, JPEG, WebP, GIF) or an attachment (PDF, xlsx, docx, pptx, MP4), or refuse it."""
    name = clean_name(filename)
    extension = PurePosixPath(name.lower()).suffix
    if not data:
        raise MediaRefused("文件是空的")
    if len(data) > limits.max_bytes:
        raise MediaRefused(f"文件超过 {limits.max_bytes / 1024 / 1024:.0f} MB 的上限")
    if extension in IMAGE_EXTENSIONS:
        return _reencode_image(data, name, limits)
    if extension == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise MediaRefused("文件扩展名是 .pdf，但内容不是 PDF")
        return CheckedMedia(data, PDF, ".pdf", name)
    if extension == ".mp4":
        if data[4:8] != b"ftyp" or data[8:12] not in MP4_BRANDS:
            raise MediaRefused("文件扩展名是 .mp4，但内容不是 MP4 视频")
        return CheckedMedia(data, MP4, ".mp4", name)
    if extension in OFFICE_PARTS:
        content_type, main_part = OFFICE_PARTS[extension]
        check_office(data, extension, main_part)
        return CheckedMedia(data, content_type, extension, name)
    raise MediaRefused(f"不支持的文件类型“{extension or name}”，可上传：{'、'.join(ACCEPTED_EXTENSIONS)}")


def check_office(data: bytes, extension: str, main_part: str, *, max_unpacked: int = MAX_ZIP_UNPACKED) -> None:
    """Refuse what is not this kind of Office file: not a zip, a zip bomb (by what its parts claim unpacked; the
    zip reader never inflates a part beyond its claimed size), the wrong main part, or macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > max_unpacked:
                raise MediaRefused("文件结构异常（解压后过大），已拒绝")
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or main_part not in names:
                raise MediaRefused(f"文件扩展名是 {extension}，但内容不是这种 Office 文件")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise MediaRefused("文件含有宏，不能上传；请另存为不含宏的文件")
    except zipfile.BadZipFile:
        raise MediaRefused(f"文件扩展名是 {extension}，但内容不是 Office 文件") from None


def _reencode_image(data: bytes, name: str, limits: MediaLimits) -> CheckedMedia:
    """Decode and encode again: only pixels survive (no EXIF, GPS, comments or trailing bytes), turned upright and
    at most ``image_max_width`` wide. The pixel count is checked from the header, before anything is decoded (our
    limit is below Pillow's own bomb guard, which stays on and whose warning is treated as a refusal too)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format not in IMAGE_FORMATS:
                raise MediaRefused("图片格式不受支持，请上传 PNG、JPEG、WebP 或 GIF")
            width, height = source.size
            if width * height > limits.image_max_pixels:
                raise MediaRefused(f"图片尺寸过大（{width}×{height}），请截取较小的区域")
            frames = getattr(source, "n_frames", 1)
            # An animation decodes every frame: its pixels together are bounded too.
            if frames > MAX_GIF_FRAMES or width * height * frames > limits.image_max_pixels * 4:
                raise MediaRefused(f"动图帧数过多（{frames} 帧），请缩短或改用 MP4")
            fmt = source.format
            extension, content_type = IMAGE_FORMATS[fmt]
            if fmt == "GIF" and frames > 1:
                out, size = _reencode_animation(source, limits)
            else:
                out, size = _reencode_still(source, fmt, limits)
    except MediaRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRefused("图片尺寸过大，请截取较小的区域") from None
    except UnidentifiedImageError:
        raise MediaRefused("文件不是可识别的图片，或图片已损坏") from None
    except (OSError, ValueError, SyntaxError, EOFError):  # Pillow's ways of saying "truncated or broken"
        raise MediaRefused("文件不是可识别的图片，或图片已损坏") from None
    return CheckedMedia(out, content_type, extension, name, width=size[0], height=size[1])


def _pixels_only(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """A new image holding only the pixels: nothing of the original's ``info`` (EXIF, XMP, ICC, text) comes along."""
    mode = "RGBA" if keep_alpha and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info) else "RGB"
    if image.mode == "L" and mode == "RGB":
        mode = "L"
    converted = image.convert(mode)
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _fit(image: Image.Image, max_width: int) -> Image.Image:
    if image.width <= max_width:
        return image
    height = max(1, round(image.height * max_width / image.width))
    return image.resize((max_width, height), Image.Resampling.LANCZOS)


def _reencode_still(source: Image.Image, fmt: str, limits: MediaLimits) -> tuple[bytes, tuple[int, int]]:
    source.load()
    upright = ImageOps.exif_transpose(source)  # a phone photo shown as it was held; the EXIF itself is dropped
    clean = _fit(_pixels_only(upright, keep_alpha=fmt != "JPEG"), limits.image_max_width)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        clean.save(buffer, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        clean.save(buffer, "WEBP", quality=85)
    elif fmt == "GIF":
        clean.save(buffer, "GIF")
    else:
        clean.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), clean.size


def _reencode_animation(source: Image.Image, limits: MediaLimits) -> tuple[bytes, tuple[int, int]]:
    frames = [_fit(_pixels_only(frame.copy(), keep_alpha=True), limits.image_max_width)
              for frame in ImageSequence.Iterator(source)]
    durations = source.info.get("duration", 100)
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=durations,
                   disposal=2)
    return buffer.getvalue(), frames[0].size


# --- the store: <media dir>/<first two hex digits>/<sha256>.<ext> -------------------------------------------------


def is_stored_name(name: str) -> bool:
    """A name this store could have made (64 hex digits and a known extension): nothing else reaches the disk."""
    stem, dot, extension = name.partition(".")
    return (len(stem) == 64 and all(c in "0123456789abcdef" for c in stem) and dot == "."
            and f".{extension}" in {*IMAGE_FORMATS_EXTENSIONS, *ATTACHMENT_EXTENSIONS})


IMAGE_FORMATS_EXTENSIONS = {extension for extension, _type in IMAGE_FORMATS.values()}


def stored_path(root: Path, name: str) -> Path:
    if not is_stored_name(name):
        raise ValueError(f"not a stored media name: {name!r}")
    return root / name[:2] / name


def store(root: Path, media: CheckedMedia) -> Path:
    """Write the bytes once (the same bytes share one file); a half-written file is never visible under the name."""
    target = stored_path(root, media.stored_name)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(media.data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
