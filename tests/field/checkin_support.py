"""What the check-in tests share: a media folder of the test's own, a photo as a phone sends it, the hall's place,
and a signed-in manager's check-in sent the way the page's script sends it (multipart, the page's key)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.support.web import csrf_token

HALL = (30.6598, 104.0633)  # the grid's business hall
NEAR = (30.6606, 104.0636)  # about 90 m away
FAR = (30.6700, 104.0633)  # about 1.1 km away
MORNING_AT = datetime(2026, 12, 2, 0, 5, tzinfo=UTC)  # Wednesday 08:05 in Shanghai
KEY = re.compile(r'data-slot="(\w+)" data-key="([^"]+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}


def photo(size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt)
    return buffer.getvalue()


def page_keys(client: Any) -> dict[str, str]:
    """The keys the check-in page gave each slot."""
    html = client.get("/field/checkin").get_data(as_text=True)
    return dict(KEY.findall(html))


def send(client: Any, slot: str, *, key: str | None = None, position: tuple[float, float] | None = NEAR,
         picture: bytes | None = None, filename: str = "checkin.jpg", **fields: str) -> Any:
    data: dict[str, Any] = {"slot": slot, "key": key or page_keys(client)[slot], **fields}
    if position is not None:
        data.update(latitude=str(position[0]), longitude=str(position[1]), accuracy="15")
    data["photo"] = (io.BytesIO(photo() if picture is None else picture), filename)
    return client.post("/field/checkin/submit", data=data, content_type="multipart/form-data",
                       headers={"X-CSRFToken": csrf_token(client, "/"), "Accept": "application/json"})


def acknowledge(client: Any) -> None:
    token = csrf_token(client, "/field/checkin")
    client.post("/field/checkin/notice", data={"csrf_token": token})

