"""What one autosave costs in this process, next to the bare baseline's INSERT: Python calls and CPU per request.

The load figures of `make bench` move with the machine (other tenants, steal time); a count of Python function
calls per request does not, so this is the figure to watch while changing the hot path. Both apps are called as
gunicorn calls them (a WSGI environ in, the body read out), in this process, on fresh databases of the same kind:
what is measured is the app's own work, with no HTTP client or test client in either figure. CPU is measured twice:
without a profiler (the figure to compare with the load run's ratio) and under cProfile (for the call counts and
the --top listing).

    .venv/bin/python -m bench.profile_autosave                 # SQLite, 2,000 requests each
    .venv/bin/python -m bench.profile_autosave --top 30        # and the functions the autosave spends most in
    DATABASE_URL=postgresql://127.0.0.1:5432/test .venv/bin/python -m bench.profile_autosave
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import QUIZ_SLUG, drop_created_databases, fresh_database, prepare_product


def wsgi_caller(app: Any, method: str, headers: dict[str, str]) -> Callable[[str, bytes], int]:
    """Call a WSGI app the way gunicorn's sync worker does; the status code."""
    template = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
                "HTTP_HOST": "127.0.0.1:8000"}
    template.update({("CONTENT_TYPE" if name == "Content-Type" else f"HTTP_{name.upper().replace('-', '_')}"): value
                     for name, value in headers.items()})
    status: list[str] = []

    def start_response(line: str, _headers: list[tuple[str, str]], _exc_info: Any = None) -> Callable[..., Any]:
        status.append(line)
        return lambda _data: None

    def call(path: str, body: bytes) -> int:
        status.clear()
        environ = {**template, "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
        result = app(environ, start_response)
        try:
            for _chunk in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split(" ", 1)[0])

    return call


def measure(label: str, send: Callable[[int], Any], requests: int, top: int) -> dict[str, float]:
    for i in range(50):  # warm: caches, pools, the answer sheet
        send(i)
    started = time.process_time()
    for i in range(50, 50 + requests):
        send(i)
    cpu_ms = (time.process_time() - started) * 1000 / requests
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for i in range(50 + requests, 50 + 2 * requests):
        send(i)
    profile.disable()
    profiled_ms = (time.process_time() - started) * 1000 / requests
    stats = pstats.Stats(profile)
    calls = stats.total_calls / requests  # type: ignore[attr-defined]
    if top:
        print(f"\n--- {label}: top {top} by cumulative time ---")
        stats.sort_stats("cumulative").print_stats(top)
    # cProfile's own overhead is in profiled_ms: compare the figures of one run with each other, not across tools
    return {"calls": round(calls), "cpu_ms": round(cpu_ms, 3), "cpu_ms_profiled": round(profiled_ms, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=0, help="print the N functions with most cumulative time")
    args = parser.parse_args(argv)
    kind = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    workdir = Path(tempfile.mkdtemp(prefix="lms-profile-"))
    try:
        return run(kind, workdir, args)
    finally:
        drop_created_databases()


def run(kind: str, workdir: Path, args: argparse.Namespace) -> int:
    from bench import baseline_app
    from lms import create_app

    base_url = fresh_database(kind, workdir)
    baseline_app.prepare(base_url)
    os.environ["BENCH_DATABASE_URL"] = base_url
    baseline = baseline_app.create_app()

    product_url = fresh_database(kind, workdir, "product")
    token = prepare_product(product_url, workdir, 1).read_text().split()[0]
    app = create_app({"SQLALCHEMY_DATABASE_URI": product_url, "LMS_QUIZZES_DIR": str(workdir / "quizzes"),
                      "LMS_CONTENT_DIR": str(workdir / "content"), "SECRET_KEY": "bench"})
    client = app.test_client()  # to start the attempt; the measured requests go to the WSGI app itself
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    started = client.post(f"/api/v1/quizzes/{QUIZ_SLUG}/attempts", headers=headers)
    if started.status_code not in (200, 201):
        raise SystemExit(f"could not start the bench quiz: {started.status_code} {started.get_data(as_text=True)}")
    attempt_id = started.get_json()["id"]
    letters = "ABCD"
    put = wsgi_caller(app, "PUT", {**headers, "Content-Type": "application/json"})
    post = wsgi_caller(baseline, "POST", {})

    def autosave(i: int) -> None:
        body = json.dumps({"choices": [letters[i % 4]], "seq": i + 1}).encode()
        status = put(f"/api/v1/attempts/{attempt_id}/answers/q{i % 30 + 1}", body)
        if status != 200:
            raise SystemExit(f"autosave {i}: {status}")

    def insert(_i: int) -> None:
        status = post("/insert", b"")
        if status != 200:
            raise SystemExit(f"baseline insert: {status}")

    ours = measure("API autosave", autosave, args.requests, args.top)
    bare = measure("baseline INSERT", insert, args.requests, args.top)
    print(f"\n{kind}, {args.requests} requests each, in process (WSGI calls, as gunicorn makes them)")
    print(f"{'':24} {'calls/request':>14} {'CPU ms/request':>15} {'CPU ms, profiled':>17}")
    for label, figures in (("API autosave", ours), ("baseline INSERT", bare)):
        print(f"{label:24} {figures['calls']:>14} {figures['cpu_ms']:>15.3f} {figures['cpu_ms_profiled']:>17.2f}")
    print(f"{'ratio (baseline/ours)':24} {bare['calls'] / ours['calls']:>14.2f} "
          f"{bare['cpu_ms'] / ours['cpu_ms']:>15.2f} {bare['cpu_ms_profiled'] / ours['cpu_ms_profiled']:>17.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
