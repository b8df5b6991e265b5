"""Pictures for tests: a screenshot of an ordering screen, as a trainer pastes one into a lesson."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

GPS_IFD = 0x8825


def screenshot_png(width: int = 2000, *, rows: int = 6, height: int | None = None, with_exif: bool = False) -> bytes:
    """A ``width`` px wide PNG "screenshot" of an ordering screen (a header bar, ``rows`` rows with a button each);
    ``with_exif`` adds what a phone writes (maker, a GPS position), which the upload must strip."""
    height = height or 260 + rows * 140  # 2000 × 1100 with six rows
    image = Image.new("RGB", (width, height), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 110), fill=(0, 82, 155))
    for row in range(rows):
        top = 200 + row * 140
        draw.rectangle((100, top, width - 100, top + 100), outline=(180, 190, 200), width=4, fill=(255, 255, 255))
        draw.rectangle((width - 450, top + 20, width - 140, top + 80), fill=(0, 120, 215))
    buffer = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 0.0)}
        image.save(buffer, "PNG", exif=exif.tobytes())
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()
