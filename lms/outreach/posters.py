"""The shop's A4 counter poster (柜台海报) as a PDF: the month, "扫码学习本月政策", the shop's name, the QR code of its
link (large: scanned from across a counter), the link written out, the month's lesson titles and the shop's
manager. One page per shop; several shops in one PDF for printing all at once.

Rendered like the certificates (lms.certificates.rendering): an HTML template through WeasyPrint, with the compact
CJK fonts the certificates derive (lms.certificates.fonts) and the QR code as a one-pixel-per-module PNG scaled up
without smoothing. Not cached on disk, unlike a certificate: the poster carries the shop's token, and a file of it
would be a copy of the key lying about; rendering is quick (well under a second a page)."""

from __future__ import annotations

import atexit
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from lms.certificates import fonts
from lms.certificates import rendering as certificate_rendering

MAX_LESSONS = 6  # more would push the QR code off the page; the rest are "…等 N 项"
STYLESHEET = Path("css") / "outreach-poster.css"


@dataclass(frozen=True)
class Poster:
    """What one poster prints (the link's address is the token's only copy on it: not in the metadata)."""

    shop_name: str
    shop_code: str
    month: str  # "2026年12月"
    lessons: tuple[str, ...]
    more_lessons: int
    address: str
    expires_on: str  # "2027-03-06"
    manager_name: str | None
    manager_phone: str | None

    @property
    def qr(self) -> str:
        # Medium error correction survives a crease or a smudge; a quiet zone of four modules in the image itself,
        # so the code scans whatever is printed around it.
        import segno

        return str(segno.make(self.address, error="m").png_data_uri(scale=1, border=4))


def month_text(period: str) -> str:
    """2026-12 → 2026年12月 (the poster is printed in Chinese whoever downloads it, like a certificate)."""
    year, _sep, month = period.partition("-")
    return f"{year}年{int(month)}月" if year.isdigit() and month.isdigit() else period


def poster(*, shop_name: str, shop_code: str, period: str, lessons: Sequence[str], address: str,
           expires_on: str, manager_name: str | None, manager_phone: str | None) -> Poster:
    shown = tuple(lessons[:MAX_LESSONS])
    return Poster(shop_name, shop_code, month_text(period), shown, len(lessons) - len(shown), address, expires_on,
                  manager_name or None, manager_phone or None)


@dataclass
class _Prepared:
    key: str
    stylesheet: Any  # weasyprint.CSS
    font_config: Any  # weasyprint.text.fonts.FontConfiguration


_prepared: list[_Prepared] = []  # the last one only: a changed stylesheet or font replaces it
# Release WeasyPrint's font configuration before interpreter shutdown tears down the modules its __del__ needs.
atexit.register(_prepared.clear)


def _font_face_css(font_dir: Path) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{font.spec.family}"; font-weight: {font.spec.weight}; '
        f'src: url("{font.path.resolve().as_uri()}"); }}'
        for font in fonts.derive_fonts(font_dir))


def _prepare() -> _Prepared:
    """The parsed stylesheet with its fonts, once per process (parsing fonts is most of a small PDF's cost)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_dir = certificate_rendering.current_settings().font_dir
    stylesheet_text = (Path(str(current_app.static_folder)) / STYLESHEET).read_text(encoding="utf-8")
    key = hashlib.sha256(f"{font_dir}\x00{stylesheet_text}".encode()).hexdigest()
    if _prepared and _prepared[0].key == key:
        return _prepared[0]
    font_config = FontConfiguration()
    css = CSS(string=_font_face_css(font_dir) + "\n" + stylesheet_text, font_config=font_config)
    _prepared[:] = [_Prepared(key, css, font_config)]
    return _prepared[0]


def render_pdf(posters: Sequence[Poster]) -> bytes:
    """One A4 page per poster."""
    from weasyprint import HTML, URLFetcher

    prepared = _prepare()
    html = render_template("outreach/poster.html", posters=posters)
    # Only the QR code's data: address is fetched (the fonts are the stylesheet's, already loaded).
    pdf: bytes = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(
        stylesheets=[prepared.stylesheet], font_config=prepared.font_config, full_fonts=False)
    return pdf
