"""Certificate PDFs: Jinja template → HTML → WeasyPrint, with a QR code, compact fonts and an on-disk cache.

Per process, the fonts, the parsed stylesheet and WeasyPrint's font configuration are prepared once and reused:
loading fonts and parsing CSS is most of the cost of a small document. A PDF is cached under a name made of the
certificate code, the checksum of the template + stylesheet + fonts, and a fingerprint of the printed facts, so a
changed template or a revocation renders a fresh file and an unchanged one is never rendered twice.

Nothing here needs the Flask app once a ``Design`` is in hand (it carries its ``Settings``): the bulk command's
worker processes import this module and WeasyPrint, and never build the app (no ORM, no other domain).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from jinja2 import Environment, Template

from lms.certificates import fonts
from lms.certificates.rules import CertificateDocument, cache_file_name, format_score

log = logging.getLogger(__name__)

# Bump when the Python side of rendering changes in a way that changes the PDF.
RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Settings:
    """Where rendering reads and writes, as plain values a worker process receives (it has no app)."""

    cache_dir: Path
    font_dir: Path
    template: Path
    stylesheet: Path
    root_path: Path  # the base of relative URLs in the template


@dataclass(frozen=True)
class Design:
    """What a certificate looks like, read from the configured files, and its checksum."""

    template_text: str
    stylesheet_text: str
    font_face_css: str
    checksum: str
    settings: Settings


@dataclass
class _Prepared:
    design: Design
    template: Template
    stylesheet: Any  # weasyprint.CSS, parsed once with the font configuration below
    font_config: Any  # weasyprint.text.fonts.FontConfiguration


_prepared: dict[tuple[str, str], _Prepared] = {}
# Release WeasyPrint's font configuration before interpreter shutdown tears down the modules its __del__ needs.
atexit.register(_prepared.clear)


# The certificate template is rendered outside the app (in the bulk command's workers too), so with a plain
# environment that escapes like Flask's does for templates made from a string; ``cert_score`` as in the app's.
_jinja = Environment(autoescape=True)
_jinja.filters["cert_score"] = format_score


def settings_from(config: Any, root_path: str | Path) -> Settings:
    """The rendering settings of an app's configuration (``root_path``: the app's, for relative URLs)."""
    cache_dir = Path(config["LMS_CERT_CACHE_DIR"])
    configured_fonts = config.get("LMS_CERT_FONT_DIR")
    return Settings(cache_dir=cache_dir, font_dir=Path(configured_fonts) if configured_fonts else cache_dir / "fonts",
                    template=Path(config["LMS_CERT_TEMPLATE"]), stylesheet=Path(config["LMS_CERT_STYLESHEET"]),
                    root_path=Path(root_path))


def current_settings() -> Settings:
    return settings_from(current_app.config, current_app.root_path)


def _font_face_css(derived: tuple[fonts.DerivedFont, ...]) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{font.spec.family}"; font-weight: {font.spec.weight}; '
        f'src: url("{font.path.resolve().as_uri()}"); }}'
        for font in derived
    )


def current_design(settings: Settings | None = None) -> Design:
    """The configured template and stylesheet (read on every call: cheap, and a change is noticed at once)."""
    settings = settings or current_settings()
    template_text = settings.template.read_text(encoding="utf-8")
    stylesheet_text = settings.stylesheet.read_text(encoding="utf-8")
    derived = _derived_fonts(str(settings.font_dir))
    digest = hashlib.sha256()
    # The fonts' file names carry their build key (not this machine's paths), so they belong in the checksum.
    for part in (RENDERER_VERSION, template_text, stylesheet_text, *(font.path.name for font in derived)):
        digest.update(part.encode())
        digest.update(b"\x00")
    font_face_css = _font_face_css(derived)
    return Design(template_text, stylesheet_text, font_face_css, digest.hexdigest(), settings)


_fonts_by_dir: dict[str, tuple[fonts.DerivedFont, ...]] = {}


def _derived_fonts(directory: str) -> tuple[fonts.DerivedFont, ...]:
    if directory not in _fonts_by_dir:
        _fonts_by_dir[directory] = fonts.derive_fonts(Path(directory))
    return _fonts_by_dir[directory]


def _prepare(design: Design) -> _Prepared:
    key = (str(design.settings.font_dir), design.checksum)
    prepared = _prepared.get(key)
    if prepared is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(string=design.font_face_css + "\n" + design.stylesheet_text, font_config=font_config)
        template = _jinja.from_string(design.template_text)
        prepared = _Prepared(design, template, stylesheet, font_config)
        _prepared.clear()  # an older design is never needed again in this process
        _prepared[key] = prepared
    return prepared


def qr_data_uri(url: str) -> str:
    # Medium error correction survives a crease or a smudge on paper. One pixel per module, scaled up by the
    # stylesheet without smoothing (image-rendering: pixelated): a ~400-byte PNG, and several times cheaper for
    # WeasyPrint than drawing the same code as an SVG path.
    import segno

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

    design = design or current_design()
    prepared = _prepare(design)  # shared by designs of the same checksum: their settings are read from ``design``
    html = render_html(document, design)
    # Subsetting is WeasyPrint's default (full_fonts=False); only the glyphs printed are embedded.
    pdf: bytes = HTML(string=html, base_url=str(design.settings.root_path)).write_pdf(
        stylesheets=[prepared.stylesheet], font_config=prepared.font_config, full_fonts=False)
    return pdf


@dataclass(frozen=True)
class CachedPdf:
    path: Path
    rendered: bool  # False when the cache already had it


def cached_path(document: CertificateDocument, design: Design) -> Path:
    return design.settings.cache_dir / cache_file_name(document.code, design.checksum, document.fingerprint())


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


# --- many at once (the bulk command's worker processes) ----------------------------------------------------------

Outcome = tuple[str, bool, str | None]  # (code, rendered now, error)


def ensure_pdfs(documents: Sequence[CertificateDocument], design: Design) -> list[Outcome]:
    """``ensure_pdf`` for each document; a failure is reported by the certificate's code and never stops the rest."""
    outcomes: list[Outcome] = []
    for document in documents:
        try:
            outcomes.append((document.code, ensure_pdf(document, design).rendered, None))
        except Exception as exc:  # one broken certificate must not stop a period's run
            log.exception("rendering certificate %s failed", document.code)
            outcomes.append((document.code, False, f"{type(exc).__name__}: {exc}"))
    return outcomes


_worker_design: Design | None = None


def start_worker(design: Design) -> None:
    """Initializer of a worker process: the parent's design, prepared (fonts, stylesheet) before the first batch.

    The worker never builds the app: importing it (the ORM, every domain) cost ~2.5 s of CPU per worker, and
    reading the design per batch could have rendered with a template the parent did not check the cache for.
    """
    global _worker_design  # noqa: PLW0603 - one design per worker process, set once by the pool's initializer
    _worker_design = design
    _prepare(design)


def render_batch(documents: Sequence[CertificateDocument]) -> list[Outcome]:
    """A worker's task: render a batch with the design it was started with."""
    if _worker_design is None:
        raise RuntimeError("render_batch runs in a worker started with start_worker(design)")
    return ensure_pdfs(documents, _worker_design)
