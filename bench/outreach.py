"""How fast the shops' side of training is when a manager has many shops and a city has thousands.

The world: ``--shops`` shops (default 3,000) in 30 grids, each grid with one manager (100 shops each), this month's
shop pack (two lessons for shops, five check questions); every shop's link made, half the shops have opened the pack,
a third have read and passed it. Measured as the median of several warm runs, whole requests through the Flask test
client (the real views, services and database; no network):
- ``outreach_manager_page_ms``: GET /outreach as one manager (100 shops, each with its link, QR code and message);
- ``outreach_shop_page_ms``: GET /s/<token> as a shop's phone (the pack, the check; records the opening);
- ``outreach_links_made_ms``: the manager's "为全部渠道生成链接" for 100 shops, each link audited (one POST);
- ``outreach_coverage_city_ms``: GET /outreach/coverage as the city's supervisor (every shop of the city, tallied by
  county, grid, type, star and manager, the shops never opened, the questions missed most);
- ``outreach_poster_page_ms``: GET /outreach/posters.pdf (the manager's 100 counter posters, one A4 page each with
  its QR code), per page;
Baselines measured in the same run on the same database: ``baseline_signed_in_page_ms`` (GET /account/sessions, a
small page with the same layout, signed in) for the manager's page, ``baseline_public_page_ms`` (GET /login) for the
shop's. The ratios say what the shops cost over the layout alone.

Targets (TARGETS_MS): the manager's and the shop's pages ≤ 200 ms (the report pages' target); the city's coverage
≤ 500 ms; 100 links made ≤ 2,000 ms; a poster page ≤ 150 ms.
Prints a Markdown table and writes bench/results/outreach.json; exit code 1 when a target is missed.

    python -m bench.outreach                   # a new SQLite file in a temporary folder; DATABASE_URL=postgresql://…
    python -m bench.outreach --shops 600 --runs 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common, scale  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "outreach.json"
GRIDS = 30
TARGETS_MS = {"outreach_manager_page_ms": 200, "outreach_shop_page_ms": 200, "outreach_links_made_ms": 2000,
              "outreach_coverage_city_ms": 500, "outreach_poster_page_ms": 150}




def build(uri: str, shops: int) -> Any:
    """The schema, GRIDS grids each with a manager, ``shops`` shops spread over them, this month's pack."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.core.clock import period_of
    from lms.courses import services as courses
    from lms.courses.rules import LessonMeta
    from lms.extensions import db
    from lms.field.models import Shop
    from lms.org import services as org
    from lms.quizzes import bank_services
    from lms.quizzes.specs import QuestionSpec

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "LMS_BASE_URL": "https://lms.example.cn"})
    now = datetime.now(UTC)
    password = generate_password_hash(scale.STAFF_PASSWORD, method="scrypt")
    with app.app_context():
        upgrade()
        county = org.ensure_county("压测县区")
        grids = [org.ensure_grid(county, f"压测网格{g + 1}") for g in range(GRIDS)]
        db.session.commit()
        people = [{"employee_no": f"SM{g:03d}", "name": f"经理{g}", "role": "manager", "county_id": county.id,
                   "grid_id": grid.id, "active": True, "joined_at": now - timedelta(days=90), "created_at": now,
                   "password_hash": password} for g, grid in enumerate(grids)]
        people.append({"employee_no": "ST001", "name": "压测培训师", "role": "trainer", "county_id": county.id,
                       "active": True, "joined_at": now, "created_at": now, "password_hash": password})
        people.append({"employee_no": "SC001", "name": "市级主管", "role": "supervisor", "active": True,  # the city
                       "joined_at": now, "created_at": now, "password_hash": password})
        db.session.execute(insert(User), people)
        managers = db.session.execute(select(User.employee_no, User.id, User.grid_id)
                                      .where(User.role == "manager").order_by(User.employee_no)).all()
        db.session.execute(insert(Shop), [{
            "code": f"SH{i:05d}", "name": f"压测手机店{i}", "kind": ("terminal", "business", "village")[i % 3],
            "star": 1 + i % 5, "latitude": 30.0, "longitude": 120.0, "grid_id": managers[i % GRIDS].grid_id,
            "manager_id": managers[i % GRIDS].id} for i in range(shops)])
        db.session.commit()
        trainer = db.session.scalar(select(User).where(User.role == "trainer"))
        period = period_of(now)
        lessons = (("bench-shop-subsidy", "本月购机直降（门店版）"), ("bench-shop-broadband", "宽带新装怎么讲"))
        for slug, title in lessons:
            courses.create_web_lesson(slug=slug, meta=LessonMeta(title=title, category="policy-handset",
                                                                 period=period, for_shops=True),
                                      body="## 给顾客讲清楚\n\n购机直降 300 元，仅限新入网。\n" * 20,
                                      author=trainer, publish=True)
        bank = bank_services.create_bank("门店测验", by=trainer, now=now)
        for i in range(5):
            bank_services.create_question(bank, QuestionSpec(
                key="", type="single", stem=f"第{i + 1}题：购机直降多少元？", options=("100 元", "300 元", "500 元"),
                correct=(1,), lesson="bench-shop-subsidy"), by=trainer, now=now)
    app.config["BENCH_MANAGERS"] = [m.employee_no for m in managers]
    return app




