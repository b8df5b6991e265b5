"""Certificate PDF benchmark: our renderer next to a plain WeasyPrint render of the same page, in the same run.

    .venv/bin/python bench/certificates.py [--count 200] [--bulk] [--workers N]

Builds a throw-away SQLite database through the real migrations, issues certificates on it, then measures
  * ours: ``rendering.ensure_pdf`` on an empty cache (Jinja template, QR code, WeasyPrint with the prepared fonts
    and stylesheet, the file written to the cache) — what a first download or the bulk command does per certificate;
  * baseline: ``weasyprint.HTML(string=<the same page, CSS inlined>).write_pdf()`` with default settings;
  * system fonts: the same page naming only the installed Noto CJK fonts (what a naive template gets), for context;
  * with ``--bulk``: ``flask certificates render`` over 1,000 certificates of one period, wall clock and CPU seconds
    (this process and its workers).
Prints a Markdown table and writes bench/results/certificates.json. Targets: ours ≤ 1.5× baseline, ≤ 40 KB,
1,000 in ≤ 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BULK = 1000
NAMES = (
    "张王李赵刘陈杨黄吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万覃武钱戴严莫孔向常汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红文斌宇浩凯俊峰晨阳欣怡婷雪琳"


def person_name(i: int) -> str:
    return NAMES[i % len(NAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 5) % len(GIVEN)]


def build_app(workdir: Path) -> Any:
    from flask_migrate import upgrade

    from lms import create_app

    app = create_app({
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "LMS_CERT_CACHE_DIR": str(workdir / "certificates"),
        "LMS_BASE_URL": "https://lms.example.cn",  # outside a request the verify links need it
        # the compact fonts are a per-machine cache, shared with the app's default location
        "LMS_CERT_FONT_DIR": str(ROOT / "instance" / "certificates" / "fonts"),
    })
    with app.app_context():
        upgrade()
    return app


def issue(count: int, period: str, first: int) -> list[Any]:
    """``count`` certificates of ``period`` on real rows (people, a monthly quiz, attempts), inserted in bulk."""
    from sqlalchemy import insert, select

    from lms.accounts.models import User
    from lms.attempts.models import Attempt
    from lms.certificates import rules
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.org import services as org
    from lms.quizzes.models import Quiz, QuizVersion

    county = org.ensure_county("城区")
    grid = org.ensure_grid(county, "东城网格")
    quiz = Quiz(slug=f"bench-{period}", kind="monthly", title=f"{period[:4]}年{int(period[5:])}月渠道政策月考",
                period=period)
    db.session.add(quiz)
    db.session.flush()
    version = QuizVersion(quiz_id=quiz.id, number=1, checksum="b" * 64, definition={}, time_limit_seconds=1800)
    db.session.add(version)
    db.session.flush()
    numbers = range(first, first + count)
    db.session.execute(insert(User), [
        {"employee_no": f"B{i:05d}", "name": person_name(i), "role": "manager", "county_id": county.id,
         "grid_id": grid.id, "session_token": f"bench-{i}"} for i in numbers])
    users = dict(db.session.execute(select(User.employee_no, User.id).where(User.employee_no.like("B%"))).all())
    finished = datetime(int(period[:4]), int(period[5:]), 5, 2, 30, tzinfo=UTC)
    db.session.execute(insert(Attempt), [
        {"user_id": users[f"B{i:05d}"], "quiz_id": quiz.id, "quiz_version_id": version.id, "official": True,
         "status": "submitted", "started_at": finished - timedelta(minutes=25), "finished_at": finished,
         "deadline_at": finished + timedelta(minutes=5), "score": 80 + (i % 41) / 2, "passed": True,
         "max_score": 100.0, "paper": {}} for i in numbers])
    attempts = db.session.execute(select(Attempt.id, Attempt.user_id, Attempt.score)
                                  .where(Attempt.quiz_id == quiz.id)).all()
    names = {uid: person_name(int(no[1:])) for no, uid in users.items()}
    db.session.execute(insert(Certificate), [
        {"code": rules.generate_code(), "user_id": user_id, "attempt_id": attempt_id, "quiz_id": quiz.id,
         "holder_name": names[user_id], "quiz_title": quiz.title, "period": period, "score": score,
         "max_score": 100.0, "issued_at": finished} for attempt_id, user_id, score in attempts])
    db.session.commit()
    return list(db.session.scalars(select(Certificate).where(Certificate.period == period).order_by(Certificate.id)))


def measure(app: Any, count: int) -> dict[str, Any]:
    import weasyprint

    from lms.certificates import rendering, services

    started = time.perf_counter()
    design = rendering.current_design()  # builds the compact fonts if this machine has none yet
    setup_s = time.perf_counter() - started
    documents = [services.document_for(c) for c in issue(count, "2026-11", 1)]
    rendering.ensure_pdf(documents[0], design)  # warm-up: the prepared fonts and stylesheet are per process
    ours_ms, ours_kb, base_ms, base_kb = [], [], [], []
    for document in documents:
        t = time.perf_counter()
        cached = rendering.ensure_pdf(document, design)
        ours_ms.append((time.perf_counter() - t) * 1000)
        ours_kb.append(cached.path.stat().st_size / 1024)
        page = rendering.render_html(document, design, inline_css=True)
        t = time.perf_counter()
        pdf = weasyprint.HTML(string=page).write_pdf()
        base_ms.append((time.perf_counter() - t) * 1000)
        base_kb.append(len(pdf) / 1024)
    naive_ms, naive_kb = [], []
    for document in documents[: min(30, count)]:
        page = rendering.render_html(document, design, inline_css=True)
        page = re.sub(r"@font-face \{[^}]*\}", "", page)  # only the installed Noto fonts remain named
        t = time.perf_counter()
        pdf = weasyprint.HTML(string=page).write_pdf()
        naive_ms.append((time.perf_counter() - t) * 1000)
        naive_kb.append(len(pdf) / 1024)
    return {
        "count": count,
        "cert_ms_median": round(statistics.median(ours_ms), 1),
        "cert_ms_p95": round(sorted(ours_ms)[int(len(ours_ms) * 0.95) - 1], 1),
        "cert_kb": round(statistics.median(ours_kb), 1),
        "cert_kb_max": round(max(ours_kb), 1),
        "cert_baseline_ms": round(statistics.median(base_ms), 1),
        "cert_baseline_kb": round(statistics.median(base_kb), 1),
        "cert_system_fonts_ms": round(statistics.median(naive_ms), 1),
        "cert_system_fonts_kb": round(statistics.median(naive_kb), 1),
        "font_setup_s": round(setup_s, 2),
    }


def bulk(app: Any, workers: int | None) -> dict[str, Any]:
    issue(BULK, "2026-12", 100_000)
    args = ["certificates", "render", "2026-12"] + (["--workers", str(workers)] if workers else [])
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    result = app.test_cli_runner().invoke(args=args)
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    if result.exit_code != 0 or f"{BULK} rendered" not in result.output:
        raise SystemExit(f"bulk render failed:\n{result.output}")
    return {"cert_bulk_1000_s": round(elapsed, 1), "cert_bulk_1000_cpu_s": round(cpu, 1),
            "bulk_workers": workers or os.cpu_count()}


def _cpu_seconds() -> float:
    """CPU of this process and of its finished children (the pool's workers once it has shut down): less sensitive
    than the wall clock to whatever else runs on the machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="certificates to time one by one (default 200)")
    parser.add_argument("--bulk", action="store_true", help=f"also time the render command over {BULK:,}")
    parser.add_argument("--workers", type=int, default=None, help="processes for --bulk (default: one per CPU)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        app = build_app(Path(tmp))
        with app.app_context():
            results = measure(app, options.count)
            if options.bulk:
                results.update(bulk(app, options.workers))
    results["cpus"] = os.cpu_count()
    results["ratio_to_baseline"] = round(results["cert_ms_median"] / results["cert_baseline_ms"], 2)

    rows = [
        ("ours (template + QR + WeasyPrint + cache write)", results["cert_ms_median"], results["cert_kb"]),
        ("baseline: plain WeasyPrint, same page", results["cert_baseline_ms"], results["cert_baseline_kb"]),
        ("same page, installed Noto CJK fonts only", results["cert_system_fonts_ms"],
         results["cert_system_fonts_kb"]),
    ]
    print(f"\n{results['count']} certificates, {results['cpus']} CPUs\n")
    print("| render | median ms | median KB |\n| --- | ---: | ---: |")
    for label, ms, kb in rows:
        print(f"| {label} | {ms} | {kb} |")
    print(f"\nours / baseline = {results['ratio_to_baseline']}× (target ≤ 1.5×); p95 {results['cert_ms_p95']} ms; "
          f"largest PDF {results['cert_kb_max']} KB (target ≤ 40 KB)")
    if "cert_bulk_1000_s" in results:
        print(f"bulk: {BULK:,} certificates in {results['cert_bulk_1000_s']} s with {results['bulk_workers']} "
              f"workers (target ≤ 60 s on 2 cores), {results['cert_bulk_1000_cpu_s']} s of CPU")
    out = ROOT / "bench" / "results" / "certificates.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
