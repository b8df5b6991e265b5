"""How long a shop visit with three phone photos takes to submit, next to re-encoding the same photos alone.

A manager signs in through the form (CSRF token from the page), then submits ``--visits`` visits to
``/field/visits/new`` through the Flask test client (the real views, services, database and photo store; no network
or server in between), each a multipart form with three phone JPEGs (4032×3024, ~1.4 MB each, EXIF with an
orientation and the phone's make, generated with Pillow once and reused), the CSRF token of the visit page and the
checklist answered without problems, as static/js/field/visit.js posts it (``Accept: application/json``, the form's
key; answered 201 with the visit's address). Two paths:
- ``visit_*``: sent at once, online;
- ``visit_offline_*``: what the phone's IndexedDB queue sends once the network is back (the same script): the same
  form with the phone's time of the visit (``device_at``, a few minutes earlier); answered with the visit flagged
  late-received (checked on each).
Per submission: median and p95 (ms) of the whole request.
Re-encoding dominates a submission, so two more figures, measured in the same run on the same photos:
- ``visit_reencode_ms``: the product's own part of a submission that is re-encoding, ``lms.courses.media
  .check_upload`` of the three photos (decode, turn upright, keep only the pixels, fit to 1600 px, JPEG q85);
- ``visit_baseline_pillow_ms``, the baseline: the same three photos re-encoded with Pillow alone, the shortest
  correct way (open, ``exif_transpose``, fit to 1600 px, save JPEG q85 without the EXIF).
The four are measured in interleaved rounds (a visit, an offline visit, the re-encoding, the baseline, then again),
so the drift of a shared machine falls on all alike; ``ratio_visit_vs_pillow`` is the median of each round's
submission over its baseline (1.0 = a visit costs only its photos), ``visit_rest_ms`` the median of each round's
submission less the product's re-encoding (forms, checks, writes, the photo store). Each has its CPU figure too
(``*_cpu_ms``, ``ratio_visit_cpu_vs_pillow``, ``visit_rest_cpu_ms``): the test client serves in this process, so on
a machine shared with other work the CPU says what the code costs when the clock cannot (PostgreSQL's own work is
in its server process, outside it).

Target (TARGETS_MS): p95 ≤ 1,500 ms per visit with three photos on 2 cores, both paths. Exit code 1 when a target is
missed. Prints a Markdown table and writes bench/results/visits.json.

    python -m bench.visits                     # a new SQLite file in a temporary folder; DATABASE_URL=postgresql://…
    python -m bench.visits --visits 50
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
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

RESULTS = ROOT / "bench" / "results" / "visits.json"
VISITS = 200
PHOTOS = 3
SHOPS = 20
TARGETS_MS = {"visit_p95_ms": 1500, "visit_offline_p95_ms": 1500}
MANAGER = "VISITOR"
GOOD_ANSWERS = {"answer-signboard": "yes", "answer-realname_poster": "yes", "answer-realname_card": "yes",
                "answer-expired_posters": "no", "problem-remuneration": "无", "problem-system_ops": "无",
                "problem-after_sales": "无"}
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def phone_photo(seed: int) -> bytes:
    """A phone camera's JPEG: 4032×3024, sensor-like noise over shapes (so it compresses as a photo does, ~1.4 MB),
    EXIF saying it was held upright (orientation 6) and the phone's make."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 4032, 3024
    picture = Image.blend(Image.linear_gradient("L").resize((width, height)).convert("RGB"),
                          Image.effect_noise((width, height), 40).convert("RGB"), 0.10)
    draw = ImageDraw.Draw(picture)
    for _ in range(60):  # a shop front's signs, shelves, posters
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle([x, y, x + rng.randrange(100, 900), y + rng.randrange(60, 500)],
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    picture = Image.blend(picture, Image.effect_noise((width, height), 25).convert("RGB"), 0.04)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show
    exif[0x010F] = "HUAWEI"
    exif[0x0110] = "Mate 60"
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88, exif=exif.tobytes())
    return buffer.getvalue()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * share + 0.5) - 1)], 1)