def links_and_readings(app: Any) -> tuple[list[str], float]:
    """Every manager makes the links of all their shops (the first one timed); half the shops open the pack and a
    third read and pass it (rows written directly, as months of use would leave them). The tokens of the first
    manager's shops."""
    from sqlalchemy import insert, select

    from lms.core.clock import period_of
    from lms.extensions import db
    from lms.outreach import links
    from lms.outreach.models import ShopLink, ShopReading

    made_ms = 0.0
    for number, employee_no in enumerate(app.config["BENCH_MANAGERS"]):
        client = common.signed_in(app, employee_no)
        started = time.perf_counter()
        response = client.post("/outreach/links", follow_redirects=False)
        if number == 0:
            made_ms = round((time.perf_counter() - started) * 1000, 1)
        if response.status_code != 302:
            raise RuntimeError(f"making links as {employee_no}: {response.status_code}")
    now = datetime.now(UTC)
    with app.app_context():
        rows = db.session.execute(select(ShopLink.id, ShopLink.shop_id).where(ShopLink.revoked_at.is_(None))).all()
        db.session.execute(insert(ShopReading), [{
            "shop_id": shop_id, "period": period_of(now), "link_id": link_id, "opened_at": now, "last_opened_at": now,
            "opens": 1, **({"checked_at": now, "check_score": 100.0, "check_passed": True, "confirmed_at": now,
                            "staff_name": "张三"} if shop_id % 3 == 0 else {})}
            for link_id, shop_id in rows if shop_id % 2 == 0])
        db.session.commit()
        first = app.config["BENCH_MANAGERS"][0]
        from lms.accounts.models import User
        manager_id = db.session.scalar(select(User.id).where(User.employee_no == first))
        tokens = [links.token_of(link) for link in db.session.scalars(
            select(ShopLink).join(ShopLink.shop).where(ShopLink.revoked_at.is_(None),
                                                       ShopLink.shop.has(manager_id=manager_id)))]
    return tokens, made_ms


def measure(uri: str, shops: int, runs: int) -> dict[str, Any]:
    from lms.extensions import db

    app = build(uri, shops)
    tokens, made_ms = links_and_readings(app)
    manager = common.signed_in(app, app.config["BENCH_MANAGERS"][0])
    phone = app.test_client()
    turn = iter(range(10**9))

    def get(client: Any, path: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code}")
        return run

    def shop_page() -> None:
        token = tokens[next(turn) % len(tokens)]
        response = phone.get(f"/s/{token}")
        if response.status_code != 200:
            raise RuntimeError(f"shop page: {response.status_code}")

    figures: dict[str, Any] = {
        "outreach_shops": shops, "outreach_shops_per_manager": len(tokens),
        "outreach_links_made_ms": made_ms,
        "outreach_manager_page_ms": common.median_ms(get(manager, "/outreach"), runs),
        "baseline_signed_in_page_ms": common.median_ms(get(manager, "/account/sessions"), runs),
        "outreach_shop_page_ms": common.median_ms(shop_page, runs),
        "baseline_public_page_ms": common.median_ms(get(app.test_client(), "/login"), runs),
        "outreach_coverage_city_ms": common.median_ms(get(common.signed_in(app, "SC001"), "/outreach/coverage"), runs),
    }
    started = time.perf_counter()
    posters = manager.get("/outreach/posters.pdf")
    if posters.status_code != 200 or posters.mimetype != "application/pdf":
        raise RuntimeError(f"posters: {posters.status_code}")
    figures["outreach_poster_page_ms"] = round((time.perf_counter() - started) * 1000 / len(tokens), 1)
    figures["ratio_manager_page_vs_baseline"] = round(
        figures["outreach_manager_page_ms"] / figures["baseline_signed_in_page_ms"], 2)
    figures["ratio_shop_page_vs_baseline"] = round(
        figures["outreach_shop_page_ms"] / figures["baseline_public_page_ms"], 2)
    for key, target in TARGETS_MS.items():
        figures[f"{key}_ok"] = figures[key] <= target
    with app.app_context():
        db.engine.dispose()
    return figures


def markdown_table(figures: dict[str, Any]) -> str:
    rows = [f"{figures['outreach_shops']} shops, {figures['outreach_shops_per_manager']} per manager", "",
            "| figure | ms | baseline ms | ratio | target | met |", "| --- | ---: | ---: | ---: | --- | --- |"]
    for key, label, baseline, ratio in (
            ("outreach_manager_page_ms", "manager's page (/outreach)", "baseline_signed_in_page_ms",
             "ratio_manager_page_vs_baseline"),
            ("outreach_shop_page_ms", "shop's page (/s/<token>)", "baseline_public_page_ms",
             "ratio_shop_page_vs_baseline"),
            ("outreach_links_made_ms", "links made for all the manager's shops", None, None),
            ("outreach_coverage_city_ms", "city supervisor's coverage (/outreach/coverage, every shop)", None, None),
            ("outreach_poster_page_ms", "counter posters, all the manager's shops, per page", None, None)):
        rows.append(f"| {label} | {figures[key]} | {figures[baseline] if baseline else '–'} | "
                    f"{figures[ratio] if ratio else '–'} | ≤ {TARGETS_MS[key]} | "
                    f"{'yes' if figures[f'{key}_ok'] else 'no'} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=3000, help="shops in the city (default 3000)")
    parser.add_argument("--runs", type=int, default=15, help="warm runs per page (default 15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outreach-") as folder:
        uri = scale.database_uri(Path(folder) / "outreach.sqlite3")
        figures = measure(uri, args.shops, args.runs)
    common.save(RESULTS, figures, uri)
    print(markdown_table(figures))
    if not common.targets_met(figures, TARGETS_MS):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
