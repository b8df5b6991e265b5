"""What one autosave costs in this process, next to the bare baseline's INSERT: Python calls and CPU per request.

The load figures of `make bench` move with the machine (other tenants, steal time); a count of Python function
calls per request does not, so this is the figure to watch while changing the hot path. Both apps run in this
process through Flask's test client (its own cost is in both figures), on fresh databases of the same kind.

    .venv/bin/python -m bench.profile_autosave                 # SQLite, 600 requests each
    .venv/bin/python -m bench.profile_autosave --top 30        # and the functions the autosave spends most in
    DATABASE_URL=postgresql://127.0.0.1:5432/test .venv/bin/python -m bench.profile_autosave
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import QUIZ_SLUG, drop_created_databases, fresh_database, prepare_product


def measure(label: str, send: Callable[[int], Any], requests: int, top: int) -> dict[str, float]:
    for i in range(50):  # warm: caches, pools, the answer sheet
        send(i)
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for i in range(50, 50 + requests):
        send(i)
    profile.disable()
    cpu_ms = (time.process_time() - started) * 1000 / requests
    stats = pstats.Stats(profile)
    calls = stats.total_calls / requests  # type: ignore[attr-defined]
    if top:
        print(f"\n--- {label}: top {top} by cumulative time ---")
        stats.sort_stats("cumulative").print_stats(top)
    # cProfile's own overhead is in cpu_ms: compare the figures of one run with each other, not across tools
    return {"calls": round(calls), "cpu_ms_profiled": round(cpu_ms, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600)
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
    baseline = baseline_app.create_app().test_client()

    product_url = fresh_database(kind, workdir, "product")
    token = prepare_product(product_url, workdir, 1).read_text().split()[0]
    app = create_app({"SQLALCHEMY_DATABASE_URI": product_url, "LMS_QUIZZES_DIR": str(workdir / "quizzes"),
                      "LMS_CONTENT_DIR": str(workdir / "content"), "SECRET_KEY": "bench"})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    started = client.post(f"/api/v1/quizzes/{QUIZ_SLUG}/attempts", headers=headers)
    if started.status_code not in (200, 201):
        raise SystemExit(f"could not start the bench quiz: {started.status_code} {started.get_data(as_text=True)}")
    attempt_id = started.get_json()["id"]
    letters = "ABCD"

    def autosave(i: int) -> None:
        response = client.put(f"/api/v1/attempts/{attempt_id}/answers/q{i % 30 + 1}", headers=headers,
                              json={"choices": [letters[i % 4]], "seq": i + 1})
        if response.status_code != 200:
            raise SystemExit(f"autosave {i}: {response.status_code} {response.get_data(as_text=True)}")

    def insert(_i: int) -> None:
        response = baseline.post("/insert")
        if response.status_code != 200:
            raise SystemExit(f"baseline insert: {response.status_code}")

    ours = measure("API autosave", autosave, args.requests, args.top)
    bare = measure("baseline INSERT", insert, args.requests, args.top)
    print(f"\n{kind}, {args.requests} requests each, in process (Flask test client), cProfile on")
    print(f"{'':24} {'calls/request':>14} {'CPU ms/request':>15}")
    print(f"{'API autosave':24} {ours['calls']:>14} {ours['cpu_ms_profiled']:>15}")
    print(f"{'baseline INSERT':24} {bare['calls']:>14} {bare['cpu_ms_profiled']:>15}")
    print(f"{'ratio (baseline/ours)':24} {bare['calls'] / ours['calls']:>14.2f} "
          f"{bare['cpu_ms_profiled'] / ours['cpu_ms_profiled']:>15.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