def interleaved(runs: dict[str, Callable[[int], Any]], count: int) -> dict[str, tuple[list[float], list[float]]]:
    """``count`` rounds after one warm-up of each, every round running each series once in turn, so that the
    machine's drift (other work on the shared cores) falls on all of them alike; per series the wall-clock and CPU
    milliseconds of each round (the test client serves in this process, so the CPU time is the server's work, less
    sensitive than the clock to a machine shared with other work)."""
    for run in runs.values():
        run(-1)
    timings: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in runs}
    for number in range(count):
        for key, run in runs.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            run(number)
            timings[key][0].append((time.perf_counter() - started) * 1000)
            timings[key][1].append((time.process_time() - cpu_started) * 1000)
    return timings


def paired(first: list[float], second: list[float], combine: Callable[[float, float], float]) -> float:
    """The median over the rounds of each round's own ratio or difference (paired, as bench/run.py pairs rounds)."""
    return statistics.median(combine(a, b) for a, b in zip(first, second, strict=True))


def build(uri: str, media_dir: Path) -> Any:
    """The schema (its migrations seed checklist version 1), a grid with a manager who may sign in, and ``SHOPS``
    shops in the manager's charge; the app as a server runs it (CSRF on)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import User
    from lms.extensions import db
    from lms.field.models import Shop
    from lms.org import services as org

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "LMS_MEDIA_DIR": str(media_dir),
                      "RATELIMIT_ENABLED": False})
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        county = org.ensure_county("压测县区")
        grid = org.ensure_grid(county, "压测网格")
        db.session.commit()
        db.session.execute(insert(User), [{
            "employee_no": MANAGER, "name": "压测经理", "role": "manager", "county_id": county.id,
            "grid_id": grid.id, "active": True, "joined_at": now - timedelta(days=60), "created_at": now,
            "session_token": "bench-visitor",
            "password_hash": generate_password_hash(scale.STAFF_PASSWORD, method="scrypt")}])
        manager_id = db.session.scalar(select(User.id).where(User.employee_no == MANAGER))
        db.session.execute(insert(Shop), [{
            "code": f"S{i:04d}", "name": f"压测手机店{i}", "kind": "terminal", "star": 3, "latitude": 30.0 + i / 1000,
            "longitude": 120.0, "grid_id": grid.id, "manager_id": manager_id} for i in range(SHOPS)])
        db.session.commit()
        shop_ids = list(db.session.scalars(select(Shop.id).order_by(Shop.id)))
    app.config["BENCH_SHOP_IDS"] = shop_ids
    return app


def signed_in(app: Any) -> tuple[Any, str]:
    """The manager's test client, signed in through the form, and the visit page's CSRF token."""
    client = app.test_client()
    found = CSRF_INPUT.search(client.get("/login").get_data(as_text=True))
    if found is None:
        raise RuntimeError("no CSRF token on /login")
    response = client.post("/login", data={"employee_no": MANAGER, "password": scale.STAFF_PASSWORD,
                                           "csrf_token": found.group(1) or found.group(2)})
    if response.status_code != 302:
        raise RuntimeError(f"{MANAGER} could not sign in: {response.status_code}")
    page = client.get("/field/visits/new").get_data(as_text=True)
    found = CSRF_INPUT.search(page)
    if found is None or 'name="client_key"' not in page:
        raise RuntimeError("no visit form with a CSRF token on /field/visits/new")
    return client, found.group(1) or found.group(2)


def submitter(app: Any, client: Any, token: str, photos: list[bytes], *, offline: bool) -> Callable[[int], None]:
    shops = app.config["BENCH_SHOP_IDS"]

    def submit(number: int) -> None:
        data: dict[str, Any] = {
            "csrf_token": token, "shop_id": str(shops[number % len(shops)]), "checklist_version": "1",
            "note": "门头完好，实名制海报已张贴。", "latitude": "30.0001", "longitude": "120.0001", **GOOD_ANSWERS,
            "client_key": f"bench-{offline:d}-{number}-{time.monotonic_ns()}",
            "photos": [(io.BytesIO(p), f"IMG_{i}.jpg", "image/jpeg") for i, p in enumerate(photos)]}
        if offline:
            data["device_at"] = (datetime.now(UTC) - timedelta(minutes=7)).isoformat()
        response = client.post("/field/visits/new", data=data, headers={"Accept": "application/json"},
                               content_type="multipart/form-data")
        body = response.get_json(silent=True) or {}
        if response.status_code != 201 or body.get("late_received") is not offline:
            raise RuntimeError(f"{'offline ' if offline else ''}visit: {response.status_code} {body}")

    return submit


def pillow_alone(photos: list[bytes], max_width: int) -> Callable[[int], None]:
    """The baseline: the shortest correct re-encoding of the photos with Pillow (upright, fitted, no metadata)."""
    from PIL import Image, ImageOps

    def run(_number: int) -> None:
        for data in photos:
            image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
            if image.width > max_width:
                image = image.resize((max_width, round(image.height * max_width / image.width)),
                                     Image.Resampling.LANCZOS)
            image.save(io.BytesIO(), "JPEG", quality=85, optimize=True)

    return run


def product_reencode(photos: list[bytes], limits: Any) -> Callable[[int], None]:
    from lms.courses import media

    def run(_number: int) -> None:
        for i, data in enumerate(photos):
            media.check_upload(data, f"IMG_{i}.jpg", limits)

    return run


def measure(uri: str, visits: int, media_dir: Path) -> dict[str, Any]:
    from lms.courses import media
    from lms.extensions import db

    photos = [phone_photo(seed) for seed in range(PHOTOS)]
    app = build(uri, media_dir)
    limits = media.MediaLimits.from_settings(app.config)
    client, token = signed_in(app)
    series = interleaved({
        "visit": submitter(app, client, token, photos, offline=False),
        "visit_offline": submitter(app, client, token, photos, offline=True),
        "visit_reencode": product_reencode(photos, limits),
        "visit_baseline_pillow": pillow_alone(photos, limits.image_max_width),
    }, visits)
    figures: dict[str, Any] = {"visit_count": visits, "visit_photos": PHOTOS,
                               "visit_photo_kb": round(statistics.mean(len(p) for p in photos) / 1024)}
    for key, (wall, cpu) in series.items():
        figures[f"{key}_ms"] = round(statistics.median(wall), 1)
        figures[f"{key}_p95_ms"] = percentile(wall, 0.95)
        figures[f"{key}_cpu_ms"] = round(statistics.median(cpu), 1)
    pillow, reencode = series["visit_baseline_pillow"], series["visit_reencode"]
    for key in ("visit", "visit_offline"):
        wall, cpu = series[key]
        figures[f"ratio_{key}_vs_pillow"] = round(paired(wall, pillow[0], lambda a, b: a / b), 2)
        figures[f"ratio_{key}_cpu_vs_pillow"] = round(paired(cpu, pillow[1], lambda a, b: a / b), 2)
        figures[f"{key}_rest_ms"] = round(paired(wall, reencode[0], lambda a, b: a - b), 1)
        figures[f"{key}_rest_cpu_ms"] = round(paired(cpu, reencode[1], lambda a, b: a - b), 1)
    for key, target in TARGETS_MS.items():
        figures[f"{key}_ok"] = figures[key] <= target
    with app.app_context():
        db.engine.dispose()
    return figures


def markdown_table(figures: dict[str, Any]) -> str:
    baseline = figures["visit_baseline_pillow_ms"]
    rows = [f"{figures['visit_count']} visits per path, {figures['visit_photos']} phone JPEGs each "
            f"(~{figures['visit_photo_kb']} KB, 4032×3024); baseline: the same photos re-encoded with Pillow alone "
            f"= {baseline} ms (p95 {figures['visit_baseline_pillow_p95_ms']}, CPU "
            f"{figures['visit_baseline_pillow_cpu_ms']} ms)", "",
            "| submission | median ms | p95 ms | / baseline | of which re-encoding | rest | CPU ms (rest) "
            "| target | met |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for key, label in (("visit", "online (the page's post)"),
                       ("visit_offline", "offline queue, sent later (late-received)")):
        rows.append(f"| {label} | {figures[f'{key}_ms']} | {figures[f'{key}_p95_ms']} | "
                    f"{figures[f'ratio_{key}_vs_pillow']}× | {figures['visit_reencode_ms']} | "
                    f"{figures[f'{key}_rest_ms']} | {figures[f'{key}_cpu_ms']} ({figures[f'{key}_rest_cpu_ms']}) | "
                    f"p95 ≤ {TARGETS_MS[f'{key}_p95_ms']} | {'yes' if figures[f'{key}_p95_ms_ok'] else 'no'} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=VISITS, help=f"submissions per path (default {VISITS})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-visits-") as folder:
        uri = scale.database_uri(Path(folder) / "visits.sqlite3")
        figures = measure(uri, args.visits, Path(folder) / "media")
    common.save(RESULTS, figures, uri)
    print(markdown_table(figures))
    if not common.targets_met(figures, TARGETS_MS):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
