"""Build the raster icons from ``static/icons/favicon.svg``: run again after changing the SVG.

``.venv/bin/python scripts/make_icons.py`` draws the SVG in Debian's Chromium (the renderer the browser tests
use) and writes, next to it: ``icon-192.png`` and ``icon-512.png`` (rounded, for the manifest), ``maskable-512.png``
(full bleed, the drawing inside the central 80 % safe zone), ``apple-touch-icon.png`` (180 px, full bleed: iOS
rounds it) and ``favicon.ico`` (16, 32 and 48 px, for /favicon.ico and old browsers).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def full_bleed(svg: str, scale: float) -> str:
    """The same drawing on a square background (no rounded corners), shrunk around the centre by ``scale``."""
    square = re.sub(r'rx="[^"]*"', 'rx="0"', svg, count=1)
    head, rest = square.split("/>", 1)  # the background rectangle is the first element
    body = rest.rsplit("</svg>", 1)[0]
    offset = 32 * (1 - scale)
    return f'{head}/><g transform="translate({offset:g} {offset:g}) scale({scale:g})">{body}</g></svg>'


def render(page: object, svg: str, size: int) -> Image.Image:
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    page.set_viewport_size({"width": size, "height": size})  # type: ignore[attr-defined]
    page.set_content(f'<body style="margin:0"><img src="{source}" width="{size}" height="{size}"></body>')  # type: ignore[attr-defined]
    png = page.screenshot(omit_background=True)  # type: ignore[attr-defined]
    return Image.open(io.BytesIO(png)).convert("RGBA")


def main() -> None:
    svg = (ICONS / "favicon.svg").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        for size in (192, 512):
            render(page, svg, size).save(ICONS / f"icon-{size}.png", optimize=True)
        render(page, full_bleed(svg, 0.8), 512).save(ICONS / "maskable-512.png", optimize=True)
        render(page, full_bleed(svg, 0.9), 180).convert("RGB").save(ICONS / "apple-touch-icon.png", optimize=True)
        large = render(page, svg, 48)
        large.save(ICONS / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
        browser.close()
    for path in sorted(ICONS.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
