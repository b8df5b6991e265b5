"""The demo tests' settings: the demo's field photos go to a media folder of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "LMS_MEDIA_DIR": str(tmp_path / "media")}
