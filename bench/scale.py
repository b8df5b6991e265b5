"""A city at scale for the report benchmarks: 10,000 channel managers, 24 closed periods, one period waiting to be
closed and the current, open one.

The database is built through the real migrations; rows go in with bulk core inserts on the tables (plain
executemany, not the ORM's bulk path, which costs more than the database). Ledger entries
and rankings are what the assessment rules themselves plan from the generated outcomes
(``lms.assessment.rules.plan_history``), so "failed twice" and the cash penalties agree exactly as they would after
24 real closes. Deterministic for a given seed.

    python -m bench.scale --db instance/bench-reports.sqlite3      # or DATABASE_URL=postgresql://…
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

REPO = Path(__file__).resolve().parent.parent
STAFF_PASSWORD = "bench-password-1"  # noqa: S105 - a benchmark database's throwaway staff password


@dataclass(frozen=True)
class Scale:
    managers: int = 10_000
    closed_periods: int = 24
    counties: int = 8
    grids_per_county: int = 6
    seed: int = 7


@dataclass
class Built:
    uri: str
    closed: list[str]
    awaiting_close: str
    current: str
    seconds: float
    rows: dict[str, int]


def periods_for(now: datetime, count: int) -> tuple[list[str], str, str]:
    """``count`` closed periods, the one after them (its window over, not closed yet) and the current one."""
    from lms.core.clock import period_of
    from lms.reports.rules import months_back

    current = period_of(now)
    months = months_back(current, count + 2)
    return months[:count], months[count], current


def window(period: str) -> tuple[datetime, datetime]:
    year, month = int(period[:4]), int(period[5:])
    opens = datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=8)
    return opens, opens + timedelta(days=8) - timedelta(minutes=1)


def _app(uri: str) -> Any:
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def build(uri: str, scale: Scale = Scale(), *, now: datetime | None = None) -> Built:
    """Create the schema and fill it. The database must be empty (a new SQLite file, or an empty PostgreSQL db)."""
    from flask_migrate import upgrade

    from lms.extensions import db

    started = time.perf_counter()
    now = now or datetime.now(UTC)
    app = _app(uri)
    with app.app_context():
        upgrade()
        rows = _fill(scale, now)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a load this size; without it the planner has no statistics and
            # index-only scans no visibility map, so the first minutes would be measured, not the steady state.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    closed, awaiting, current = periods_for(now, scale.closed_periods)
    return Built(uri, closed, awaiting, current, time.perf_counter() - started, rows)


def _fill(scale: Scale, now: datetime) -> dict[str, int]:  # noqa: PLR0912, PLR0915 - one generator, read top to bottom
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.assessment import rules as assessment_rules
    from lms.assessment.models import ClosedPeriod, LedgerEntry, Outcome, Ranking
    from lms.attempts.models import Attempt
    from lms.extensions import db
    from lms.org.models import Unit
    from lms.quizzes.models import Quiz, QuizVersion

    rng = random.Random(scale.seed)
    closed, awaiting, current = periods_for(now, scale.closed_periods)
    counts: dict[str, int] = {}

    # --- the organisation ---
    city_id = db.session.execute(insert(Unit).returning(Unit.id), [{"kind": "city", "name": "本市"}]).scalar_one()
    county_ids = list(db.session.execute(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), [
        {"kind": "county", "name": f"第{i + 1:02d}县区", "parent_id": city_id} for i in range(scale.counties)]
    ).scalars())
    grid_rows = [{"kind": "grid", "name": f"第{c + 1:02d}县区{g + 1:02d}网格", "parent_id": county_id}
                 for c, county_id in enumerate(county_ids) for g in range(scale.grids_per_county)]
    grid_ids = list(db.session.execute(insert(Unit).returning(Unit.id, sort_by_parameter_order=True),
                                       grid_rows).scalars())
    grid_county = {g: row["parent_id"] for g, row in zip(grid_ids, grid_rows, strict=True)}

    # --- people: managers, a supervisor per county, the city supervisor, a trainer, an admin ---
    joined = datetime(2020, 1, 1, tzinfo=UTC)
    people = []
    for index in range(scale.managers):
        grid_id = grid_ids[index % len(grid_ids)]
        people.append({"employee_no": f"M{index + 1:05d}", "name": f"经理{index + 1:05d}", "role": "manager",
                       "county_id": grid_county[grid_id], "grid_id": grid_id, "active": True,
                       "session_token": secrets.token_urlsafe(24), "joined_at": joined, "created_at": joined})
    staff_hash = generate_password_hash(STAFF_PASSWORD, method="scrypt")
    staff = [{"employee_no": "CITY-SUP", "name": "市级主管", "role": "supervisor", "county_id": None},
             {"employee_no": "TRAINER", "name": "培训师", "role": "trainer", "county_id": None},
             {"employee_no": "ADMIN", "name": "管理员", "role": "admin", "county_id": None}]
    staff += [{"employee_no": f"SUP-{i + 1:02d}", "name": f"第{i + 1:02d}县区主管", "role": "supervisor",
               "county_id": county_id} for i, county_id in enumerate(county_ids)]
    for member in staff:
        member.update({"grid_id": None, "active": True, "session_token": secrets.token_urlsafe(24),
                       "joined_at": joined, "created_at": joined, "password_hash": staff_hash})
    db.session.execute(User.__table__.insert(), people)
    db.session.execute(User.__table__.insert(), staff)
    managers = list(db.session.execute(select(User.id, User.employee_no, User.county_id, User.grid_id)
                                       .where(User.role == "manager").order_by(User.id)))
    counts["managers"] = len(managers)

    # --- monthly tests, one per period ---
    quiz_ids: dict[str, int] = {}
    version_ids: dict[str, int] = {}
    for period in [*closed, awaiting, current]:
        opens, closes = window(period)
        if period == current:
            opens, closes = now - timedelta(days=3), now + timedelta(days=4)
        quiz_id = db.session.execute(insert(Quiz).returning(Quiz.id), [{
            "slug": f"monthly-{period}", "kind": "monthly", "title": f"{period} 渠道政策月考", "period": period,
            "created_at": opens, "updated_at": opens}]).scalar_one()
        version_id = db.session.execute(insert(QuizVersion).returning(QuizVersion.id), [{
            "quiz_id": quiz_id, "number": 1, "checksum": "0" * 64, "definition": {}, "opens_at": opens,
            "closes_at": closes, "time_limit_seconds": 1800, "pass_score": 80.0, "max_score": 100.0,
            "attempts_allowed": 1, "review_policy": "after_close", "issues_certificate": False,
            "created_at": opens}]).scalar_one()
        db.session.execute(Quiz.__table__.update().where(Quiz.__table__.c.id == quiz_id)
                           .values(current_version_id=version_id))
        quiz_ids[period], version_ids[period] = quiz_id, version_id

    # --- 24 closed periods: outcomes, then what the rules plan from them ---
    ability = {m.id: rng.gauss(87, 6) for m in managers}  # some people are weaker all along: runs of fails
    facts_by_period = []
    outcome_rows = []
    for period in closed:
        opens, _closes = window(period)
        facts = []
        for m in managers:
            draw = rng.random()
            if draw < 0.02:
                status, score, submitted = assessment_rules.EXEMPT, None, None
            elif draw < 0.05:
                status, score, submitted = assessment_rules.ABSENT, None, None
            else:
                score = round(min(100.0, max(20.0, rng.gauss(ability[m.id], 7))), 1)
                status = assessment_rules.PASS if score >= 80 else assessment_rules.FAIL
                submitted = opens + timedelta(hours=9, seconds=rng.randrange(7 * 86400))
            facts.append(assessment_rules.OutcomeFact(m.id, m.employee_no, m.county_id, status, score, submitted))
            outcome_rows.append({"period": period, "user_id": m.id, "status": status, "score": score,
                                 "quiz_id": quiz_ids[period], "submitted_at": submitted, "county_id": m.county_id,
                                 "grid_id": m.grid_id, "note": "", "created_at": opens + timedelta(days=9)})
        facts_by_period.append(assessment_rules.PeriodFacts(period, facts))
    db.session.execute(Outcome.__table__.insert(), outcome_rows)
    counts["outcomes"] = len(outcome_rows)

    plans = assessment_rules.plan_history(facts_by_period, assessment_rules.Policy())
    scores = {(row["period"], row["user_id"]): row["score"] for row in outcome_rows}
    ranking_rows, entry_rows = [], []
    for plan in plans:
        closed_at = window(plan.period)[1] + timedelta(days=1)
        for result in plan.ranking:
            ranking_rows.append({"period": plan.period, "user_id": result.user_id, "county_id": result.group,
                                 "position": result.position, "group_size": result.group_size,
                                 "unified_score": result.unified_score,
                                 "test_score": scores.get((plan.period, result.user_id)), "deductions": 0.0,
                                 "indicators": 0.0, "band": result.band})
        for entry in plan.entries:
            entry_rows.append({"user_id": entry.user_id, "period": entry.period, "kind": entry.kind,
                               "amount_yuan": entry.amount_yuan, "points": entry.points, "reason": entry.reason,
                               "rule": entry.rule.code, "rule_version": entry.rule.version,
                               "idempotency_key": entry.key, "created_at": closed_at})
        db.session.add(ClosedPeriod(period=plan.period, closed_at=closed_at, quiz_count=1,
                                    outcome_count=len(plan.ranking), entry_count=len(plan.entries),
                                    policy=asdict(assessment_rules.Policy())))
    # System-operation deductions: a few a month, spread over the city.
    for period in closed:
        for m in rng.sample(managers, 20):
            entry_rows.append({"user_id": m.id, "period": period, "kind": assessment_rules.DEDUCTION,
                               "amount_yuan": None, "points": -2.0, "reason": "社会渠道管理系统：不会办理宽带订购",
                               "rule": "R3-system-ops", "rule_version": 1,
                               "idempotency_key": f"deduction:bench:{period}:{m.id}",
                               "created_at": window(period)[0] + timedelta(days=12)})
    db.session.execute(Ranking.__table__.insert(), ranking_rows)
    db.session.execute(LedgerEntry.__table__.insert(), entry_rows)
    counts["rankings"], counts["ledger"] = len(ranking_rows), len(entry_rows)
    # Appeals upheld: every 50th cash penalty reversed.
    penalties = list(db.session.execute(select(LedgerEntry.id, LedgerEntry.user_id, LedgerEntry.period)
                                        .where(LedgerEntry.kind == "cash_penalty").order_by(LedgerEntry.id)))
    reversals = [{"user_id": u, "period": p, "kind": "reversal", "amount_yuan": -200, "points": None,
                  "reason": f"冲销 #{i}（现金处罚）：申诉成立", "rule": "appeal", "rule_version": 1,
                  "idempotency_key": f"reversal:{i}", "reverses_id": i, "created_at": now}
                 for i, u, p in penalties[::50]]
    if reversals:
        db.session.execute(LedgerEntry.__table__.insert(), reversals)
    counts["reversals"] = len(reversals)

    # --- the period waiting to be closed: everybody's attempts, graded ---
    attempt_rows = []
    opens, closes = window(awaiting)
    for m in managers:
        if rng.random() < 0.03:
            continue  # absent
        score = round(min(100.0, max(20.0, rng.gauss(ability[m.id], 7))), 1)
        started = opens + timedelta(hours=9, seconds=rng.randrange(6 * 86400))
        attempt_rows.append(_attempt(m.id, quiz_ids[awaiting], version_ids[awaiting], started, score))
    # --- the current period: most have sat, some are taking it, the rest have days left ---
    for m in managers:
        draw = rng.random()
        if draw < 0.35:
            continue  # not started yet
        started = now - timedelta(hours=1 + rng.randrange(60))
        if draw < 0.38:
            attempt_rows.append(_attempt(m.id, quiz_ids[current], version_ids[current], now - timedelta(minutes=5),
                                         None))
            continue
        score = round(min(100.0, max(20.0, rng.gauss(ability[m.id], 7))), 1)
        attempt_rows.append(_attempt(m.id, quiz_ids[current], version_ids[current], started, score))
    db.session.execute(Attempt.__table__.insert(), attempt_rows)
    counts["attempts"] = len(attempt_rows)
    return counts


def _attempt(user_id: int, quiz_id: int, version_id: int, started: datetime, score: float | None) -> dict[str, Any]:
    finished = score is not None
    return {"user_id": user_id, "quiz_id": quiz_id, "quiz_version_id": version_id, "number": 1, "official": True,
            "makeup": False, "status": "submitted" if finished else "in_progress",
            "in_progress_key": None if finished else f"{user_id}:{quiz_id}", "started_at": started,
            "deadline_at": started + timedelta(minutes=30),
            "finished_at": started + timedelta(minutes=20) if finished else None,
            "finish_reason": "submit" if finished else None, "score": score, "raw_points": score,
            "max_score": 100.0, "passed": (score >= 80) if finished else None,
            "paper": {"seed": 0, "partial_credit": False, "questions": []}, "results": {} if finished else None}


def database_uri(path: Path | None) -> str:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith(("postgres", "postgresql")):
        from lms.config import normalise_database_url

        return normalise_database_url(url)
    target = path or REPO / "instance" / "bench-reports.sqlite3"
    return f"sqlite:///{target}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to create (default instance/bench-reports.sqlite3)")
    parser.add_argument("--managers", type=int, default=Scale.managers)
    parser.add_argument("--periods", type=int, default=Scale.closed_periods)
    args = parser.parse_args()
    uri = database_uri(args.db)
    if uri.startswith("sqlite:///"):
        path = Path(uri.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    built = build(uri, Scale(managers=args.managers, closed_periods=args.periods))
    print(f"built in {built.seconds:.1f} s: {built.rows}")
    print(f"closed {built.closed[0]}…{built.closed[-1]}, awaiting close {built.awaiting_close}, "
          f"current {built.current}")


if __name__ == "__main__":
    main()
