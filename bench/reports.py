"""How fast the report pages are at scale (10,000 managers × 24 closed periods, ``bench/scale.py``).

Measures, as the median of several warm runs:
- ``failed_twice_query_ms``: the failed-twice query of the latest closed period for the city supervisor;
- ``risk_board_ms``: GET /reports/ (the supervisor's risk board), whole request, as the city supervisor;
- ``period_page_ms``: GET /reports/periods/<latest closed>, whole request, as the city supervisor;
plus the same pages for a county supervisor, and ``close_month_10k_s``: closing the waiting period (10,000
people) with the assessment's own close, once, on a copy of the database (SQLite) so the data set stays reusable.

Prints the figures and writes bench/results/reports.json. Targets: 100 ms for the query, 200 ms for the pages.

    python -m bench.reports                  # builds instance/bench-reports.sqlite3 first if it is missing
    python -m bench.reports --rebuild --runs 9
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common, scale

RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"
TARGETS_MS = {"failed_twice_query_ms": 100, "risk_board_ms": 200, "period_page_ms": 200}






def _get(client: Any, url: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        response.get_data()

    return run


def measure(uri: str, runs: int) -> dict[str, Any]:
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.extensions import db
    from lms.reports.queries.common import closed_periods
    from lms.reports.queries.risk import failed_twice_rows

    app = scale._app(uri)
    figures: dict[str, Any] = {}
    with app.app_context():
        latest = closed_periods()[-1]
        city = db.session.scalar(select(User).where(User.employee_no == "CITY-SUP"))

        def failed_twice() -> None:
            failed_twice_rows(latest, city)
            db.session.rollback()

        figures["failed_twice_query_ms"] = common.median_ms(failed_twice, runs)
        figures["failed_twice_people"] = len(failed_twice_rows(latest, city))
        db.session.remove()
    for who, prefix in (("CITY-SUP", ""), ("SUP-01", "county_")):
        client = common.signed_in(app, who)
        figures[f"{prefix}risk_board_ms"] = common.median_ms(_get(client, "/reports/"), runs)
        figures[f"{prefix}period_page_ms"] = common.median_ms(_get(client, f"/reports/periods/{latest}"), runs)
    figures["period"] = latest
    return figures


def measure_close(uri: str) -> float | None:
    """Seconds to close the waiting period of 10,000 people, on a copy of a SQLite database."""
    if not uri.startswith("sqlite:///"):
        return None
    source = Path(uri.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "close.sqlite3"
        shutil.copyfile(source, copy)
        app = scale._app(f"sqlite:///{copy}")
        with app.app_context():
            from lms.assessment import services
            from lms.assessment.queries import monthly_periods
            from lms.assessment.services import is_closed
            from lms.extensions import db

            waiting = [p for p in monthly_periods() if not is_closed(p)]
            period = min(waiting)
            started = time.perf_counter()
            report = services.close_month(period, now=datetime.now(UTC))
            seconds = time.perf_counter() - started
            if len(report.outcomes) < 9000:
                raise RuntimeError(f"the close wrote only {len(report.outcomes)} outcomes")
            db.engine.dispose()
    return round(seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file (default instance/bench-reports.sqlite3)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-close", action="store_true", help="do not time the monthly close")
    args = parser.parse_args()
    uri = scale.database_uri(args.db)
    figures: dict[str, Any] = {}
    if uri.startswith("sqlite:///"):
        path = Path(uri.removeprefix("sqlite:///"))
        if args.rebuild or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            built = scale.build(uri)
            figures["generate_s"] = round(built.seconds, 1)
    elif args.rebuild:
        built = scale.build(uri)
        figures["generate_s"] = round(built.seconds, 1)
    figures.update(measure(uri, args.runs))
    if not args.skip_close:
        close_seconds = measure_close(uri)
        if close_seconds is not None:
            figures["close_month_10k_s"] = close_seconds
    figures["runs"] = args.runs
    for key, target in TARGETS_MS.items():
        figures[f"{key}_ok"] = figures[key] <= target
    common.save(RESULTS, figures, uri)
    for key, value in figures.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
