"""A server worker holds only what serving pages needs: the heavy libraries for PDFs, spreadsheets, Word files and QR
codes load on first use (make bench holds each worker's resident memory to its target, worker_rss_mb). Checked in a
fresh interpreter, as a gunicorn worker starts: the app made and its pages' modules imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "openpyxl", "docx", "segno")

SCRIPT = """
import json, sys
from lms import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "lazy-imports"})
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(%r))))
"""


def _heavy_loaded(script: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script % (HEAVY,)], cwd=ROOT, capture_output=True, text=True,  # noqa: S603 - our own script
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_making_the_app_loads_no_heavy_library():
    assert _heavy_loaded(SCRIPT) == []


def test_the_check_sees_a_heavy_library_when_one_is_imported():
    assert _heavy_loaded(SCRIPT.replace("create_app({", "import segno\ncreate_app({")) == ["segno"]
