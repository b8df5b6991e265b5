"""`make bench`: the product next to a bare Flask app, on the same machine, in the same run.

For each database (SQLite by default; PostgreSQL too when reachable, or only it with --db postgres):
1. baseline: bench/baseline_app.py under the same gunicorn settings — /hello, one SELECT, one INSERT+commit;
2. quiz load: N simulated managers (locust, headless) start a 30-question monthly test through the real API,
   autosave every answer and submit; then a pure-autosave phase for the ratio against the baseline INSERT;
3. certificates (bench/certificates.py) and scale (bench/reports.py), each writing its own JSON, merged here.
Writes bench/results/latest.json (SQLite figures at the top level, per-database figures under "databases") and
prints a Markdown table. `--quick` is a smoke run of a few seconds per phase.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.servers import AppServer  # noqa: E402 - after the path is set

RESULTS = REPO / "bench" / "results"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://127.0.0.1:5432/test")
QUIZ_SLUG = "bench-monthly"


def quiz_yaml(now_local: str, closes_local: str) -> str:
    lines = [
        "title: 压测月考（30题）", "kind: monthly", "period: 2026-11", f"opens: {now_local}", f"closes: {closes_local}",
        "time_limit_minutes: 30", "pass_score: 80", "questions:",
    ]
    for i in range(1, 31):
        lines += [f"  - id: q{i}", "    type: single", f"    stem: 第{i}题：11月199元档合约机直降补贴是多少？",
                  "    options: [500元, 700元, 800元, 1000元]", "    answer: C", "    points: 1"]
    return "\n".join(lines) + "\n"


def fresh_database(kind: str, workdir: Path, label: str = "baseline") -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / (label + '.sqlite3')}"
    import psycopg

    name = f"lms_bench_{label}_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def prepare_product(url: str, workdir: Path, managers: int) -> Path:
    """Migrate, load the bench quiz, create managers with API tokens; return the tokens file."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts import services as accounts
    from lms.accounts.models import User
    from lms.core.clock import to_local, utcnow
    from lms.core.sync import run_sync
    from lms.extensions import db
    from lms.org import services as org

    quizzes, content = workdir / "quizzes", workdir / "content"
    quizzes.mkdir(exist_ok=True)
    content.mkdir(exist_ok=True)
    now = to_local(utcnow())
    (quizzes / f"{QUIZ_SLUG}.yaml").write_text(quiz_yaml((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                                         (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")),
                                               encoding="utf-8")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_QUIZZES_DIR": str(quizzes),
                      "LMS_CONTENT_DIR": str(content), "SECRET_KEY": "bench"})
    tokens_file = workdir / "tokens.txt"
    with app.app_context():
        upgrade()
        result = run_sync(dict(app.config))
        if result.problems:
            raise SystemExit("bench quiz did not load: " + "; ".join(result.problems))
        county = org.ensure_county("压测县区")
        grid = org.ensure_grid(county, "压测网格")
        db.session.commit()
        password = accounts.hash_password("bench-password-1")
        db.session.execute(db.insert(User), [
            {"employee_no": f"B{i:06d}", "name": f"压测{i}", "role": "manager", "county_id": county.id,
             "grid_id": grid.id, "active": True, "password_hash": password, "session_token": f"bench-{i}",
             "joined_at": utcnow() - timedelta(days=60), "created_at": utcnow()}
            for i in range(managers)])
        db.session.commit()
        tokens = [accounts.create_token(f"B{i:06d}", "bench") for i in range(managers)]
        db.engine.dispose()
    tokens_file.write_text("\n".join(tokens))
    return tokens_file


def locust(host: str, env: dict[str, str], users: int, seconds: int, workdir: Path, *, tag: str) -> dict[str, dict]:
    prefix = workdir / tag
    locust_bin = str(Path(sys.executable).with_name("locust"))
    subprocess.run(
        [locust_bin, "-f", str(REPO / "bench" / "locustfile.py"), "--headless", "-u", str(users), "-r", str(users),
         "-t", f"{seconds}s", "--host", host, "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR",
         "--stop-timeout", "10"],
        env={**os.environ, **env}, check=False, cwd=REPO, stdout=subprocess.DEVNULL,
    )
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]), "p50_ms": float(row["50%"] or 0), "p99_ms": float(row["99%"] or 0),
            }
    return stats


def worker_rss_mb(server: AppServer) -> float:
    assert server.process is not None
    out = subprocess.run(["ps", "--ppid", str(server.process.pid), "-o", "rss="],
                         capture_output=True, text=True, check=False).stdout.split()
    return round(max((int(kb) for kb in out), default=0) / 1024, 1)


