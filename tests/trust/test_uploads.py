"""Hostile uploads are refused quickly, with a message, in bounded memory, and change nothing — through the
commands trainers and administrators run and through the upload pages.

Inputs: a zip-bomb workbook (1,000:1), a workbook whose zip directory lies about the sizes, corrupt and truncated
workbooks, an oversized CSV, a GIFT file of 10 MB of braces, a quiz YAML with exponentially expanding anchors
("billion laughs") or 5,000 levels of nesting, a lesson whose front matter does the same, and a request body over
MAX_CONTENT_LENGTH (→ the 413 page). Each refusal is timed (< 2 s; ``LMS_UPLOAD_TIME_BOUND`` loosens it on a busy
machine) and its Python allocations traced (peak < 64 MB, for inputs that expand to hundreds of MB or more).
"""

from __future__ import annotations

import functools
import io
import os
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessment.models import Indicator
from lms.courses.models import Lesson
from lms.extensions import db
from lms.quizzes.models import BankQuestion, Quiz
from tests.support.web import csrf_token

SECONDS = float(os.environ.get("LMS_UPLOAD_TIME_BOUND", "2"))
PEAK_BYTES = 64 * 1024 * 1024
BOMB_BYTES = 50 * 1000 * 1000


def measure(work: Callable[[], Any]) -> tuple[Any, float, int]:
    """(result, seconds, peak bytes): timed on its own, then run again under tracemalloc for the memory."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        result = work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(header: tuple[str, ...]) -> bytes:
    """A real workbook whose first sheet is followed by 50 MB of whitespace (≈50 KB compressed)."""
    source = zipfile.ZipFile(io.BytesIO(workbook([list(header)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * BOMB_BYTES + b"</worksheet>")
            bomb.writestr(item.filename, data, compresslevel=9)
    return buffer.getvalue()


def lying_zip(header: tuple[str, ...]) -> bytes:
    """The bomb, with the sheet's declared size rewritten to 1 KB: size checks that trust the directory pass."""
    data = zip_bomb(header)
    real = struct.pack("<I", BOMB_BYTES + len(b"</worksheet>"))
    sizes = [info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    declared = struct.pack("<I", next(s for s in sizes if s > BOMB_BYTES))
    assert data.count(declared) >= 2 or data.count(real) >= 2
    return data.replace(declared, struct.pack("<I", 1024))


ROSTER_HEADER = ("employee_no", "name", "role", "county", "grid", "phone")
INDICATOR_HEADER = ("工号", "指标", "得分")
QUESTION_HEADER = ("题型", "题干", "选项A", "选项B", "答案")
SPREADSHEET_CASES = ("zip bomb", "lying zip directory", "corrupt", "truncated", "not a workbook", "oversized csv")


@functools.cache
def spreadsheet_inputs(header: tuple[str, ...]) -> dict[str, tuple[str, bytes]]:
    """The hostile spreadsheets for a sheet with ``header``, made once a test run (two 50 MB zip bombs compressed
    at level 9 take most of a second; the tests only read them)."""
    good = workbook([list(header), ["M0001", "张三", "manager", "城区", "东城网格", ""][: len(header)]])
    inputs = {
        "zip bomb": ("bomb.xlsx", zip_bomb(header)),
        "lying zip directory": ("liar.xlsx", lying_zip(header)),
        "corrupt": ("corrupt.xlsx", b"PK\x03\x04" + os.urandom(4096)),
        "truncated": ("truncated.xlsx", good[: len(good) // 2]),
        "not a workbook": ("renamed.xlsx", b"<html><script>alert(1)</script></html>"),
        "oversized csv": ("big.csv", (",".join(header) + "\n").encode() + b"M0001,x\n" * 800_000),
    }
    assert tuple(inputs) == SPREADSHEET_CASES
    return inputs


BILLION_LAUGHS = """\
title: 十亿笑声
kind: practice
a: &a ["哈哈哈哈哈哈哈哈", "哈哈哈哈哈哈哈哈", "哈哈哈哈哈哈哈哈", "哈哈哈哈哈哈哈哈", "哈哈哈哈哈哈哈哈"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
questions: *i
"""
SMALL_LAUGHS = """\
title: 少量别名
kind: practice
a: &a ["哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈"]
b: &b [*a, *a, *a, *a]
c: &c [*b, *b, *b, *b]
d: &d [*c, *c, *c, *c]
e: &e [*d, *d, *d, *d]
questions: *e
"""
DEEP = "title: 深\nkind: practice\nquestions: " + "[" * 5000 + "]" * 5000 + "\n"


# --- commands --------------------------------------------------------------------------------------------------------


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("case", SPREADSHEET_CASES)
def test_the_roster_command_refuses_hostile_spreadsheets(runner, tmp_path, case, record_figures):
    filename, data = spreadsheet_inputs(ROSTER_HEADER)[case]
    path = tmp_path / filename
    path.write_bytes(data)
    before = people_count()
    result, seconds, peak = measure(lambda: runner.invoke(args=["users", "import", str(path)]))
    assert result.exit_code != 0
    assert filename in result.output, result.output  # the message names the file
    assert "Traceback" not in result.output
    assert people_count() == before
    assert seconds < SECONDS, f"{case}: {seconds:.2f} s"
    assert peak < PEAK_BYTES, f"{case}: {peak / 1e6:.0f} MB"
    record_figures(f"upload_roster_{case.replace(' ', '_')}", {"seconds": round(seconds, 3),
                                                                 "peak_mb": round(peak / 1e6, 1)})


@pytest.mark.parametrize("case", ["zip bomb", "lying zip directory", "corrupt", "braces"])
def test_the_question_import_command_refuses_hostile_files(runner, tmp_path, case):
    inputs = {**spreadsheet_inputs(QUESTION_HEADER),
              "braces": ("braces.gift", b"{" * (10 * 1024 * 1024))}
    filename, data = inputs[case]
    path = tmp_path / filename
    path.write_bytes(data)
    result, seconds, peak = measure(lambda: runner.invoke(args=["questions", "import", str(path), "--bank", "x"]))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert filename in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(BankQuestion)) == 0
    assert seconds < SECONDS, f"{case}: {seconds:.2f} s"
    assert peak < PEAK_BYTES, f"{case}: {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("text", [BILLION_LAUGHS, SMALL_LAUGHS, DEEP], ids=["billion laughs", "anchors", "deep"])
def test_sync_refuses_a_quiz_file_that_expands(app, runner, text):
    path = Path(app.config["LMS_QUIZZES_DIR"]) / "laughs.yaml"
    path.write_text(text, encoding="utf-8")
    result, seconds, peak = measure(lambda: runner.invoke(args=["sync"]))
    assert result.exit_code != 0
    assert "laughs.yaml" in result.output, result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0
    assert seconds < SECONDS, f"{seconds:.2f} s"
    assert peak < PEAK_BYTES, f"{peak / 1e6:.0f} MB"


@pytest.mark.parametrize("front", [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ntags: *d\n",
    "tags: " + "[" * 3000 + "]" * 3000 + "\n",
], ids=["billion laughs", "deep"])
def test_sync_refuses_a_lesson_whose_front_matter_expands(app, runner, front):
    path = Path(app.config["LMS_CONTENT_DIR"]) / "policy" / "laughs.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: 笑声\ncategory: policy-data\n{front}---\n\n正文\n", encoding="utf-8")
    result, seconds, peak = measure(lambda: runner.invoke(args=["sync"]))
    assert result.exit_code != 0
    assert "laughs.md" in result.output, result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 0
    assert seconds < SECONDS, f"{seconds:.2f} s"
    assert peak < PEAK_BYTES, f"{peak / 1e6:.0f} MB"


# --- upload pages ----------------------------------------------------------------------------------------------------


def multipart(fields: dict[str, str], filename: str, data: bytes) -> bytes:
    """A multipart body written out by hand: from a dict, the test client spools large bodies to a temporary file
    that it never closes (a ResourceWarning, an error under our warning filter), not the app's doing."""
    parts = [f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--b\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n--b--\r\n")
    return b"".join(parts)


def upload(client: Any, url: str, filename: str, data: bytes, **fields: str) -> Any:
    body = multipart({"csrf_token": csrf_token(client, url), **fields}, filename, data)
    return client.post(url, data=body, content_type="multipart/form-data; boundary=b")


@pytest.mark.parametrize("case", SPREADSHEET_CASES)
def test_the_roster_page_refuses_hostile_spreadsheets(client, auth, make_user, case):
    auth.login(make_user("admin"))
    filename, data = spreadsheet_inputs(ROSTER_HEADER)[case]
    before = people_count()
    started = time.perf_counter()
    response = upload(client, "/admin/users", filename, data)
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert filename in html  # the flashed message names the file
    assert people_count() == before
    assert seconds < SECONDS, f"{case}: {seconds:.2f} s"


@pytest.mark.parametrize("case", ["zip bomb", "lying zip directory", "corrupt", "braces"])
def test_the_question_bank_page_refuses_hostile_files(client, auth, make_user, case):
    auth.login(make_user("trainer"))
    inputs = {**spreadsheet_inputs(QUESTION_HEADER),
              "braces": ("braces.gift", b"{" * (10 * 1024 * 1024))}
    filename, data = inputs[case]
    started = time.perf_counter()
    response = upload(client, "/quizzes/banks", filename, data, bank="hostile")
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    assert filename in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BankQuestion)) == 0
    assert seconds < SECONDS, f"{case}: {seconds:.2f} s"


@pytest.mark.parametrize("case", SPREADSHEET_CASES)
def test_the_indicator_page_refuses_hostile_spreadsheets(client, auth, make_user, monthly_quiz, case):
    monthly_quiz("2026-11")
    auth.login(make_user("supervisor", county=None, grid=None))
    filename, data = spreadsheet_inputs(INDICATOR_HEADER)[case]
    started = time.perf_counter()
    response = upload(client, "/assessment/2026-11/indicators", filename, data)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    assert filename in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 0
    assert seconds < SECONDS, f"{case}: {seconds:.2f} s"


def test_a_body_over_the_limit_gets_the_413_page(app, client, auth, make_user):
    auth.login(make_user("admin"))
    token = csrf_token(client, "/admin/users")
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/admin/users", data=multipart({"csrf_token": token}, "big.csv", too_big),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    api = client.put("/api/v1/attempts/1/answers/q1", data=too_big,
                     headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "too_large"
