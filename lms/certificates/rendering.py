"""Certificate PDFs: Jinja template → HTML → WeasyPrint, with a QR code, compact fonts and an on-disk cache.

Per process, the fonts, the parsed stylesheet and WeasyPrint's font configuration are prepared once and reused:
loading fonts and parsing CSS is most of the cost of a small document. A PDF is cached under a name made of the
certificate code, the checksum of the template + stylesheet + fonts, and a fingerprint of the printed facts, so a
changed template or a revocation renders a fresh file and an unchanged one is never rendered twice.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from flask import current_app
from jinja2 import Template

from lms.certificates import fonts
from lms.certificates.rules import CertificateDocument, cache_file_name

log = logging.getLogger(__name__)

# Bump when the Python side of rendering changes in a way that changes the PDF.
RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Design:
    """What a certificate looks like, read from the configured files, and its checksum."""

    template_text: str
    stylesheet_text: str
    font_face_css: str
    checksum: str


@dataclass
class _Prepared:
    design: Design
    template: Template
    stylesheet: Any  # weasyprint.CSS, parsed once with the font configuration below
    font_config: Any  # weasyprint.text.fonts.FontConfiguration


_prepared: dict[tuple[str, str], _Prepared] = {}
# Release WeasyPrint's font configuration before interpreter shutdown tears down the modules its __del__ needs.
atexit.register(_prepared.clear)


def cache_dir() -> Path:
    return Path(current_app.config["LMS_CERT_CACHE_DIR"])


def font_dir() -> Path:
    configured = current_app.config.get("LMS_CERT_FONT_DIR")
    return Path(configured) if configured else cache_dir() / "fonts"


def _font_face_css(derived: tuple[fonts.DerivedFont, ...]) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{font.spec.family}"; font-weight: {font.spec.weight}; '
        f'src: url("{font.path.resolve().as_uri()}"); }}'
        for font in derived
    )


def current_design() -> Design:
    """The configured template and stylesheet (read on every call: cheap, and a change is noticed at once)."""
    template_text = Path(current_app.config["LMS_CERT_TEMPLATE"]).read_text(encoding="utf-8")
    stylesheet_text = Path(current_app.config["LMS_CERT_STYLESHEET"]).read_text(encoding="utf-8")
    derived = _derived_fonts(str(font_dir()))
    digest = hashlib.sha256()
    # The fonts' file names carry their build key (not this machine's paths), so they belong in the checksum.
    for part in (RENDERER_VERSION, template_text, stylesheet_text, *(font.path.name for font in derived)):
        digest.update(part.encode())
        digest.update(b"\x00")
    font_face_css = _font_face_css(derived)
    return Design(template_text, stylesheet_text, font_face_css, digest.hexdigest())


_fonts_by_dir: dict[str, tuple[fonts.DerivedFont, ...]] = {}


def _derived_fonts(directory: str) -> tuple[fonts.DerivedFont, ...]:
    if directory not in _fonts_by_dir:
        _fonts_by_dir[directory] = fonts.derive_fonts(Path(directory))
    return _fonts_by_dir[directory]


def _prepare(design: Design) -> _Prepared:
    key = (str(font_dir()), design.checksum)
    prepared = _prepared.get(key)
    if prepared is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(string=design.font_face_css + "\n" + design.stylesheet_text, font_config=font_config)
        template = current_app.jinja_env.from_string(design.template_text)
        prepared = _Prepared(design, template, stylesheet, font_config)
        _prepared.clear()  # an older design is never needed again in this process
        _prepared[key] = prepared
    return prepared


def qr_data_uri(url: str) -> str:
    # Medium error correction survives a crease or a smudge on paper. One pixel per module, scaled up by the
    # stylesheet without smoothing (image-rendering: pixelated): a ~400-byte PNG, and several times cheaper for
    # WeasyPrint than drawing the same code as an SVG path.
    return str(segno.make(url, error="m").png_data_uri(scale=1, border=0))


def render_html(document: CertificateDocument, design: Design | None = None, *, inline_css: bool = False) -> str:
    """The certificate page as HTML. ``inline_css`` makes it standalone (the benchmark's plain WeasyPrint run)."""
    prepared = _prepare(design or current_design())
    html = prepared.template.render(doc=document, qr=qr_data_uri(document.verify_url))
    if inline_css:
        style = f"<style>{prepared.design.font_face_css}\n{prepared.design.stylesheet_text}</style>"
        html = html.replace("</head>", style + "</head>", 1)
    return html


def render_pdf(document: CertificateDocument, design: Design | None = None) -> bytes:
    from weasyprint import HTML

    prepared = _prepare(design or current_design())
    html = render_html(document, prepared.design)
    # Subsetting is WeasyPrint's default (full_fonts=False); only the glyphs printed are embedded.
    pdf: bytes = HTML(string=html, base_url=str(Path(current_app.root_path))).write_pdf(
        stylesheets=[prepared.stylesheet], font_config=prepared.font_config, full_fonts=False)
    return pdf


@dataclass(frozen=True)
class CachedPdf:
    path: Path
    rendered: bool  # False when the cache already had it


def cached_path(document: CertificateDocument, design: Design) -> Path:
    return cache_dir() / cache_file_name(document.code, design.checksum, document.fingerprint())


def ensure_pdf(document: CertificateDocument, design: Design | None = None) -> CachedPdf:
    """The certificate's PDF from the cache, rendered and stored first if the cache does not have this version."""
    design = design or current_design()
    target = cached_path(document, design)
    if target.exists():
        return CachedPdf(target, rendered=False)
    pdf = render_pdf(document, design)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a reader (a download, another worker) never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    with os.fdopen(handle, "wb") as output:
        output.write(pdf)
    os.replace(temporary, target)
    for stale in target.parent.glob("*.pdf"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return CachedPdf(target, rendered=True)