def bench_database(kind: str, args: argparse.Namespace) -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        workdir = Path(tmp)
        url = fresh_database(kind, workdir)
        # Baseline: same gunicorn settings, same database settings, same load tool.
        from bench.baseline_app import prepare

        prepare(url)
        baseline = AppServer(url, env={"BENCH_DATABASE_URL": url}, workers=args.workers,
                             target="bench.baseline_app:create_app()", health_path="/hello").start()
        try:
            for path, key in (("/hello", "hello"), ("/select", "select"), ("/insert", "insert")):
                stats = locust(baseline.base_url, {"BENCH_MODE": "baseline", "BENCH_PATH": path}, args.users,
                               args.seconds, workdir, tag=f"baseline{key}")
                figures[f"baseline_{key}_rps"] = round(stats[path]["rps"], 1)
                figures[f"baseline_{key}_p99_ms"] = stats[path]["p99_ms"]
        finally:
            baseline.stop()
        # The product.
        # A fresh database for the product (the baseline's table stays out of its schema).
        product_url = fresh_database(kind, workdir, "product")
        tokens = prepare_product(product_url, workdir, args.managers)
        server = AppServer(product_url, env={"LMS_QUIZZES_DIR": str(workdir / "quizzes"),
                                             "LMS_CONTENT_DIR": str(workdir / "content"),
                                             "LMS_RATELIMIT_STORAGE_URI": "memory://"},
                           workers=args.workers).start()
        try:
            half = args.managers // 2
            first, second = workdir / "tokens-flow.txt", workdir / "tokens-autosave.txt"
            all_tokens = tokens.read_text().split()
            first.write_text("\n".join(all_tokens[:half]))
            second.write_text("\n".join(all_tokens[half:]))
            flow = locust(server.base_url, {"BENCH_MODE": "quiz", "BENCH_TOKENS": str(first), "BENCH_QUIZ": QUIZ_SLUG},
                          args.users, args.seconds, workdir, tag="flow")
            for name in ("start", "autosave", "submit"):
                if name in flow:
                    figures[f"flow_{name}_rps"] = round(flow[name]["rps"], 1)
                    figures[f"flow_{name}_p50_ms"] = flow[name]["p50_ms"]
                    figures[f"flow_{name}_p99_ms"] = flow[name]["p99_ms"]
                    figures[f"flow_{name}_failures"] = flow[name]["failures"]
            autosave_env = {"BENCH_MODE": "autosave", "BENCH_TOKENS": str(second), "BENCH_QUIZ": QUIZ_SLUG}
            autosave = locust(server.base_url, autosave_env, args.users, args.seconds, workdir, tag="autosave")
            saves = autosave.get("autosave", {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "failures": 0})
            figures["autosave_rps"] = round(saves["rps"], 1)
            figures["autosave_p50_ms"] = saves["p50_ms"]
            figures["autosave_p99_ms"] = saves["p99_ms"]
            figures["autosave_failures"] = saves["failures"]
            figures["worker_rss_mb"] = worker_rss_mb(server)
        finally:
            server.stop()
        figures["ratio_autosave_vs_baseline"] = round(figures["autosave_rps"] / figures["baseline_insert_rps"], 2)
    return figures


def run_script(script: str, extra: list[str]) -> dict[str, float]:
    path = REPO / "bench" / script
    if not path.exists():
        return {}
    subprocess.run([sys.executable, str(path), *extra], cwd=REPO, check=True)
    out = RESULTS / (Path(script).stem + ".json")
    return json.loads(out.read_text()) if out.exists() else {}


TARGETS = {
    "ratio_autosave_vs_baseline": (">=", 0.5), "autosave_p99_ms": ("<=", 100), "cert_kb": ("<=", 40),
    "close_month_10k_s": ("<=", 10), "failed_twice_query_ms": ("<=", 100), "risk_board_ms": ("<=", 200),
    "worker_rss_mb": ("<=", 150),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: a few seconds per phase")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=32, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (product and baseline)")
    args = parser.parse_args()
    args.seconds = 5 if args.quick else 30
    args.managers = 400 if args.quick else 4000
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode:
        print("PostgreSQL not reachable: SQLite only")
        kinds = [k for k in kinds if k != "postgres"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    per_db = {kind: bench_database(kind, args) for kind in kinds}
    results: dict[str, object] = dict(per_db[kinds[0]])
    cert_args = ["--count", "20"] if args.quick else ["--count", "200", "--bulk"]
    cert = run_script("certificates.py", cert_args)
    results.update(cert)
    if "cert_ms_median" in cert and "cert_baseline_ms" in cert:
        results["ratio_cert_vs_baseline"] = round(cert["cert_ms_median"] / cert["cert_baseline_ms"], 2)
    results.update(run_script("reports.py", ["--quick"] if args.quick else []))
    results["databases"] = per_db
    results["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(terse=True), "quick": args.quick}
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(markdown_table(results, per_db))


def markdown_table(results: dict[str, object], per_db: dict[str, dict[str, float]]) -> str:
    keys = sorted({k for figures in per_db.values() for k in figures})
    kinds = list(per_db)
    lines = ["| figure | " + " | ".join(kinds) + " | target |",
             "| --- | " + " | ".join("---" for _ in kinds) + " | --- |"]
    for key in keys:
        target = TARGETS.get(key)
        lines.append(f"| {key} | " + " | ".join(str(per_db[k].get(key, "")) for k in kinds) +
                     f" | {target[0] + ' ' + str(target[1]) if target else ''} |")
    for key in sorted(k for k in results if k not in keys and k not in ("databases", "machine")):
        target = TARGETS.get(key)
        lines.append(f"| {key} | {results[key]} |" + " |" * (len(kinds) - 1) +
                     f" {target[0] + ' ' + str(target[1]) if target else ''} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
