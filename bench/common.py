"""What the benchmark scripts share: a median of warm runs, a signed-in test client, and writing a script's figures.

Each script builds its own world and prints its own table; these are the steps they all take the same way."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench import scale


def median_ms(run: Callable[[], Any], runs: int, *, digits: int = 1) -> float:
    """Median of ``runs`` timed runs in milliseconds, after one warm-up run (a running server is warm)."""
    run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), digits)


def signed_in(app: Any, employee_no: str) -> Any:
    """A test client of ``app`` signed in through the login form with the benchmark's staff password."""
    client = app.test_client()
    response = client.post("/login", data={"employee_no": employee_no, "password": scale.STAFF_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"cannot sign in as {employee_no}: {response.status_code}")
    return client


def save(path: Path, figures: dict[str, Any], uri: str) -> None:
    """Write ``figures`` (with the database they were measured on) as the script's JSON result."""
    figures["database"] = "postgresql" if uri.startswith("postgresql") else "sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


def targets_met(figures: Mapping[str, Any], targets: Mapping[str, Any]) -> bool:
    """Whether each target's ``<key>_ok`` figure says it was met."""
    return all(figures[f"{key}_ok"] for key in targets)
