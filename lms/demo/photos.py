"""Small demo photos drawn in memory (a shop front or a stall with an awning), so the demo's visits and ground
activities pass the same photo checks a phone's photos do. A few variants: the store keeps each once."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

COLOURS = ((200, 40, 40), (30, 110, 190), (40, 140, 80), (220, 150, 30), (120, 60, 160), (20, 140, 150))


def demo_photo(seed: int, *, size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG: a wall, a coloured sign or awning (by ``seed``), a door and a window."""
    width, height = size
    colour = COLOURS[seed % len(COLOURS)]
    image = Image.new("RGB", size, (225, 222, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, height // 4), fill=colour)  # the sign
    draw.rectangle((width // 10, height // 3, width // 2, height - 10), fill=(90, 90, 100))  # the door
    draw.rectangle((width * 6 // 10, height // 3, width - width // 10, height * 2 // 3), fill=(170, 200, 225))
    draw.rectangle((0, height - 10, width, height), fill=(120, 120, 120))  # the pavement
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
